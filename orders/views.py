"""Staff pages of the orders (admins and warehouse operators): the orders, drafting one for a
buyer, its confirmation, the pick list scanned lot by lot, shipping, the delivery with what
was handed over, cancellation, and the delivery note. Each POST: validate → service →
commit once → redirect."""
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.access import roles
from extensions import db
from models import orders_drafts, orders_posting
from models.catalogue import Product
from models.errors import DomainError, NotFound
from models.orders import ORDER_STATES, Buyer, Order
from models.orders_audit import order_history
from models.stock_codes import ChooseLot, resolve_lot
from orders import bp, documents_pdf
from orders.forms import CancelForm, OrderForm, PackForm
from orders.labels import state_labels  # noqa: F401  (context processor)
from web.api import pdf_response
from web.locale import AmountError, parse_amount
from web.scope import STAFF, cancellable_order, is_staff, visible_order


def platform_identity():
    """The platform's legal identity for documents, from configuration."""
    cfg = current_app.config
    return {"name": cfg.get("PLATFORM_LEGAL_NAME"), "address": cfg.get("PLATFORM_ADDRESS"),
            "ice": cfg.get("PLATFORM_ICE"), "if": cfg.get("PLATFORM_IF"), "rc": cfg.get("PLATFORM_RC")}


def _locale():
    from flask_babel import get_locale

    return str(get_locale() or "fr")


def product_choices():
    """Active products with a price, in the reader's language."""
    products = db.session.execute(select(Product).where(
        Product.active.is_(True), Product.retail_price.isnot(None))
        .order_by(Product.name_fr)).scalars().all()
    return [(0, "—")] + [(p.id, p.name(_locale())) for p in products]


def form_lines(rows):
    """The filled rows as service lines, with the map back to row indexes."""
    lines, index_map = [], {}
    for index, row in rows.filled():
        index_map[len(lines)] = index
        lines.append({"product_id": row.form.product_id.data, "quantity": row.form.quantity.data})
    return lines, index_map


@bp.route("/")
@roles(*STAFF)
def index():
    """Orders, newest first, filtered by state."""
    state = request.args.get("state")
    query = select(Order).order_by(Order.id.desc()).limit(200)
    if state in ORDER_STATES:
        query = query.where(Order.state == state)
    rows = db.session.execute(query).scalars().all()
    return render_template("orders/index.html", rows=rows, state=state, states=ORDER_STATES)


