"""The buyers' side and the staff's buyer pages.

A buyer user orders from a phone-first catalogue (what is available: on hand less what
other orders reserve) and follows its own orders; staff keep the buyers (legal identifiers,
payment terms, price list) and their users. The one visibility rule is web/scope.py."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from auth.access import roles
from extensions import db
from models import orders_drafts, orders_invoices
from models.errors import DomainError
from models.orders import Buyer, Order, PriceList
from models.users import User
from orders import bp
from orders.forms import BuyerForm, BuyerUserForm
from orders.queries import buyers_location, catalogue as catalogue_rows, count_orders
from web.digits import normalize_digits
from web.locale import AmountError, parse_amount
from web.scope import STAFF, only_my_buyer, visible_buyer

BUYER_FIELDS = ("kind", "name", "ice", "if_number", "rc", "address", "contact_name", "phone",
                "email", "payment_terms_days", "flight_date", "active")


@bp.route("/catalogue", methods=["GET", "POST"])
@roles("buyer")
def catalogue():
    """The buyer's catalogue: a quantity per product, one tap to send the order (a draft the
    platform confirms)."""
    buyer = db.session.get(Buyer, current_user.buyer_id)
    location = buyers_location()
    if buyer is None or location is None:
        abort(404)
    form = FlaskForm()
    rows = catalogue_rows(buyer, location.id)
    errors, typed = {}, {}
    if request.method == "POST" and form.validate_on_submit():
        lines = []
        for product, price, _free in rows:
            raw = (request.form.get(f"qty-{product.id}") or "").strip()
            if not raw:
                continue
            typed[product.id] = raw
            try:
                qty = parse_amount(raw, places=3)
            except AmountError as exc:
                errors[product.id] = str(exc)
                continue
            if qty is None or qty <= 0:
                errors[product.id] = _("Quantity must be positive.")
                continue
            lines.append({"product_id": product.id, "quantity": qty})
        note = (request.form.get("note") or "").strip()[:255]
        if not errors:
            try:
                order = orders_drafts.create_order(
                    buyer_id=buyer.id, location_id=location.id, lines=lines,
                    user_id=current_user.id, note=note or None)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
            else:
                db.session.commit()
                flash(_("Order %(number)s sent: the platform confirms it shortly.",
                        number=order.number), "success")
                return redirect(url_for("orders.detail", order_id=order.id))
        else:
            flash(_("Please correct the highlighted quantities."), "danger")
    elif request.method == "POST":
        flash(_("The form expired: please send it again."), "danger")
    status = 422 if request.method == "POST" else 200
    return render_template("orders/catalogue.html", rows=rows, buyer=buyer, form=form,
                           errors=errors, typed=typed), status


@bp.route("/mine")
@roles("buyer")
def mine():
    """The buyer's own orders, newest first."""
    rows = db.session.execute(only_my_buyer(select(Order).order_by(Order.id.desc()).limit(200),
                                            Order.buyer_id)).scalars().all()
    return render_template("orders/mine.html", rows=rows)


# --- staff: buyers -------------------------------------------------------------------------

@bp.route("/buyers")
@roles(*STAFF)
def buyers():
    """Every buyer, businesses first."""
    rows = db.session.execute(select(Buyer).order_by(Buyer.kind, Buyer.name)).scalars().all()
    return render_template("orders/buyers.html", rows=rows,
                           counts={b.id: count_orders(b.id) for b in rows})


def _buyer_form(buyer=None):
    form = BuyerForm(obj=buyer)
    form.price_list_id.choices = [(0, "—")] + [(p.id, p.name) for p in db.session.execute(
        select(PriceList).order_by(PriceList.name)).scalars()]
    if request.method == "GET" and buyer is not None:
        form.price_list_id.data = buyer.price_list_id or 0
    return form


def _save_buyer(form, buyer):
    for name in BUYER_FIELDS:
        value = getattr(form, name).data
        if isinstance(value, str):
            value = normalize_digits(value.strip()) or None
        setattr(buyer, name, value)
    buyer.payment_terms_days = form.payment_terms_days.data or 0
    buyer.active = bool(form.active.data)
    buyer.price_list_id = form.price_list_id.data or None
    if buyer.price_list_id and db.session.get(PriceList, buyer.price_list_id) is None:
        buyer.price_list_id = None
    db.session.add(buyer)


@bp.route("/buyers/new", methods=["GET", "POST"], defaults={"buyer_id": None})
@bp.route("/buyers/<int:buyer_id>/edit", methods=["GET", "POST"])
@roles(*STAFF)
def buyer_edit(buyer_id):
    """Create or change a buyer."""
    buyer = visible_buyer(buyer_id) if buyer_id else None
    form = _buyer_form(buyer)
    if form.validate_on_submit():
        target = buyer or Buyer()
        _save_buyer(form, target)
        db.session.commit()
        flash(_("Buyer saved."), "success")
        return redirect(url_for("orders.buyer", buyer_id=target.id))
    status = 422 if request.method == "POST" else 200
    return render_template("orders/buyer_edit.html", form=form, buyer=buyer), status


@bp.route("/buyers/<int:buyer_id>", methods=["GET", "POST"])
@roles(*STAFF)
def buyer(buyer_id):
    """A buyer: identity, balance, orders, users; a new user for it (POST)."""
    buyer = visible_buyer(buyer_id)
    user_form = BuyerUserForm()
    if user_form.validate_on_submit():
        username = user_form.username.data.strip()
        if db.session.execute(select(User.id).where(User.username == username)).scalar():
            user_form.username.errors = list(user_form.username.errors) + [_("Already used.")]
        else:
            user = User(username=username, full_name=user_form.full_name.data or None,
                        role="buyer", buyer_id=buyer.id, locale=user_form.locale.data or "fr")
            user.set_password(user_form.password.data)
            db.session.add(user)
            db.session.commit()
            flash(_("User %(name)s can now sign in and order.", name=username), "success")
            return redirect(url_for("orders.buyer", buyer_id=buyer.id))
    users = db.session.execute(select(User).where(User.buyer_id == buyer.id)
                               .order_by(User.username)).scalars().all()
    orders = db.session.execute(select(Order).where(Order.buyer_id == buyer.id)
                                .order_by(Order.id.desc()).limit(50)).scalars().all()
    status = 422 if request.method == "POST" else 200
    return render_template("orders/buyer.html", buyer=buyer, users=users, orders=orders,
                           balance=orders_invoices.buyer_balance(buyer.id),
                           user_form=user_form), status
