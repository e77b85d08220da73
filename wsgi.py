"""Tadamon's application factory. `gunicorn wsgi:app` or `flask --app wsgi ...`."""
import logging
import os
import threading

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, g, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

import config as config_module
from extensions import TadamonApi, babel, bootstrap, csrf, db, login_manager, migrate
from web import failures, inputs, security


def create_app(config_class=None):
    """Build the app: config, extensions, blueprints, error handlers, CLI commands."""
    app = Flask(__name__, instance_relative_config=True)
    if config_class is None:
        name = os.environ.get("TADAMON_CONFIG", "development")
        config_class = config_module.CONFIGS[name]
    if hasattr(config_class, "check"):
        config_class.check()
    app.config.from_object(config_class)
    os.makedirs(app.instance_path, exist_ok=True)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    security.register(app)
    inputs.register(app)
    failures.register(app)
    return app


def select_locale():
    """The user's language, else the session's choice, else French."""
    from flask import current_app, has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    # The browser's language picks French or Arabic; English only when chosen explicitly.
    return request.accept_languages.best_match(["fr", "ar"]) or current_app.config["BABEL_DEFAULT_LOCALE"]


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    """SQLite: WAL, a busy timeout, foreign keys, and BEGIN issued by us (see _sqlite_begin)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """SQLite: take the write lock up front for anything but a read-only request, so a
    transaction never fails upgrading from read to write under concurrency."""
    if conn.dialect.name != "sqlite":
        return
    from flask import has_request_context

    read_only = has_request_context() and not request_writes()
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def request_writes():
    """True when this request may write: an unsafe method, or a view marked @writes."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return True
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "writes", False))


# SQLite has one writer at a time. Writers racing for its file lock sleep in the busy
# handler (tail latency of seconds, FIELD-NOTES); queueing a worker's writers on one
# in-process lock is fair and fast. PostgreSQL is not gated: row locks do the work there.
_SQLITE_WRITE_LOCK = threading.Lock()


def _acquire_write_gate():
    """before_request, first of all (before authentication opens a transaction)."""
    if db.engine.dialect.name == "sqlite" and request_writes():
        _SQLITE_WRITE_LOCK.acquire()
        g.sqlite_write_gate = True


def _release_write_gate(exc=None):
    """teardown_request: end any transaction left open, then let the next writer in."""
    if g.pop("sqlite_write_gate", False):
        try:
            db.session.rollback()
        finally:
            _SQLITE_WRITE_LOCK.release()


def schema_name(schema):
    """OpenAPI component names: ProductSchema → Product, its partial variant → ProductPatch."""
    from apispec.ext.marshmallow.common import resolve_schema_cls

    name = resolve_schema_cls(schema).__name__.removesuffix("Schema")
    if getattr(schema, "partial", False):
        name += "Patch"
    return name


