"""Cash sessions (the till): open with a float, close with the counted cash, the Z report.

Expected cash = opening float + cash handed over by customers − change given − cash
refunds paid out of this till + travellers' pre-orders paid in cash at this till
(models/orders_pickup.py). Flushes, never commits.
"""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from models.cooperatives import utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.orders import BuyerPayment, Invoice, Order
from models.sales import PAYMENT_METHODS, CashSession, Refund, Sale, SalePayment
from models.sales_numbers import take_number
from models.stock import KIND_SHOP, Location
from models.types import money


def _amount(value, name):
    """A non-negative amount to the centime, or a 422 on `name`."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount > Decimal("10000000"):
        raise ValidationFailed(_("Enter an amount in MAD (0 or more)."), fields={name: [_("Not a valid amount.")]})
    return money(amount)


def open_session(*, location_id, cashier_id, opening_float, at=None):
    """Open the till of a cashier at a shop; one open session per cashier per shop (409)."""
    opening_float = _amount(opening_float, "opening_float")
    kind = db.session.execute(select(Location.kind).where(Location.id == location_id)).scalar()
    if kind != KIND_SHOP:
        raise NotFound(_("No such shop."), code="unknown_shop")
    if current_session(location_id, cashier_id) is not None:
        raise DomainError(_("Your till is already open at this shop."), code="session_already_open")
    session = CashSession(location_id=location_id, cashier_id=cashier_id,
                          opening_float=opening_float, opened_at=at or utcnow())
    db.session.add(session)
    db.session.flush()
    return session


def current_session(location_id, cashier_id):
    """The cashier's open session at this shop, or None."""
    return db.session.execute(select(CashSession).where(
        CashSession.location_id == location_id, CashSession.cashier_id == cashier_id,
        CashSession.closed_at.is_(None))).scalar()


def z_report(session):
    """The figures of a session: sales, payments by method, discounts, refunds, cash."""
    count, subtotal, discounts, total, change = db.session.execute(select(
        func.count(Sale.id), func.coalesce(func.sum(Sale.subtotal), 0),
        func.coalesce(func.sum(Sale.discount_total), 0), func.coalesce(func.sum(Sale.total), 0),
        func.coalesce(func.sum(Sale.change), 0)).where(Sale.cash_session_id == session.id)).one()
    tendered = {m: Decimal(0) for m in PAYMENT_METHODS}
    for method, amount in db.session.execute(
            select(SalePayment.method, func.sum(SalePayment.amount))
            .join(Sale, Sale.id == SalePayment.sale_id)
            .where(Sale.cash_session_id == session.id).group_by(SalePayment.method)):
        tendered[method] = money(amount)
    refunds = {m: Decimal(0) for m in PAYMENT_METHODS}
    refund_count = 0
    for method, n, amount in db.session.execute(
            select(Refund.method, func.count(Refund.id), func.sum(Refund.total))
            .where(Refund.cash_session_id == session.id).group_by(Refund.method)):
        refunds[method] = money(amount)
        refund_count += n
    change = money(change)
    by_method = dict(tendered)
    by_method["cash"] = tendered["cash"] - change  # what cash sales really brought in
    preorders = session_preorders(session.id)
    preorders_by_method = {m: Decimal(0) for m in PAYMENT_METHODS}
    for row in preorders:
        preorders_by_method[row["method"]] = preorders_by_method.get(row["method"], Decimal(0)) \
            + row["amount"]
    expected = (money(session.opening_float) + tendered["cash"] - change - refunds["cash"]
                + preorders_by_method["cash"])
    refunds_total = sum(refunds.values(), Decimal(0))
    first_sale, last_sale = db.session.execute(
        select(func.min(Sale.seq), func.max(Sale.seq)).where(Sale.cash_session_id == session.id)).one()
    first_note, last_note = db.session.execute(
        select(func.min(Refund.seq), func.max(Refund.seq)).where(Refund.cash_session_id == session.id)).one()
    numbers = {}
    for model, low, high, key in ((Sale, first_sale, last_sale, "receipts"),
                                  (Refund, first_note, last_note, "credit_notes")):
        found = dict(db.session.execute(select(model.seq, model.number).where(
            model.location_id == session.location_id, model.seq.in_((low, high)))).all()) if low else {}
        numbers[f"first_{key[:-1]}"] = found.get(low)
        numbers[f"last_{key[:-1]}"] = found.get(high)
    return {
        "z_number": session.z_number, **numbers,
        "session_id": session.id, "location_id": session.location_id,
        "cashier_id": session.cashier_id, "opened_at": session.opened_at,
        "closed_at": session.closed_at, "opening_float": money(session.opening_float),
        "sales_count": count, "gross": money(subtotal), "discounts": money(discounts),
        "sales_total": money(total), "by_method": by_method, "cash_tendered": tendered["cash"],
        "change_given": change, "refunds_count": refund_count, "refunds_total": refunds_total,
        "refunds_by_method": refunds, "net_total": money(total) - refunds_total,
        "preorders": preorders, "preorders_count": len(preorders),
        "preorders_by_method": preorders_by_method,
        "preorders_total": sum(preorders_by_method.values(), Decimal(0)),
        "expected_cash": expected,
        "counted_cash": session.counted_cash, "difference": session.difference,
    }


def session_preorders(session_id):
    """The travellers' pre-orders paid at this till, in order: [{"order_number",
    "invoice_number", "method", "amount"}] (models/orders_pickup.py records them)."""
    rows = db.session.execute(
        select(Order.number, Invoice.number, BuyerPayment.method, BuyerPayment.amount)
        .join(Invoice, Invoice.id == BuyerPayment.invoice_id)
        .join(Order, Order.id == Invoice.order_id)
        .where(BuyerPayment.cash_session_id == session_id).order_by(BuyerPayment.id)).all()
    return [{"order_number": order_number, "invoice_number": invoice_number, "method": method,
             "amount": money(amount)} for order_number, invoice_number, method, amount in rows]


def lock_session(session_id):
    """The session row, locked so a close and a sale cannot interleave on PostgreSQL."""
    session = db.session.execute(select(CashSession).where(CashSession.id == session_id)
                                 .with_for_update()).scalar()
    if session is None:
        raise NotFound(_("No such cash session."))
    return session


def close_session(*, session_id, counted_cash, note=None, at=None):
    """Close a till: freeze the expected cash, the counted cash and the difference."""
    counted = _amount(counted_cash, "counted_cash")
    session = lock_session(session_id)
    if session.closed_at is not None:
        raise DomainError(_("This till is already closed."), code="session_closed")
    session.z_seq, session.z_number = take_number(session.location_id, "last_z_report")
    report = z_report(session)
    session.expected_cash = report["expected_cash"]
    session.counted_cash = counted
    session.difference = counted - report["expected_cash"]
    session.closed_at = at or utcnow()
    session.note = (note or "").strip()[:255] or None
    db.session.flush()
    return session
