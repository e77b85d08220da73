"""The orders' part of `flask integrity-check`: reservations never exceed stock, each
balance's reserved quantity equals what the orders hold, finished orders hold nothing, every
delivered lot of an order has its stock movement and its consignment entry, and pre-orders
paid at a till were paid at their own shop's."""
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models.consignment import ConsignmentEntry
from models.orders import DOC_ORDER, BuyerPayment, Invoice, Order, OrderLine, OrderLineLot
from models.sales import CashSession
from models.stock import StockBalance, StockMovement
from models.types import quantity as round_quantity


def _problem(problem, row, detail):
    return {"problem": problem, "row": row, "detail": detail}


def reservation_problems():
    """Balances reserving more than they hold, or whose reserved differs from the orders'."""
    problems = []
    held = {(r.lot_id, r.location_id): round_quantity(r.total or 0) for r in db.session.execute(
        select(OrderLineLot.lot_id, OrderLineLot.location_id,
               func.sum(OrderLineLot.reserved).label("total"))
        .group_by(OrderLineLot.lot_id, OrderLineLot.location_id))}
    kept = {}
    for r in db.session.execute(select(StockBalance.lot_id, StockBalance.location_id,
                                       StockBalance.quantity, StockBalance.reserved)
                                .where(StockBalance.reserved != 0)):
        kept[(r.lot_id, r.location_id)] = round_quantity(r.reserved)
        if r.reserved > r.quantity or r.reserved < 0:
            problems.append(_problem("reservation exceeds stock",
                                     f"lot {r.lot_id} at location {r.location_id}",
                                     f"reserved {r.reserved}, on hand {r.quantity}"))
    for key in sorted(held.keys() | kept.keys()):
        if held.get(key, Decimal(0)) != kept.get(key, Decimal(0)):
            problems.append(_problem("reservation differs from the orders",
                                     f"lot {key[0]} at location {key[1]}",
                                     f"balance reserves {kept.get(key, 0)}, orders hold "
                                     f"{held.get(key, 0)}"))
    return problems


def delivery_problems():
    """Delivered orders whose handed-over lots lack their movement or consignment entry,
    compared per order and lot (a lot missing on one line cannot hide behind another)."""
    problems = []
    delivered = {}
    for order_id, lot_id, qty in db.session.execute(
            select(Order.id, OrderLineLot.lot_id, func.sum(OrderLineLot.delivered))
            .join(OrderLine, OrderLine.order_id == Order.id)
            .join(OrderLineLot, OrderLineLot.line_id == OrderLine.id)
            .where(Order.state.in_(("delivered", "invoiced")), OrderLineLot.delivered > 0)
            .group_by(Order.id, OrderLineLot.lot_id)):
        delivered[(order_id, lot_id)] = round_quantity(qty)
    moved = {(doc, lot): round_quantity(qty) for doc, lot, qty in db.session.execute(
        select(StockMovement.document_id, StockMovement.lot_id, func.sum(StockMovement.quantity))
        .where(StockMovement.document_type == DOC_ORDER, StockMovement.kind == "sale")
        .group_by(StockMovement.document_id, StockMovement.lot_id))}
    owed = {(doc, lot): round_quantity(qty) for doc, lot, qty in db.session.execute(
        select(ConsignmentEntry.document_id, ConsignmentEntry.lot_id,
               func.sum(ConsignmentEntry.quantity))
        .where(ConsignmentEntry.document_type == DOC_ORDER, ConsignmentEntry.kind == "sale")
        .group_by(ConsignmentEntry.document_id, ConsignmentEntry.lot_id))}
    for key in sorted(delivered.keys() | moved.keys() | owed.keys()):
        qty = delivered.get(key, Decimal(0))
        row = f"order {key[0]}, lot {key[1]}"
        if moved.get(key, Decimal(0)) != qty:
            problems.append(_problem("delivered order without its movements", row,
                                     f"delivered {qty}, moved {moved.get(key, 0)}"))
        if owed.get(key, Decimal(0)) != qty:
            problems.append(_problem("delivered order without its consignment entries", row,
                                     f"delivered {qty}, entries for {owed.get(key, 0)}"))
    return problems


def settled_reservation_problems():
    """Orders delivered, invoiced or cancelled that still hold a reservation."""
    return [_problem("finished order still holding a reservation", f"order {order_id}",
                     f"state {state}, reserved {round_quantity(qty)}")
            for order_id, state, qty in db.session.execute(
                select(Order.id, Order.state, func.sum(OrderLineLot.reserved))
                .join(OrderLine, OrderLine.order_id == Order.id)
                .join(OrderLineLot, OrderLineLot.line_id == OrderLine.id)
                .where(Order.state.in_(("delivered", "invoiced", "cancelled")))
                .group_by(Order.id, Order.state)
                .having(func.sum(OrderLineLot.reserved) != 0))]


def till_payment_problems():
    """Pre-order payments taken at a till that is not of the order's shop."""
    rows = db.session.execute(
        select(BuyerPayment.id, Order.number, Order.location_id, CashSession.location_id)
        .join(Invoice, Invoice.id == BuyerPayment.invoice_id)
        .join(Order, Order.id == Invoice.order_id)
        .join(CashSession, CashSession.id == BuyerPayment.cash_session_id)
        .where(Order.location_id != CashSession.location_id)).all()
    return [_problem("pre-order paid at another shop's till", f"buyer payment {pid}",
                     f"{number} served from location {served}, till at location {till}")
            for pid, number, served, till in rows]


def order_problems():
    """Every problem of the orders' books."""
    from models.orders_invoices import invoice_numbering_problems

    return (reservation_problems() + settled_reservation_problems() + delivery_problems()
            + till_payment_problems() + invoice_numbering_problems())
