"""Transfers: replenishment requests, transfers with delivery notes, receipt with
discrepancies, returns (to the warehouse and to cooperatives), stock counts, shop stock."""
from flask import Blueprint

bp = Blueprint("transfers", __name__)


def register_document_types():
    """Let traceability pages (lot history, recall) name our documents."""
    from models.documents import numbered_labeler, register_document_type
    from models.transfers import (DOC_COOPERATIVE_RETURN, DOC_COUNT, DOC_REQUEST, DOC_TRANSFER,
                                  CooperativeReturn, ReplenishmentRequest, StockCount, Transfer)

    def _number(model, endpoint, id_arg):
        """Our documents carry their number in a `number` column."""
        return numbered_labeler(model, endpoint, id_arg, column=model.number)

    register_document_type(DOC_TRANSFER, _number(Transfer, "transfers.detail", "transfer_id"))
    register_document_type(DOC_COUNT, _number(StockCount, "transfers.count", "count_id"))
    register_document_type(DOC_COOPERATIVE_RETURN,
                           _number(CooperativeReturn, "transfers.coop_return", "return_id"))
    register_document_type(DOC_REQUEST, _number(ReplenishmentRequest, "transfers.requests",
                                                "request_id"))


def register(app, api):
    """Pages under /transfers and the API resources; document labels for traceability."""
    from transfers import api as transfers_api
    from transfers import views  # noqa: F401  (routes)
    from transfers.counts import api as counts_api
    from transfers.counts import views as counts_views  # noqa: F401  (routes)

    app.register_blueprint(bp, url_prefix="/transfers")
    api.register_blueprint(transfers_api.blp)
    api.register_blueprint(counts_api.blp)
    register_document_types()
