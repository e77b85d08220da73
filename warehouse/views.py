"""Warehouse pages: dashboard, receptions, packaging runs and labels.
Each POST: validate the form → call the service → commit once → redirect."""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.access import roles
from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.errors import DomainError
from models.warehouse_packaging import package
from models.warehouse_receptions import receive
from models.stock import KIND_WAREHOUSE, Location, Lot, StockBalance
from models.stock_traceability import expiry_counts
from models.warehouse import PackagingRun, Reception
from models import clock
from warehouse import bp
from warehouse.forms import LabelForm, PackagingForm, ReceptionForm
from warehouse.reception_pdf import reception_receipt_pdf
from web.inputs import content_disposition


def _warehouse_choices():
    """Active warehouse locations for a select."""
    return [(x.id, x.name(_locale())) for x in db.session.execute(
        select(Location).where(Location.kind == KIND_WAREHOUSE, Location.active.is_(True))
        .order_by(Location.code)).scalars()]


def _locale():
    """The page's language code."""
    from flask_babel import get_locale

    return str(get_locale() or "fr")


def _product_choices(kind=None):
    """Active products (optionally of one kind) for a select, with a blank first."""
    query = select(Product).where(Product.active.is_(True)).order_by(Product.name_fr)
    if kind:
        query = query.where(Product.kind == kind)
    return [("", "—")] + [(p.id, f"{p.name(_locale())} ({p.sku})") for p in db.session.execute(query).scalars()]


def _show_errors(form, exc):
    """Put a service's field errors ("lines.0.quantity_rejected") on the form's fields."""
    unplaced = []
    for key, messages in exc.fields.items():
        target = form
        try:
            for part in key.split("."):
                target = target[int(part)].form if part.isdigit() else target[part]
            if not hasattr(target, "errors") or hasattr(target, "entries"):
                raise TypeError(key)  # a whole list or line: no field shows it, the alert does
            target.errors = list(target.errors or []) + list(messages)
        except (KeyError, IndexError, TypeError, AttributeError):
            unplaced.extend(messages if isinstance(messages, list) else [str(messages)])
    flash(" ".join([exc.message] + [str(m) for m in unplaced]), "danger")


@bp.route("/")
@roles("admin", "operator")
def index():
    """The operators' dashboard: what to do, what expires, the latest documents."""
    days = current_app.config["EXPIRY_WARNING_DAYS"]
    receptions = db.session.execute(select(Reception).order_by(Reception.id.desc()).limit(8)).scalars().all()
    runs = db.session.execute(select(PackagingRun).order_by(PackagingRun.id.desc()).limit(8)).scalars().all()
    return render_template("warehouse/index.html", receptions=receptions, runs=runs,
                           counts=expiry_counts(clock.today(), days), days=days)


@bp.route("/receptions")
@roles("admin", "operator")
def receptions():
    """Receptions, newest first."""
    rows = db.session.execute(select(Reception).order_by(Reception.id.desc()).limit(200)).scalars().all()
    return render_template("warehouse/receptions.html", rows=rows)


@bp.route("/receptions/new", methods=["GET", "POST"])
@roles("admin", "operator")
def reception_new():
    """Record a delivery from a cooperative."""
    form = ReceptionForm()
    form.cooperative_id.choices = [("", "—")] + [(c.id, c.name(_locale())) for c in db.session.execute(
        select(Cooperative).where(Cooperative.active.is_(True)).order_by(Cooperative.name_fr)).scalars()]
    form.location_id.choices = _warehouse_choices()
    products = _product_choices()
    for line in form.lines:
        line.form.product_id.choices = products
    if form.validate_on_submit():
        lines = [{k: v for k, v in line.data.items()} for line in form.lines if line.data["product_id"]]
        try:
            reception = receive(cooperative_id=form.cooperative_id.data, location_id=form.location_id.data,
                                lines=lines, user_id=current_user.id, note=form.note.data)
        except DomainError as exc:
            db.session.rollback()
            # Line indexes of the service count only the filled lines: map them back.
            filled = [i for i, line in enumerate(form.lines) if line.data["product_id"]]
            exc.fields = {(_remap(k, filled)): v for k, v in exc.fields.items()}
            _show_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Reception %(number)s recorded.", number=reception.number), "success")
            return redirect(url_for("warehouse.reception", reception_id=reception.id))
    status = 422 if request.method == "POST" else 200
    return render_template("warehouse/reception_form.html", form=form), status


def _remap(key, filled):
    """"lines.1.x" (index among the filled lines) → "lines.<form index>.x"."""
    parts = key.split(".")
    if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(filled):
        parts[1] = str(filled[int(parts[1])])
    return ".".join(parts)


