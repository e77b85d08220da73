"""Pre-orders picked up at a shop (the airport shop's travellers): the cashier's screen lists
the orders waiting at their shops; a scan of the order number (here, or on the till's scan
box) opens the order with what is due, and one key hands it over and takes the payment in the
cashier's open till: delivered (stock out through the ledger, cooperatives owed), invoiced
and paid in one transaction (models/orders_pickup.py)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import DataRequired, Length

from auth.access import roles
from extensions import db
from models.errors import DomainError
from models.orders import Order
from models.orders_pickup import WAITING_STATES, amount_due, find_pickup, hand_over_at_till
from models.sales_cash_sessions import current_session
from orders import bp
from web.digits import normalize_digits
from web.scope import SHOP_ROLES, is_staff, my_shop_ids, visible_order


class HandOverForm(FlaskForm):
    """The scanned order number and how the traveller pays."""

    number = StringField(_l("Order number"), validators=[DataRequired(), Length(max=40)])
    method = RadioField(_l("Payment"), default="cash",
                        choices=[("cash", _l("Cash")), ("card", _l("Card")),
                                 ("mobile", _l("Mobile money"))])
    back = HiddenField()


def waiting_pickups(shop_ids=None):
    """Pick-up orders not yet handed over, at the given shops (None: every shop)."""
    query = (select(Order).where(Order.fulfilment == "pickup", Order.state.in_(WAITING_STATES))
             .order_by(Order.id))
    if shop_ids is not None:
        query = query.where(Order.location_id.in_(shop_ids or {0}))
    return db.session.execute(query).scalars().all()


def _back_to_till(order):
    """The till of the order's shop when the cashier came from it, else the pick-ups."""
    if request.form.get("back") == "till":
        return redirect(url_for("shop.pos", location_id=order.location_id))
    return redirect(url_for("orders.pickups"))


def _scanned(text):
    """The pick-up order a scan names, visible to this user (403 for another shop's)."""
    order = find_pickup(normalize_digits(text or "")[:40])
    if order is not None:
        visible_order(order.id, pickup_at_till=True)  # a cashier: only at their own shops
    return order


@bp.route("/pickups", methods=["GET", "POST"])
@roles(*SHOP_ROLES)
def pickups():
    """The pick-ups waiting at this cashier's shops; a scanned order number opens the order
    with what is due, and its button hands it over and takes the payment at the till."""
    form = HandOverForm()
    if form.validate_on_submit():
        order = _scanned(form.number.data)
        if order is None:
            flash(_("No pick-up order has this number."), "danger")
            return redirect(url_for("orders.pickups"))
        try:
            _order, invoice, payment = hand_over_at_till(
                order.id, location_id=order.location_id, cashier_id=current_user.id,
                method=form.method.data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("orders.pickups", number=order.number,
                                    back=request.form.get("back") or None))
        number, name, total = order.number, order.buyer.name, invoice.total
        db.session.commit()
        flash(_("%(number)s handed over to %(name)s and paid: %(total)s MAD.",
                number=number, name=name, total=total), "success")
        return _back_to_till(order)
    if request.method == "POST":
        flash(_("Scan or type the order number."), "danger")
    shops = None if is_staff() else my_shop_ids()
    opened = None
    if request.method == "GET" and request.args.get("number"):
        opened = _scanned(request.args["number"])
        if opened is None:
            flash(_("No pick-up order has this number."), "danger")
        else:
            form.number.data = opened.number
            form.back.data = "till" if request.args.get("back") == "till" else ""
    return render_template(
        "orders/pickups.html", rows=waiting_pickups(shops), form=form, opened=opened,
        due=amount_due(opened) if opened is not None else None,
        waiting=opened is not None and opened.state in WAITING_STATES,
        till_open=opened is not None
        and current_session(opened.location_id, current_user.id) is not None)