@bp.route("/new", methods=["GET", "POST"])
@roles(*STAFF)
def new():
    """Draft an order for a buyer."""
    form = OrderForm()
    form.buyer_id.choices = [(b.id, b.name) for b in db.session.execute(
        select(Buyer).where(Buyer.active.is_(True)).order_by(Buyer.name)).scalars()]
    form.location_id.choices = [(loc.id, loc.name(_locale()))
                                for loc in orders_drafts.serving_locations()]
    choices = product_choices()
    if request.method == "GET":
        while len(form.lines) < 6:
            form.lines.append_entry()
    for row in form.lines:
        row.form.product_id.choices = choices
    if form.validate_on_submit():
        lines, index_map = form_lines(form.lines)
        try:
            order = orders_drafts.create_order(
                buyer_id=form.buyer_id.data, location_id=form.location_id.data,
                fulfilment=form.fulfilment.data, lines=lines, user_id=current_user.id,
                note=form.note.data, delivery_address=form.delivery_address.data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            _line_errors(exc, form.lines, index_map)
        else:
            db.session.commit()
            flash(_("Order %(number)s drafted.", number=order.number), "success")
            return redirect(url_for("orders.detail", order_id=order.id))
    status = 422 if request.method == "POST" else 200
    return render_template("orders/new.html", form=form), status


def _line_errors(exc, rows, index_map):
    """Per-line messages of a refused order, on the rows typed."""
    lines = exc.fields.get("lines") if isinstance(exc.fields, dict) else None
    if not isinstance(lines, dict):
        return
    for index, problems in lines.items():
        if not str(index).isdigit():
            continue
        row_index = index_map.get(int(index), int(index))
        if row_index < len(rows):
            text = problems.get("message") if isinstance(problems, dict) else " ".join(map(str, problems))
            row = rows[row_index]
            row["quantity"].errors = list(row["quantity"].errors) + [text]


@bp.route("/<int:order_id>")
@roles(*STAFF, "buyer")
def detail(order_id):
    """An order: its lines, the lots reserved and packed, the actions its state allows."""
    order = visible_order(order_id)
    staff = is_staff()
    packed_of = {line.id: sum((held.packed or Decimal(0) for held in line.lots), Decimal(0))
                 for line in order.lines}
    return render_template("orders/detail.html", order=order, staff=staff, packed_of=packed_of,
                           pick_list=orders_posting.pick_list(order) if staff else [],
                           cancel_form=CancelForm(), pack_form=PackForm(),
                           invoices=_invoices_of(order),
                           history=order_history(order) if staff else [])


def _invoices_of(order):
    from models.orders import Invoice

    return db.session.execute(select(Invoice).where(Invoice.order_id == order.id)
                              .order_by(Invoice.id)).scalars().all()


def _transition(order_id, action, done_message, **kwargs):
    """Run one transition service, commit, say so; a refusal is flashed."""
    visible_order(order_id)
    try:
        result = action(order_id, user_id=current_user.id, **kwargs)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        lines = exc.fields.get("lines") if isinstance(exc.fields, dict) else None
        if isinstance(lines, dict):
            for problem in lines.values():
                if isinstance(problem, dict) and problem.get("message"):
                    flash(problem["message"], "warning")
        return None
    db.session.commit()
    flash(done_message, "success")
    return result


@bp.route("/<int:order_id>/confirm", methods=["POST"])
@roles(*STAFF)
def confirm(order_id):
    """Confirm: reserve the lots; `partial=1` reserves what there is and back-orders the rest."""
    partial = request.form.get("partial") == "1"
    result = _transition(order_id, orders_posting.confirm_order,
                         _("Order confirmed: the stock is reserved."), partial=partial)
    if result and result[1] is not None:
        flash(_("The rest is back-ordered as %(number)s.", number=result[1].number), "info")
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.route("/<int:order_id>/pack", methods=["POST"])
@roles(*STAFF)
def pack(order_id):
    """A scanned lot into the parcel: the same resolver as the till reads the code."""
    order = visible_order(order_id)
    form = PackForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "danger")
        return redirect(url_for("orders.detail", order_id=order_id))
    try:
        item = resolve_lot(form.code.data.strip(), order.location_id)
        orders_posting.pack(order.id, lot_id=item.lot_id, quantity=form.quantity.data)
    except ChooseLot as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    except (NotFound, DomainError) as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Packed: %(lot)s.", lot=item.lot_code), "success")
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.route("/<int:order_id>/prepare", methods=["POST"])
@roles(*STAFF)
def prepare(order_id):
    """The parcel is ready."""
    _transition(order_id, orders_posting.prepare_order, _("Order prepared."))
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.route("/<int:order_id>/ship", methods=["POST"])
@roles(*STAFF)
def ship(order_id):
    """Shipped (delivery) or ready for pick-up (at the shop)."""
    _transition(order_id, orders_posting.ship_order, _("Order on its way (or ready for pick-up)."))
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.route("/<int:order_id>/deliver", methods=["POST"])
@roles(*STAFF)
def deliver(order_id):
    """Delivered, with what was handed over per line (`handed-<line id>`, French commas read)."""
    order = visible_order(order_id)
    handed = {}
    for line in order.lines:
        raw = request.form.get(f"handed-{line.id}")
        if raw is None:
            continue
        try:
            value = parse_amount(raw, places=3)
        except AmountError:
            flash(_("%(product)s: not a number.", product=line.product.name(_locale())), "danger")
            return redirect(url_for("orders.detail", order_id=order_id))
        if value is not None and value < 0:
            flash(_("Quantity must be positive."), "danger")
            return redirect(url_for("orders.detail", order_id=order_id))
        handed[line.id] = value if value is not None else Decimal(0)
    _transition(order_id, orders_posting.deliver_order, _("Order delivered."), handed=handed)
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.route("/<int:order_id>/cancel", methods=["POST"])
@roles(*STAFF, "buyer")
def cancel(order_id):
    """Cancel with a reason (a buyer: only its own order, while it is a draft)."""
    order = cancellable_order(order_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Say why the order is cancelled."), "danger")
        return redirect(url_for("orders.detail", order_id=order_id))
    _transition(order_id, orders_posting.cancel_order, _("Order cancelled."), reason=form.reason.data)
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.route("/<int:order_id>/delivery-note.pdf")
@roles(*STAFF, "buyer")
def delivery_note(order_id):
    """The delivery note (French and Arabic) once the order is prepared."""
    order = visible_order(order_id)
    if order.state in ("draft", "confirmed", "cancelled"):
        abort(404)
    return pdf_response(documents_pdf.delivery_note(order, platform_identity()),
                        f"{order.number}-BL.pdf")
