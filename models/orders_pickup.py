"""Pre-orders picked up at a shop's till (the airport shop's travellers).

One scan of the order number hands the order over and takes the payment, in one
transaction: the parcel is made ready if it was not yet (confirmed → prepared → ready for
pick-up), the order is delivered through the ledger (the cooperatives owed, as at the till),
invoiced, and paid in full by the method the traveller chose. The payment belongs to the
cashier's open cash session at that shop, exactly as a till sale does: the session row is
taken with the sale's lock (a close waits for it, and a hand-over waiting on a close sees it
closed), so the cash counted at close matches the Z report. Without an open till the
hand-over is refused, as a sale is. Flushes, never commits.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from models.errors import DomainError, NotFound, ValidationFailed
from models.orders import Order, order_by_number
from models.orders_invoices import invoice_order, record_payment, tax_rate
from models.orders_posting import WrongState, deliver_order, lock_order, prepare_order, ship_order
from models.sales import PAYMENT_METHODS
from models.sales_posting import till_context
from models.types import money

# The states in which a pick-up waits at the shop for its traveller.
WAITING_STATES = ("confirmed", "prepared", "ready_for_pickup")


def find_pickup(text):
    """The pick-up order a scanned or typed number names (CMD-000123, 123, a scanner's ]C0
    prefix dropped), or None."""
    text = (text or "").strip()
    if len(text) > 3 and text[0] == "]" and text[1] in "CcEeQd":
        text = text[3:].strip()
    order = order_by_number(text)
    return order if order is not None and order.fulfilment == "pickup" else None


def waiting_count(location_id):
    """How many pick-up orders wait at a shop (shown on its till)."""
    return db.session.execute(select(func.count(Order.id)).where(
        Order.fulfilment == "pickup", Order.state.in_(WAITING_STATES),
        Order.location_id == location_id)).scalar()


def amount_due(order):
    """What the traveller pays for a waiting pick-up: each line's packed quantity (reserved
    while not packed yet) at its frozen price, with the category's VAT (what the invoice will
    say)."""
    total = Decimal(0)
    for line in order.lines:
        qty = sum((held.reserved if held.packed is None else held.packed for held in line.lots),
                  Decimal(0))
        net = money(qty * line.unit_price)
        total += net + money(net * tax_rate(line.product.category))
    return total


def hand_over_at_till(order_id, *, location_id, cashier_id, method):
    """Hand a waiting pick-up over at the till of `cashier_id` at `location_id` and take its
    payment there. Returns (order, invoice, payment).

    Refused: an unknown payment method (422), another shop's order (409 `wrong_shop`), an
    order not waiting (409 `wrong_state`), no open till for this cashier at this shop (409
    `no_open_session`, nothing written)."""
    if method not in PAYMENT_METHODS:
        raise ValidationFailed(_("Unknown payment method."), fields={"method": [str(method)]})
    order = lock_order(order_id)
    if order.fulfilment != "pickup":
        raise NotFound(_("No pick-up order has this number."))
    if order.location_id != location_id:
        raise DomainError(_("Order %(number)s is picked up at %(shop)s, not here.",
                            number=order.number, shop=order.location.name_fr), code="wrong_shop")
    if order.state not in WAITING_STATES:
        raise WrongState(_("Order %(number)s is not waiting for pick-up.", number=order.number),
                         fields={"state": order.state})
    till = till_context(location_id, cashier_id)
    if till is None:
        raise DomainError(_("Open the till (a cash session) at this shop before handing over a "
                            "pre-order: its payment belongs to the till's day."),
                          code="no_open_session")
    if order.state == "confirmed":
        prepare_order(order.id, user_id=cashier_id)
    if order.state == "prepared":
        ship_order(order.id, user_id=cashier_id)
    deliver_order(order.id, user_id=cashier_id)
    invoice = invoice_order(order.id, user_id=cashier_id)
    payment = record_payment(invoice.id, amount=invoice.total, method=method,
                             reference=order.number, user_id=cashier_id,
                             cash_session_id=till.session_id)
    return order, invoice, payment

