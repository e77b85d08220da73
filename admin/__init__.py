"""Admin pages: dashboard, cooperatives, products, locations and users; master data API."""
from flask import Blueprint

bp = Blueprint("admin", __name__)


def register(app, api):
    """Pages under /admin and the master data resources under /api/v1."""
    from admin import audit_views, views  # noqa: F401  (routes register on the blueprint)
    from admin.api import blp

    app.register_blueprint(bp, url_prefix="/admin")
    api.register_blueprint(blp)
