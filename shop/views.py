"""Shop pages: the cashier's tills, the POS screen, receipts, refunds and Z reports.

Each page validates its form, calls one service, commits once and redirects; the POS screen
itself talks to the API (static/js/pos.js) with the session cookie and the CSRF header.
"""
from decimal import Decimal, InvalidOperation

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from auth.access import roles
from web.scope import shop_scope, visible_sale, visible_session
from extensions import db
from web.database import writes
from models.sales_cash_sessions import close_session, current_session, open_session
from models.errors import DomainError
from models.sales_posting import mark_printed
from models.sales_refunds import RefundLineRequest, refund_sale
from models.sales import CashSession, Sale
from models.stock import KIND_SHOP, Location
from shop import bp
from shop.forms import CloseTillForm, OpenTillForm, RefundForm
from web.labels import PAYMENT_METHOD_LABELS as METHOD_LABELS
from web.labels import UOM_LABELS
from shop.receipt_data import local_time, receipt_data, z_context
from web.digits import normalize_digits


def my_shops():
    """The shops this user works at (all active shops for an admin)."""
    if current_user.role == "admin":
        return db.session.execute(select(Location).where(Location.kind == KIND_SHOP, Location.active)
                                  .order_by(Location.name_fr)).scalars().all()
    return sorted(current_user.shops, key=lambda s: s.name_fr)


def shop_or_404(location_id):
    """A shop location (404 for anything else)."""
    loc = db.session.get(Location, location_id)
    if loc is None or loc.kind != KIND_SHOP:
        abort(404)
    return loc






@bp.route("/")
@roles("cashier", "admin")
def index():
    """The cashier's shops, each with its open till (or a form to open one) and recent tills."""
    shops = my_shops()
    sessions = {s.id: current_session(s.id, current_user.id) for s in shops}
    recent = db.session.execute(
        select(CashSession).where(CashSession.cashier_id == current_user.id)
        .order_by(CashSession.id.desc()).limit(10)).scalars().all()
    from models.transfers import Transfer

    incoming = db.session.execute(
        select(Transfer).where(Transfer.state == "dispatched",
                               Transfer.to_location_id.in_([s.id for s in shops] or [0]))
        .order_by(Transfer.dispatched_at)).scalars().all()
    return render_template("shop/index.html", shops=shops, sessions=sessions, recent=recent,
                           form=OpenTillForm(), local_time=local_time, incoming=incoming)


@bp.route("/<int:location_id>/open", methods=["POST"])
@shop_scope
@roles("cashier", "admin")
def open_till(location_id):
    """Open the till with the counted opening float, then go to the POS screen."""
    shop_or_404(location_id)
    form = OpenTillForm()
    if not form.validate_on_submit():
        flash(_("Enter the opening float in MAD."), "danger")
        return redirect(url_for("shop.index"))
    try:
        open_session(location_id=location_id, cashier_id=current_user.id,
                     opening_float=form.opening_float.data)
        db.session.commit()
    except (DomainError, IntegrityError) as exc:
        db.session.rollback()
        flash(getattr(exc, "message", _("Your till is already open at this shop.")), "warning")
    return redirect(url_for("shop.pos", location_id=location_id))


@bp.route("/<int:location_id>/pos")
@shop_scope
@roles("cashier", "admin")
def pos(location_id):
    """The POS screen: scan, search, quantities, discounts, payment, all from the keyboard."""
    shop = shop_or_404(location_id)
    session = current_session(location_id, current_user.id)
    if session is None:
        flash(_("Open the till before selling."), "warning")
        return redirect(url_for("shop.index"))
    max_rate = Decimal(current_app.config["MAX_LINE_DISCOUNT_RATE"])
    from shop.offline_views import offline_context

    from models.orders_pickup import waiting_count

    return render_template("shop/pos.html", shop=shop, session=session, max_rate=max_rate,
                           messages=pos_messages(), offline=offline_context(shop),
                           pickups_waiting=waiting_count(location_id))


def pos_messages():
    """The POS script's strings, translated here (the script has no catalogue of its own)."""
    return {
        "empty": _("Scan an item or search by name."),
        "added": _("Added"), "unknown": _("Unknown code"),
        "offline": _("Connection lost: the cart is kept. Try again."),
        "posted": _("Sale recorded"), "change": _("Change"),
        "short": _("The payments do not cover the total."),
        "discount_max": _("Discount above the allowed limit"),
        "remove": _("Remove"), "lot": _("Lot"), "no_results": _("No product found."),
        "confirm_new": _("Start a new sale and drop this cart?"),
        "receipt": _("Print receipt"), "new_sale": _("New sale"),
        "more_than_stock": _("Only %(n)s left of this lot here."),
        "quantity": _("Quantity"), "discount": _("Discount (MAD)"), "total": _("Total"), "price": _("Price"),
        "mad": _("MAD"), "discount_ok": _("Discount applied"), "quantity_ok": _("Quantity changed"),
        "results": _("Products found: %(n)s. Arrow keys to choose, Enter to add."),
        "bad_number": _("Type a number, for example 12.5"),
        "units": {code: str(label) for code, label in UOM_LABELS.items()},
        **lot_picker_messages(),
    }


