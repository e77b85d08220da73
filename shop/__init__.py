"""Shops and stands: point of sale, cash sessions, receipts, refunds, shop stock."""
from flask import Blueprint

bp = Blueprint("shop", __name__)


def register(app, api):
    """Install the POS pages under /shop, the API resources, and the document labels (receipt numbers) traceability pages show."""
    from shop import credit_notes, offline_views, views  # noqa: F401  (routes on bp and the API blueprint)
    from shop.api import blp as api_blp
    from shop.offline_api import blp as offline_api_blp
    from shop.document_labels import register_documents

    app.register_blueprint(bp, url_prefix="/shop")
    api.register_blueprint(api_blp)
    api.register_blueprint(offline_api_blp)
    register_documents()
