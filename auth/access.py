"""Who may do what: every route declares its roles; one before_request enforces them.

A route without a declaration is refused (default deny), and a test walks the URL map to
prove every route declares its roles and every other role is refused.
"""
from flask import abort, current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from web.access import PUBLIC, any_user, public, roles, signed_in  # noqa: F401  (areas import them from here)

# Blueprints whose routes are public by nature (static files, the API's spec and docs).
PUBLIC_BLUEPRINTS = {"bootstrap", "api-docs"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


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
    if access is PUBLIC:
        _check_csrf(public_route=True)
        return None
    # Authenticate first: an anonymous API call is a 401, whatever its CSRF token says.
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401, description="Authentication required: send 'Authorization: Bearer <token>' "
                                   "(POST /api/v1/tokens issues one).")
        return redirect(url_for("auth.login", next=request.full_path))
    _check_csrf()
    if current_user.role not in access:
        abort(403)
    return None


def _check_csrf(public_route=False):
    """Forms and session-authenticated API calls need a CSRF token. Only a request that a valid
    bearer token authenticated goes without (a session cookie beside a junk Authorization
    header does not), and HTTP Basic only on the public API route that trades it for a token."""
    if request.method in SAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if current_user.is_authenticated and g.get("auth_via") == "token":
        return
    if (public_route and is_api_request()
            and request.headers.get("Authorization", "").startswith("Basic ")):
        return
    token = request.headers.get("X-CSRFToken") or request.form.get("csrf_token")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from exc
