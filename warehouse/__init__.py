"""Warehouse operations: receptions, packaging runs, labels, stock views and recall."""
from flask import Blueprint

bp = Blueprint("warehouse", __name__)


def register(app, api):
    """Pages under /warehouse, API resources under /api/v1, document labels for traceability."""
    from models.documents import numbered_labeler, register_document_type
    from models.stock_writeoffs import DOC_WRITE_OFF, WriteOff, write_off_number
    from models.warehouse import PackagingRun, Reception, packaging_run_number, reception_number
    from warehouse import views  # noqa: F401  (routes register on bp)
    from warehouse.api import blp
    from warehouse.stock import views as stock_views  # noqa: F401  (routes register on bp)
    from warehouse.stock.api import blp as stock_blp
    from warehouse.stock.blocks import blp as blocks_blp
    from warehouse.stock.writeoffs import blp as write_offs_blp

    register_document_type("reception", numbered_labeler(
        Reception, "warehouse.reception", "reception_id", number=reception_number))
    register_document_type("packaging_run", numbered_labeler(
        PackagingRun, "warehouse.packaging_run", "run_id", number=packaging_run_number))
    register_document_type(DOC_WRITE_OFF, numbered_labeler(
        WriteOff, "warehouse.write_off_page", "write_off_id", number=write_off_number))
    app.register_blueprint(bp, url_prefix="/warehouse")
    api.register_blueprint(blp)
    api.register_blueprint(stock_blp)
    api.register_blueprint(blocks_blp)
    api.register_blueprint(write_offs_blp)
