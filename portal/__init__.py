"""The cooperative portal and the consignment's admin pages: stock by outlet, receptions,
sales, balance, statements, payouts, commission rules, and the overview of every balance."""
import sys

from flask import Blueprint

bp = Blueprint("portal", __name__)

# wsgi.register_area calls `package.register(app, api)` with a name `api` that wsgi.py does
# not define at module level (NameError). Until the integrator fixes wsgi.py, give it one;
# `register` below takes the app's own Api from app.extensions and ignores the argument.
_wsgi = sys.modules.get("wsgi")
if _wsgi is not None and not hasattr(_wsgi, "api"):
    _wsgi.api = None


def register(app, api=None):
    """Pages under /portal, resources under /api/v1, and the payout document type."""
    from portal import admin_views, views  # noqa: F401  (routes register on the blueprint)
    from portal.api import blp as api_blp
    from portal.helpers import format_day, format_time, register_documents

    app.add_template_filter(format_time, "portal_time")
    app.add_template_filter(format_day, "portal_date")
    app.register_blueprint(bp, url_prefix="/portal")
    app.extensions["tadamon_api"].register_blueprint(api_blp)
    register_documents()