@bp.route("/receptions/<int:reception_id>")
@roles("admin", "operator")
def reception(reception_id):
    """A reception, its lines and lots, and its deposit receipt."""
    rec = db.session.get(Reception, reception_id) or abort(404)
    return render_template("warehouse/reception.html", rec=rec)


@bp.route("/receptions/<int:reception_id>/receipt.pdf")
@roles("admin", "operator")
def reception_receipt(reception_id):
    """The deposit receipt PDF."""
    rec = db.session.get(Reception, reception_id) or abort(404)
    return Response(reception_receipt_pdf(rec), mimetype="application/pdf",
                    headers={"Content-Disposition": content_disposition("inline", f"{rec.number}.pdf")})


@bp.route("/packaging")
@roles("admin", "operator")
def packaging_runs():
    """Packaging runs, newest first."""
    rows = db.session.execute(select(PackagingRun).order_by(PackagingRun.id.desc()).limit(200)).scalars().all()
    return render_template("warehouse/packaging_runs.html", rows=rows)


def _bulk_lot_choices():
    """Bulk lots on hand at warehouse locations, first-expired first."""
    rows = db.session.execute(
        select(Lot, Location, StockBalance.quantity)
        .join(StockBalance, StockBalance.lot_id == Lot.id).join(Location, Location.id == StockBalance.location_id)
        .join(Product, Product.id == Lot.product_id)
        .where(StockBalance.quantity > 0, Location.kind == KIND_WAREHOUSE, Product.kind == "bulk")
        .order_by(Lot.best_before.is_(None), Lot.best_before, Lot.code)).all()
    return [("", "—")] + [(lot.id, f"{lot.code} · {lot.product.name(_locale())} · {lot.cooperative.name(_locale())}"
                                    f" · {qty.normalize():f} {lot.product.uom} @ {loc.code}")
                          for lot, loc, qty in rows]


@bp.route("/packaging/new", methods=["GET", "POST"])
@roles("admin", "operator")
def packaging_new():
    """Package bulk lots into units."""
    form = PackagingForm()
    form.location_id.choices = _warehouse_choices()
    form.output_product_id.choices = _product_choices("unit")
    lots = _bulk_lot_choices()
    for entry in form.inputs:
        entry.form.lot_id.choices = lots
    if request.method == "GET" and request.args.get("lot_id"):
        form.inputs[0].form.lot_id.data = int(request.args.get("lot_id", type=int) or 0)
    if form.validate_on_submit():
        filled = [i for i, e in enumerate(form.inputs) if e.data["lot_id"]]
        inputs = [form.inputs[i].data for i in filled]
        try:
            run = package(location_id=form.location_id.data, inputs=inputs,
                          output_product_id=form.output_product_id.data,
                          output_units=form.output_units.data, waste_quantity=form.waste_quantity.data,
                          best_before=form.best_before.data, user_id=current_user.id, note=form.note.data)
        except DomainError as exc:
            db.session.rollback()
            if exc.code == "insufficient_stock":
                exc.fields = {}
            exc.fields = {_remap(k, filled): v for k, v in exc.fields.items()}
            _show_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Packaging run %(number)s recorded: lot %(lot)s.", number=run.number,
                    lot=run.output_lot.code), "success")
            return redirect(url_for("warehouse.packaging_run", run_id=run.id))
    status = 422 if request.method == "POST" else 200
    return render_template("warehouse/packaging_form.html", form=form), status


@bp.route("/packaging/<int:run_id>")
@roles("admin", "operator")
def packaging_run(run_id):
    """A packaging run: inputs, waste, output lot and yield."""
    run = db.session.get(PackagingRun, run_id) or abort(404)
    return render_template("warehouse/packaging_run.html", run=run)


@bp.route("/lots/<int:lot_id>/labels")
@roles("admin", "operator")
def labels(lot_id):
    """Choose how many labels, which layout, and where to start on a used sheet."""
    lot = db.session.get(Lot, lot_id) or abort(404)
    units = db.session.execute(
        select(PackagingRun.output_units).where(PackagingRun.output_lot_id == lot.id)).scalar()
    form = LabelForm(request.args, copies=units or 1)
    pdf_url = None
    if request.args and form.validate():
        pdf_url = url_for("warehouse_api.lot_labels", lot_id=lot.id, copies=form.copies.data,
                          layout=form.layout.data, start=form.start.data or 1,
                          price=1 if form.price.data else 0)
    return render_template("warehouse/labels.html", lot=lot, form=form, pdf_url=pdf_url)
