"""Sign-in, sign-out, language choice, and the API's tokens."""
from flask import Blueprint, g, session

bp = Blueprint("auth", __name__)


def register(app, api):
    """Sign-in pages at the root and the token resources under /api/v1."""
    from auth import tokens_views, views  # noqa: F401  (routes register on the blueprint)
    from auth.access import enforce_access
    from auth.api import blp

    register_user_loaders()
    app.register_blueprint(bp)
    api.register_blueprint(blp)
    app.before_request(enforce_access)

    @app.after_request
    def no_session_for_tokens(response):
        """Bearer-token calls are stateless: no session cookie in their answers."""
        if g.get("auth_via") == "token":
            session.modified = False
            session.accessed = False
        return response


def register_user_loaders():
    """Who is asking: the session's user, or on /api/ the owner of a bearer token."""
    from auth.services import user_for_token
    from auth.sessions import load_session_user
    from extensions import login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = None

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
