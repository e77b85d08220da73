"""Faults answered as outages, not bugs: `register(app)` from the app factory.

The database unreachable (OperationalError, InterfaceError: PostgreSQL stopped, a dropped
connection, SQLite locked past its busy timeout), the disk full or the database read-only
answer 503 `{"error": {"code": "unavailable", ...}}` with Retry-After on the API, and a
translated page (that needs no database) elsewhere; one log line per failure, no traceback.
Nothing was saved: the transaction is rolled back, so a till may simply send again (a sale
with the same client reference is recorded once).

`/healthz` answers 200 while the process serves requests (no database touched);
`/readyz` answers 200 when the database answers and its schema is at the migrations' head,
else 503: what a load balancer asks before sending traffic.
"""
import errno
import os

from flask import g, jsonify, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError

from web.access import public
from extensions import db, login_manager

RETRY_AFTER_SECONDS = 5
# OSErrors that mean "the machine cannot write now", not "the code is wrong".
OUTAGE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO}


def fault_kind(exc):
    """"disk_full", "read_only", "database_unreachable" or "io" for a fault; None otherwise."""
    message = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, OSError):
        return "disk_full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "io"
    if "disk is full" in message or "no space left" in message or "could not extend" in message:
        return "disk_full"
    if "readonly" in message or "read-only" in message or "read only" in message:
        return "read_only"
    return "database_unreachable"


def _request_locale(app):
    """The page's language without the database: the session's choice or the browser's."""
    languages = app.config["LANGUAGES"]
    try:
        chosen = session.get("lang")
    except Exception:  # noqa: BLE001 - a broken cookie must not hide the outage
        chosen = None
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(["fr", "ar"]) or app.config["BABEL_DEFAULT_LOCALE"]


def unavailable(app, exc):
    """The 503 answer, after rolling back and forgetting the (now unreadable) user."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the pool replaces it
        pass
    # The signed-in user's row cannot be refreshed now: the rest of this request is anonymous.
    g._login_user = login_manager.anonymous_user()
    kind = fault_kind(exc)
    first_line = str(getattr(exc, "orig", exc)).strip().splitlines()[:1]
    app.logger.error("unavailable (%s): %s %s: %s: %s", kind, request.method, request.path,
                     type(getattr(exc, "orig", exc)).__name__, first_line[0] if first_line else "")
    retry = str(app.config.get("RETRY_AFTER_SECONDS", RETRY_AFTER_SECONDS))
    locale = _request_locale(app)
    with force_locale(locale):
        message = _("The service is unavailable for a moment. Nothing was saved: try again in a "
                    "few seconds.")
        if request.path.startswith("/api/"):
            response = jsonify({"error": {"code": "unavailable", "message": message,
                                          "fields": {}, "reason": kind}})
        else:
            response = app.response_class(render_template(
                "unavailable.html", message=message, locale=locale,
                text_dir="rtl" if locale == "ar" else "ltr"))
    response.status_code = 503
    response.headers["Retry-After"] = retry
    return response


def healthz():
    """Alive: the process answers (no database touched)."""
    return jsonify({"status": "ok"})


def readyz():
    """Ready: the database answers and its schema is at the migrations' head."""
    from flask import current_app

    heads = current_app.extensions["tadamon_migration_heads"]
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception as exc:  # noqa: BLE001 - any failure here means "not ready"
        current_app.logger.error("readyz: database not ready: %s", type(exc).__name__)
        return _not_ready("database unreachable")
    if current != heads:
        return _not_ready(f"migrations not at head (database {sorted(current)}, code {sorted(heads)})")
    return jsonify({"status": "ready", "database": "ok", "migrations": sorted(heads)})


def _not_ready(reason):
    response = jsonify({"error": {"code": "unavailable", "message": reason, "fields": {}}})
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def migration_heads():
    """The head revision(s) of the migrations shipped with the code."""
    from alembic.script import ScriptDirectory

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return set(ScriptDirectory(os.path.join(root, "migrations")).get_heads())


def register(app):
    """The 503 handlers and the health routes."""
    app.config.setdefault("RETRY_AFTER_SECONDS", RETRY_AFTER_SECONDS)
    app.extensions["tadamon_migration_heads"] = migration_heads()

    def on_database_fault(exc):
        return unavailable(app, exc)

    def on_os_error(exc):
        if exc.errno in OUTAGE_ERRNOS:
            return unavailable(app, exc)
        raise exc

    app.register_error_handler(OperationalError, on_database_fault)
    app.register_error_handler(InterfaceError, on_database_fault)
    app.register_error_handler(OSError, on_os_error)
    app.add_url_rule("/healthz", "healthz", public(healthz))
    app.add_url_rule("/readyz", "readyz", public(readyz))
