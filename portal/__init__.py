"""The cooperative portal and the consignment's admin pages: stock by outlet, receptions,
sales, balance, statements, payouts, commission rules, and the overview of every balance."""
from flask import Blueprint

bp = Blueprint("portal", __name__)


def register(app, api):
    """Pages under /portal, resources under /api/v1, and the payout document type."""
    from portal import accountability, consignment_admin, views  # noqa: F401  (routes register on the blueprint)
    from portal.api import blp as api_blp
    from portal.helpers import register_documents

    app.register_blueprint(bp, url_prefix="/portal")
    api.register_blueprint(api_blp)
    api.register_blueprint(accountability.blp)
    register_documents()
