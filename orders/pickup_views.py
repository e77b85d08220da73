"""Pre-orders picked up at a shop (the airport shop's travellers): the cashier's screen lists
the orders waiting at their shops, and one scan of the order number hands it over and takes
the payment: delivered (stock out through the ledger, cooperatives owed), invoiced and paid
in one transaction."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length

from auth.access import roles
from extensions import db
from models import orders_invoices, orders_posting
from models.errors import DomainError
from models.orders import Order
from orders import bp
from web.scope import SHOP_ROLES, STAFF, my_shop_ids, visible_order

WAITING = ("confirmed", "prepared", "ready_for_pickup")


class HandOverForm(FlaskForm):
    """The scanned order number and how the traveller pays."""

    number = StringField(_l("Order number"), validators=[DataRequired(), Length(max=40)])
    method = SelectField(_l("Payment"), choices=[("cash", _l("Cash")), ("card", _l("Card")),
                                                 ("mobile", _l("Mobile money"))])


def waiting_pickups(shop_ids=None):
    """Pick-up orders not yet handed over, at the given shops (None: every shop)."""
    query = (select(Order).where(Order.fulfilment == "pickup", Order.state.in_(WAITING))
             .order_by(Order.id))
    if shop_ids is not None:
        query = query.where(Order.location_id.in_(shop_ids or {0}))
    return db.session.execute(query).scalars().all()


@bp.route("/pickups", methods=["GET", "POST"])
@roles(*SHOP_ROLES)
def pickups():
    """The pick-ups waiting at this cashier's shops; scan an order number to hand it over and
    take the payment."""
    form = HandOverForm()
    if form.validate_on_submit():
        order = orders_posting.order_by_number(form.number.data)
        if order is None or order.fulfilment != "pickup":
            flash(_("No pick-up order has this number."), "danger")
            return redirect(url_for("orders.pickups"))
        visible_order(order.id, pickup_at_till=True)  # a cashier: only at their own shops
        try:
            orders_posting.deliver_order(order.id, user_id=current_user.id)
            invoice = orders_invoices.invoice_order(order.id, user_id=current_user.id)
            orders_invoices.record_payment(invoice.id, amount=invoice.total,
                                           method=form.method.data, user_id=current_user.id,
                                           reference=order.number)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("orders.pickups"))
        db.session.commit()
        flash(_("%(number)s handed over to %(name)s and paid: %(total)s MAD.",
                number=order.number, name=order.buyer.name, total=invoice.total), "success")
        return redirect(url_for("orders.pickups"))
    if request.method == "POST":
        flash(_("Scan or type the order number."), "danger")
    shops = None if current_user.role in STAFF else my_shop_ids()
    return render_template("orders/pickups.html", rows=waiting_pickups(shops), form=form)
