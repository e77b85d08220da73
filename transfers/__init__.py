"""Transfers: replenishment requests, transfers with delivery notes, receipt with
discrepancies, returns (to the warehouse and to cooperatives), stock counts, shop stock."""
from flask import Blueprint

bp = Blueprint("transfers", __name__)


def _labeler(model, endpoint, id_arg):
    """A document labeler for models.documents: number and page URL of each id."""

    def label(ids):
        """{id: {"label": number, "url": page}} for the given ids."""
        from flask import has_request_context, url_for
        from sqlalchemy import select

        from extensions import db

        rows = db.session.execute(select(model.id, model.number).where(model.id.in_(ids))).all()
        return {i: {"label": number,
                    "url": url_for(endpoint, **{id_arg: i}) if has_request_context() else None}
                for i, number in rows}

    return label


def register_document_types():
    """Let traceability pages (lot history, recall) name our documents."""
    from models.documents import register_document_type
    from models.transfers import (DOC_COOPERATIVE_RETURN, DOC_COUNT, DOC_REQUEST, DOC_TRANSFER,
                                  CooperativeReturn, ReplenishmentRequest, StockCount, Transfer)

    register_document_type(DOC_TRANSFER, _labeler(Transfer, "transfers.detail", "transfer_id"))
    register_document_type(DOC_COUNT, _labeler(StockCount, "transfers.count", "count_id"))
    register_document_type(DOC_COOPERATIVE_RETURN,
                           _labeler(CooperativeReturn, "transfers.coop_return", "return_id"))
    register_document_type(DOC_REQUEST, _labeler(ReplenishmentRequest, "transfers.requests",
                                                 "request_id"))


def register(app, api):
    """Pages under /transfers and the API resources; document labels for traceability."""
    from transfers import api as transfers_api
    from transfers import api_counts, views, views_counts  # noqa: F401  (routes)

    app.register_blueprint(bp, url_prefix="/transfers")
    api.register_blueprint(transfers_api.blp)
    api.register_blueprint(api_counts.blp)
    register_document_types()
