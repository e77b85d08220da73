"""The warehouse over the API: receptions, packaging runs, labels and recall."""
from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from web.api import PDF_RESPONSE, ErrorSchema, page_schema, paginate, pdf_response
from web.fields import ListArgsSchema
from auth.access import roles
from web.scope import visible_owned
from extensions import db
from models.warehouse_packaging import package
from models.warehouse_receptions import receive
from models.stock import Lot
from models.stock_traceability import recall
from models.warehouse import PackagingRun, Reception
from warehouse.exports import recall_flat
from warehouse.labels_pdf import label_data, render_labels
from warehouse.reception_pdf import reception_receipt_pdf
from warehouse.schemas import (LabelArgsSchema, PackagingRunInSchema, PackagingRunOutSchema,
                               ReceptionInSchema, ReceptionOutSchema, RecallSchema)

blp = Blueprint("warehouse_api", __name__, url_prefix="/api/v1",
                description="Warehouse: receptions, packaging runs, labels, recall")
ReceptionPage = page_schema(ReceptionOutSchema, "ReceptionPage")
PackagingRunPage = page_schema(PackagingRunOutSchema, "PackagingRunPage")
PDF = PDF_RESPONSE


@blp.route("/receptions", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, ReceptionPage)
@roles("admin", "operator")
def list_receptions(args):
    """Receptions, newest first."""
    page = paginate(select(Reception).order_by(Reception.id.desc()), args, db.session)
    page["items"] = [row[0] for row in page["items"]]
    return page


@blp.route("/receptions", methods=["POST"])
@blp.arguments(ReceptionInSchema)
@blp.response(201, ReceptionOutSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Invalid lines (fields name each one)")
@roles("admin", "operator")
def create_reception(data):
    """Receive a delivery: each accepted line becomes a lot moved from SUPPLIERS into the
    warehouse location. Field errors are keyed like `lines.0.quantity_rejected`."""
    reception = receive(cooperative_id=data["cooperative_id"], location_id=data["location_id"],
                        lines=data["lines"], user_id=current_user.id, note=data.get("note"))
    db.session.commit()
    return reception


@blp.route("/receptions/<int:reception_id>", methods=["GET"])
@blp.response(200, ReceptionOutSchema)
@roles("admin", "operator")
def get_reception(reception_id):
    """One reception with its lines and lots."""
    return db.session.get(Reception, reception_id) or abort(404)


@blp.route("/receptions/<int:reception_id>/receipt.pdf", methods=["GET"])
@blp.doc(responses=PDF)
@roles("admin", "operator", "cooperative")
def reception_receipt(reception_id):
    """The bilingual deposit receipt (a cooperative user: its own receptions only)."""
    reception = visible_owned(Reception, reception_id)
    return pdf_response(reception_receipt_pdf(reception), f"{reception.number}.pdf")


@blp.route("/packaging-runs", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, PackagingRunPage)
@roles("admin", "operator")
def list_packaging_runs(args):
    """Packaging runs, newest first."""
    page = paginate(select(PackagingRun).order_by(PackagingRun.id.desc()), args, db.session)
    page["items"] = [row[0] for row in page["items"]]
    return page


@blp.route("/packaging-runs", methods=["POST"])
@blp.arguments(PackagingRunInSchema)
@blp.response(201, PackagingRunOutSchema)
@blp.alt_response(409, schema=ErrorSchema, description="An input lot holds less at the location")
@blp.alt_response(422, schema=ErrorSchema, description="Invalid run, or inputs of several cooperatives")
@roles("admin", "operator")
def create_packaging_run(data):
    """Package bulk lots of one cooperative into units. Input quantities include the waste."""
    run = package(location_id=data["location_id"], inputs=data["inputs"],
                  output_product_id=data["output_product_id"], output_units=data["output_units"],
                  waste_quantity=data.get("waste_quantity"), best_before=data.get("best_before"),
                  user_id=current_user.id, note=data.get("note"))
    db.session.commit()
    return run


@blp.route("/packaging-runs/<int:run_id>", methods=["GET"])
@blp.response(200, PackagingRunOutSchema)
@roles("admin", "operator")
def get_packaging_run(run_id):
    """One packaging run, its inputs and yield."""
    return db.session.get(PackagingRun, run_id) or abort(404)


@blp.route("/lots/<int:lot_id>/labels.pdf", methods=["GET"])
@blp.arguments(LabelArgsSchema, location="query")
@blp.doc(responses=PDF)
@roles("admin", "operator")
def lot_labels(args, lot_id):
    """Labels of a lot: `copies`, `layout` (a4-3x8, a4-2x7, 58x40, 100x50), `start` (first
    free position on a partly used A4 sheet), `price=1` to print the retail price."""
    lot = db.session.get(Lot, lot_id) or abort(404)
    pdf = render_labels([(label_data(lot, args["price"]), args["copies"])], args["layout"],
                        args["start"])
    return pdf_response(pdf, f"labels-{lot.code}.pdf")


@blp.route("/lots/<int:lot_id>/recall", methods=["GET"])
@blp.response(200, RecallSchema)
@roles("admin", "operator")
def lot_recall(lot_id):
    """Recall: every lot made from this one, where it is now (transit included), every sale,
    and back to the receptions and cooperative it came from."""
    lot = db.session.get(Lot, lot_id) or abort(404)
    return recall_flat(recall(lot))
