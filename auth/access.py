"""Who may do what: every route declares its roles; one before_request enforces them.

A route without a declaration is refused (default deny), and a test walks the URL map to
prove every route declares its roles and every other role is refused.
"""
from flask import abort, current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from models.users import ROLES

PUBLIC = frozenset({"public"})
# Blueprints whose routes are public by nature (static files, the API's spec and docs).
PUBLIC_BLUEPRINTS = {"bootstrap", "api-docs"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def roles(*names):
    """Declare the roles that may use a view: `@roles("admin", "operator")`."""
    unknown = set(names) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        view.access = frozenset(names)
        return view

    return decorate


def public(view):
    """Declare a view open to anyone (the login page)."""
    view.access = PUBLIC
    return view


def any_user(view):
    """Declare a view open to every signed-in user who works with the goods or the accounts:
    every role but the observer, who reads aggregates only and is named where it may go."""
    view.access = frozenset(ROLES) - {"observer"}
    return view


def signed_in(view):
    """Declare a view open to every signed-in user, observer included (their own account,
    signing out, revoking their token)."""
    view.access = frozenset(ROLES)
    return view


def is_api_request():
    """API routes answer in JSON; pages answer in HTML."""
    return request.path.startswith("/api/")


def view_access(endpoint):
    """The declared roles of an endpoint, or None when it declares nothing."""
    if endpoint == "static" or endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def refuse_nul_characters():
    """400 for a NUL character in the query string or a form: nobody types one, PostgreSQL
    cannot store one, and SQLite would keep it silently."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400, description=_("NUL characters are not allowed."))


def enforce_access():
    """before_request: authenticate, check the role, and check CSRF on unsafe requests."""
    if request.endpoint is None:
        return None  # routing will answer 404/405
    refuse_nul_characters()
    access = view_access(request.endpoint)
    if access is None:
        current_app.logger.error("route %s declares no roles: refused", request.endpoint)
        abort(403)
    _check_csrf()
    if access is PUBLIC:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401, description="Authentication required: send 'Authorization: Bearer <token>' "
                                   "(POST /api/v1/tokens issues one).")
        return redirect(url_for("auth.login", next=request.full_path))
    if current_user.role not in access:
        abort(403)
    return None


def _check_csrf():
    """Forms and session-authenticated API calls need a CSRF token; bearer-token calls do not."""
    if request.method in SAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if is_api_request() and (g.get("auth_via") == "token" or
                             request.headers.get("Authorization", "").startswith(("Bearer ", "Basic "))):
        return
    token = request.headers.get("X-CSRFToken") or request.form.get("csrf_token")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from exc
