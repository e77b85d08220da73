"""Stock pages for operators: stock on hand FEFO with expiry warnings (and CSV), a lot's page
with genealogy and history, and the recall of a lot (and CSV)."""

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from auth.access import roles
from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.stock import REAL_KINDS, Location, Lot
from models.stock_traceability import find_lots, genealogy, movement_history, recall, stock_rows
from models import clock
from warehouse import bp
from warehouse.exports import recall_csv, stock_csv
from web.inputs import content_disposition

PER_PAGE = 200


def _filters():
    """Stock filters from the query string (ids, lot code, days of warning)."""
    filters = {name: request.args.get(name, type=int) for name in
               ("location_id", "product_id", "cooperative_id", "lot_id")}
    filters["q"] = (request.args.get("q") or "").strip()[:40]
    filters["sold_out"] = request.args.get("sold_out") == "1"
    days = request.args.get("days", type=int)
    if days is None or not 0 <= days <= 3650:
        days = current_app.config["EXPIRY_WARNING_DAYS"]
    return filters, days


def _csv_response(text, filename):
    """A CSV download."""
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition("attachment", filename)})


@bp.route("/stock")
@roles("admin", "operator")
def stock():
    """Stock at every real location, first-expired first, with filters and warnings; CSV too."""
    filters, days = _filters()
    today = clock.today()
    if request.args.get("expiring"):
        from datetime import timedelta

        filters["expiring_before"] = today + timedelta(days=days)
    page = max(1, request.args.get("page", 1, type=int))
    status_labels = {"expired": _("Expired"), "expiring": _("Expires soon")}
    if request.args.get("format") == "csv":
        rows, _total = stock_rows(filters, today=today, warning_days=days)
        return _csv_response(stock_csv(rows, status_labels), f"stock-{today.isoformat()}.csv")
    rows, total = stock_rows(filters, today=today, warning_days=days, limit=PER_PAGE,
                             offset=(page - 1) * PER_PAGE)
    choices = {
        "locations": db.session.execute(select(Location).where(Location.kind.in_(REAL_KINDS))
                                        .order_by(Location.kind, Location.code)).scalars().all(),
        "products": db.session.execute(select(Product).order_by(Product.name_fr)).scalars().all(),
        "cooperatives": db.session.execute(select(Cooperative).order_by(Cooperative.name_fr)).scalars().all(),
    }
    return render_template("warehouse/stock.html", rows=rows, total=total, page=page,
                           per_page=PER_PAGE, filters=filters, days=days, choices=choices,
                           status_labels=status_labels, args=request.args)


@bp.route("/lots/find")
@roles("admin", "operator")
def find_lot():
    """The navbar's search box: a lot by its code (or part of it), a GTIN / EAN-13, or any
    scanned label (GS1-128, with or without the ]C1 prefix), read by the till's one resolver
    (models.stock_codes). Sold-out and consumed lots are found too. One lot opens its page
    (history and traceability); several are listed."""
    code = (request.args.get("code") or "").strip()[:120]
    lots = find_lots(code) if code else []
    if len(lots) == 1:
        return redirect(url_for("warehouse.lot", lot_id=lots[0]["lot"].id))
    return render_template("warehouse/lot_find.html", code=code, lots=lots)


@bp.route("/lots/<int:lot_id>")
@roles("admin", "operator")
def lot(lot_id):
    """A lot: where it is, where it came from, what was made of it, and its movements."""
    lot = db.session.get(Lot, lot_id) or abort(404)
    days = current_app.config["EXPIRY_WARNING_DAYS"]
    rows, _total = stock_rows({"lot_id": lot.id}, warning_days=days)
    return render_template("warehouse/lot.html", lot=lot, family=genealogy(lot), rows=rows,
                           movements=movement_history([lot.id]), today=clock.today())


@bp.route("/lots/<int:lot_id>/recall")
@roles("admin", "operator")
def lot_recall(lot_id):
    """The recall of a lot: forward to every unit, place and sale; back to the reception."""
    lot = db.session.get(Lot, lot_id) or abort(404)
    data = recall(lot)
    if request.args.get("format") == "csv":
        return _csv_response(recall_csv(data), f"recall-{lot.code}.csv")
    return render_template("warehouse/recall.html", r=data)