def _difference_confirmed(form, session):
    """A count that differs from the expected cash by more than CASH_DIFFERENCE_CONFIRM_THRESHOLD
    closes only once the cashier ticks the confirmation (a message beside the amount first)."""
    from models.sales_cash_sessions import z_report
    from web.locale import money

    expected = z_report(session)["expected_cash"]
    difference = form.counted_cash.data - expected
    if abs(difference) <= current_app.config["CASH_DIFFERENCE_CONFIRM_THRESHOLD"] \
            or form.confirm_difference.data:
        return True
    form.counted_cash.errors = list(form.counted_cash.errors) + [
        _("The count differs from the expected cash (%(expected)s MAD) by %(difference)s MAD. "
          "Count again, or tick the confirmation.", expected=money(expected), difference=money(difference))]
    return False


def lot_picker_messages():
    """The strings of static/js/lot_picker.js."""
    return {"choose_lot": _("Several lots of this product are here: choose the one in hand "
                            "(arrows, then Enter)."),
            "cooperative": _("Cooperative"), "best_before": _("Best before"),
            "on_hand": _("On hand")}


@bp.route("/sessions/<int:session_id>/close", methods=["GET", "POST"])
@roles("cashier", "admin")
def close_till(session_id):
    """Count the drawer and close the till; then the Z report."""
    session = visible_session(session_id)
    if session.closed_at is not None:
        return redirect(url_for("shop.z_report_page", session_id=session_id))
    form = CloseTillForm()
    if form.validate_on_submit() and _difference_confirmed(form, session):
        try:
            close_session(session_id=session_id, counted_cash=form.counted_cash.data,
                          note=form.note.data)
            db.session.commit()
            flash(_("Till closed."), "success")
            return redirect(url_for("shop.z_report_page", session_id=session_id))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    status = 422 if request.method == "POST" else 200
    from models.sales_offline import queued_on_session

    return render_template("shop/close.html", form=form, session=session, z=z_context(session),
                           queued=queued_on_session(session.id)), status


@bp.route("/sessions/<int:session_id>/z")
@roles("cashier", "admin")
def z_report_page(session_id):
    """The Z report, print-friendly (an X report while the till is open)."""
    session = visible_session(session_id)
    return render_template("shop/z_report.html", z=z_context(session), session=session,
                           methods=METHOD_LABELS)


@bp.route("/<int:location_id>/sales")
@shop_scope
@roles("cashier", "admin")
def sales(location_id):
    """The shop's latest sales, for reprints and refunds; `?q=` finds a receipt by its number
    (or part of it). A scan of the receipt's barcode names one sale: its refund screen opens."""
    shop = shop_or_404(location_id)
    q = receipt_query(request.args.get("q"))
    query = select(Sale).where(Sale.location_id == location_id)
    if q:
        exact = db.session.execute(query.where(func.upper(Sale.number) == q.upper())).scalars().first()
        if exact is not None:
            return redirect(url_for("shop.refund", sale_id=exact.id))
        like = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Sale.number.ilike(f"%{like}%", escape="\\"))
    rows = db.session.execute(query.order_by(Sale.id.desc()).limit(50)).scalars().all()
    return render_template("shop/sales.html", shop=shop, rows=rows, local_time=local_time, q=q)


def receipt_query(text):
    """What was typed or scanned in the sales search: digits made Latin, the scanner's
    symbology prefix (]C0 for Code 128) and surrounding spaces dropped."""
    text = normalize_digits(text or "").strip()[:60]
    if len(text) > 3 and text[0] == "]" and text[1] in "CcEeQd":
        text = text[3:].strip()
    return text


@bp.route("/sales/<int:sale_id>/receipt")
@roles("cashier", "admin")
@writes
def receipt(sale_id):
    """The receipt as a print-friendly page; every print after the first is marked a copy."""
    visible_sale(sale_id)
    db.session.commit()  # end the read transaction: the print count is written in a fresh one
    copy = mark_printed(sale_id)
    db.session.commit()
    return render_template("shop/receipt.html", r=receipt_data(sale_id), copy=copy,
                           methods=METHOD_LABELS, autoprint=request.args.get("print") == "1")


@bp.route("/sales/<int:sale_id>/refund", methods=["GET", "POST"])
@roles("cashier", "admin")
def refund(sale_id):
    """Refund some lines of a sale: quantity per line, restock or write off, a reason."""
    sale = visible_sale(sale_id)
    form = RefundForm()
    data = receipt_data(sale_id)
    if form.validate_on_submit():
        try:
            lines = _refund_lines(data["lines"])
            refund_sale(sale_id=sale_id, user_id=current_user.id, lines=lines,
                        reason=form.reason.data, method=form.method.data)
            db.session.commit()
            flash(_("Refund recorded."), "success")
            return redirect(url_for("shop.receipt", sale_id=sale_id))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            data = receipt_data(sale_id)
    status = 422 if request.method == "POST" else 200
    return render_template("shop/refund.html", form=form, r=data, sale=sale), status


def _refund_lines(lines):
    """The qty-<id> / restock-<id> inputs of the refund form, as refund requests."""
    wanted = []
    for line in lines:
        raw = normalize_digits(request.form.get(f"qty-{line['id']}") or "").strip().replace(",", ".")
        if not raw:
            continue
        try:
            qty = Decimal(raw)
        except InvalidOperation:
            raise DomainError(_("Refund quantities must be positive."), status=422)
        if qty == 0:
            continue
        wanted.append(RefundLineRequest(line["id"], qty, request.form.get(f"restock-{line['id']}") == "1"))
    if not wanted:
        raise DomainError(_("Choose at least one line to refund."), status=422)
    return wanted
