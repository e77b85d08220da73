"""Warehouse operations: receptions, packaging runs, labels, stock views and recall."""
from flask import Blueprint

bp = Blueprint("warehouse", __name__)


def _labeler(endpoint, number, model_name):
    """A document labeler for the registry: {id: {"label", "url"}} in one query."""
    def label(ids):
        from flask import url_for
        from sqlalchemy import select

        import models.warehouse as mw
        from extensions import db

        model = getattr(mw, model_name)
        found = db.session.execute(select(model.id).where(model.id.in_(ids))).scalars()
        out = {}
        for i in found:
            try:
                url = url_for(endpoint, **{"reception_id" if model_name == "Reception" else "run_id": i})
            except RuntimeError:  # outside a request: no URL
                url = None
            out[i] = {"label": number(i), "url": url}
        return out
    return label


def register(app, api):
    """Pages under /warehouse, API resources under /api/v1, document labels for traceability."""
    from models.documents import register_document_type
    from models.warehouse import packaging_run_number, reception_number
    from warehouse import views, views_stock  # noqa: F401  (routes register on bp)
    from warehouse.api import blp

    register_document_type("reception", _labeler("warehouse.reception", reception_number, "Reception"))
    register_document_type("packaging_run", _labeler("warehouse.packaging_run", packaging_run_number,
                                                     "PackagingRun"))
    app.register_blueprint(bp, url_prefix="/warehouse")
    api.register_blueprint(blp)