def register_extensions(app):
    """Initialise each extension on this app."""
    import models  # noqa: F401  (tables known to Alembic)
    from auth.services import user_for_token

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True)
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # auth.access checks CSRF after authentication
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @app.teardown_request
    def end_transaction(exc):
        """No transaction outlives its request: what a view did not commit is rolled back.
        (The app context usually ends here too and removes the session; a test holding one
        open keeps its objects, merely expired.)"""
        db.session.rollback()
        g.pop("_login_user", None)
        g.pop("auth_via", None)

    from auth.sessions import load_session_user

    login_manager.user_loader(load_session_user)

    @login_manager.request_loader
    def load_user_from_token(req):
        header = req.headers.get("Authorization", "")
        if req.path.startswith("/api/") and header.startswith("Bearer "):
            user = user_for_token(header[7:].strip())
            if user is not None:
                g.auth_via = "token"
            return user
        return None

    api = app.extensions["tadamon_api"] = TadamonApi()
    api.init_app(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(
        schema_name_resolver=schema_name), "info": {"description": "Tadamon: inventory, consignment "
                                            "and point of sale for the Oriental region's "
                                            "cooperatives."}})
    from api.schemas import decimal_string_openapi

    api.ma_plugin.converter.add_attribute_function(decimal_string_openapi)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    api.spec.options["security"] = [{"bearerAuth": []}]


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:...>` in URLs, capped at 2**31 - 1 (PostgreSQL's integer): a larger id is a 404,
    not a 500 from the database driver (SQLite overflows past 2**63)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_blueprints(app):
    """Pages and API resources, each area in its own package."""
    app.url_map.converters["int"] = DatabaseIntegerConverter  # before any rule is added
    from admin import bp as admin_bp
    from api.catalogue import blp as catalogue_api
    from api.stock import blp as stock_api
    from api.tokens import blp as tokens_api
    from auth import bp as auth_bp
    from auth.access import enforce_access

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    api = app.extensions["tadamon_api"]
    for blp in (tokens_api, catalogue_api, stock_api):
        api.register_blueprint(blp)
    for module in AREAS:
        register_area(app, api, module)
    app.before_request(_acquire_write_gate)
    app.before_request(enforce_access)
    app.teardown_request(_release_write_gate)

    @app.after_request
    def no_session_for_tokens(response):
        """Bearer-token calls are stateless: no session cookie in their answers."""
        if g.get("auth_via") == "token":
            session.modified = False
            session.accessed = False
        return response


# Feature packages beside the foundation, each with `register(app, api)` in its __init__.
AREAS = ("warehouse", "transfers", "shop", "portal", "reports")


def register_area(app, api, module):
    """Register an area package's blueprint and API resources when it provides them."""
    import importlib

    try:
        package = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return
    if hasattr(package, "register"):
        package.register(app, api)


def register_errorhandlers(app):
    """JSON errors on API paths, friendly pages elsewhere; domain errors become 4xx."""
    from flask_babel import gettext as _
    from sqlalchemy.exc import DataError, IntegrityError

    from api import error_response, http_error_json, wants_json
    from models.errors import DomainError

    def handle_http(exc):
        db.session.rollback()
        if wants_json():
            return http_error_json(exc)
        if exc.code == 405:
            return exc
        return render_template("errors.html", code=exc.code, message=exc.description), exc.code

    def handle_domain(exc):
        db.session.rollback()
        if wants_json():
            return error_response(exc.status, exc.message, exc.code, exc.fields)
        return render_template("errors.html", code=exc.status, message=exc.message), exc.status

    def handle_unexpected(exc):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if wants_json():
            return error_response(500, "Internal error", "internal_error")
        return render_template("errors.html", code=500, message=None), 500

    def handle_integrity(exc):
        """A constraint the checks before it missed (a race between two requests): 409."""
        db.session.rollback()
        app.logger.warning("integrity error: %s", exc.orig)
        message = _("This conflicts with data saved in the meantime. Reload and try again.")
        if wants_json():
            return error_response(409, message, "conflict")
        return render_template("errors.html", code=409, message=message), 409

    def handle_data_error(exc):
        """A value the database cannot store (out of range, NUL character): 422, not a 500."""
        db.session.rollback()
        app.logger.warning("data error: %s", exc.orig)
        message = _("A value is out of range or contains characters that cannot be stored.")
        if wants_json():
            return error_response(422, message, "validation_error")
        return render_template("errors.html", code=422, message=message), 422

    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(IntegrityError, handle_integrity)
    app.register_error_handler(DataError, handle_data_error)
    if not app.debug:
        app.register_error_handler(Exception, handle_unexpected)


def register_commands(app):
    """CLI: create-user, seed-demo, integrity-check, backup, i18n."""
    from commands import register

    register(app)


def register_template_helpers(app):
    """What templates need: the locale, text direction, decimal formatting, role menus."""
    from templating import register

    register(app)


if os.environ.get("TADAMON_NO_APP") != "1":
    app = create_app()
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
