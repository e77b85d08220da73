"""The orders' part of `flask integrity-check`: reservations never exceed stock, each
balance's reserved quantity equals what the orders hold, and every delivered line has its
stock movement and its consignment entry."""
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models.consignment import ConsignmentEntry
from models.orders import DOC_ORDER, Order, OrderLine, OrderLineLot
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
    """Delivered orders whose handed-over lots lack their movement or consignment entry."""
    problems = []
    delivered = dict(db.session.execute(
        select(Order.id, func.coalesce(func.sum(OrderLineLot.delivered), 0))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(OrderLineLot, OrderLineLot.line_id == OrderLine.id)
        .where(Order.state.in_(("delivered", "invoiced"))).group_by(Order.id)).all())
    moved = dict(db.session.execute(
        select(StockMovement.document_id, func.sum(StockMovement.quantity))
        .where(StockMovement.document_type == DOC_ORDER).group_by(StockMovement.document_id)).all())
    owed = dict(db.session.execute(
        select(ConsignmentEntry.document_id, func.sum(ConsignmentEntry.quantity))
        .where(ConsignmentEntry.document_type == DOC_ORDER, ConsignmentEntry.kind == "sale")
        .group_by(ConsignmentEntry.document_id)).all())
    for order_id, qty in sorted(delivered.items()):
        qty = round_quantity(qty)
        if round_quantity(moved.get(order_id) or 0) != qty:
            problems.append(_problem("delivered order without its movements", f"order {order_id}",
                                     f"delivered {qty}, moved {moved.get(order_id) or 0}"))
        if round_quantity(owed.get(order_id) or 0) != qty:
            problems.append(_problem("delivered order without its consignment entries",
                                     f"order {order_id}",
                                     f"delivered {qty}, entries for {owed.get(order_id) or 0}"))
    return problems


def order_problems():
    """Every problem of the orders' books."""
    from models.orders_invoices import invoice_numbering_problems

    return reservation_problems() + delivery_problems() + invoice_numbering_problems()
