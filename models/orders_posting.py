"""The order services: one function per transition of the state flow
draft → confirmed → prepared → shipped | ready_for_pickup → delivered (→ invoiced, in
models/orders_invoices.py), and cancelled before delivery. A draft is written and changed by
models/orders_drafts.py.

Each locks the order row first (SELECT … FOR UPDATE), checks its state, then works through
the ledger: confirmation reserves lots first-expired-first-out under the balances' row locks,
delivery releases the reservation and moves what was handed over to the customers with the
consignment entry owed to each lot's cooperative (the same services as the till). Services
flush, never commit: the caller commits once.
"""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.consignment_posting import post_entries, sale_line_entry
from models.consignment_rates import commission_rates_for
from models.cooperatives import utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.ledger import Move, lock_reservable, post_movements, release, reserve
from models.masterdata import virtual_location
from models.orders_audit import lines_text, number_text, quantities_text, record
from models.orders import CANCELLABLE_STATES, DOC_ORDER, Order, OrderLine, OrderLineLot, order_number
from models.stock import Lot
from models.stock_blocks import held_lots
from models.types import money, quantity as round_quantity

class WrongState(DomainError):
    """The order is not in a state that allows this transition (409)."""

    code = "wrong_state"


def lock_order(order_id):
    """The order, its row locked FOR UPDATE until commit (two operators never both confirm,
    deliver or cancel it), refreshed from the database; NotFound when missing."""
    order = db.session.execute(select(Order).where(Order.id == order_id).with_for_update()
                               .execution_options(populate_existing=True)).scalar()
    if order is None:
        raise NotFound(_("Unknown order."))
    return order


def require_state(order, *states):
    if order.state not in states:
        raise WrongState(_("This order is %(state)s: it cannot do that now.", state=order.state),
                         fields={"state": order.state})


def clean_quantity(value, field):
    try:
        qty = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(_("Quantity must be a number."), fields={field: [str(value)]})
    if not qty.is_finite() or qty <= 0 or qty > Decimal(10) ** 9:
        raise ValidationFailed(_("Quantity must be positive."), fields={field: [str(value)]})
    return round_quantity(qty)


def confirm_order(order_id, *, user_id=None, partial=False):
    """Reserve the order's lines first-expired-first-out at its location and confirm it.

    Without `partial`, a shortage on any line refuses the confirmation (409 "shortage", naming
    each short line: product, asked, available). With `partial`, what is available is reserved
    and the rest is back-ordered: a new draft order for the same buyer holds it. Blocked or
    expired lots are never reserved. Returns (order, backorder or None)."""
    order = lock_order(order_id)
    require_state(order, "draft")
    rows = lock_reservable({line.product_id for line in order.lines}, order.location_id)
    held = held_lots({r.lot_id for r in rows})
    by_product = {}
    for r in rows:
        if r.lot_id in held or r.quantity - r.reserved <= 0:
            continue
        by_product.setdefault(r.product_id, []).append(r)
    far = Lot.best_before.type.python_type.max
    holds, plan, shortages = {}, [], {}
    for index, line in enumerate(order.lines):
        need = line.quantity
        candidates = sorted(by_product.get(line.product_id, []),
                            key=lambda r: (r.best_before or far, r.lot_id))
        taken = []
        for r in candidates:
            if need <= 0:
                break
            free = r.quantity - r.reserved - holds.get((r.lot_id, r.location_id), Decimal(0))
            if free <= 0:
                continue
            qty = min(free, need)
            holds[(r.lot_id, r.location_id)] = holds.get((r.lot_id, r.location_id), Decimal(0)) + qty
            taken.append((r.lot_id, r.location_id, qty))
            need -= qty
        plan.append((line, taken, need))
        if need > 0:
            shortages[str(index)] = {
                "line_id": line.id, "product_id": line.product_id,
                "product": line.product.name_fr, "asked": str(line.quantity),
                "available": str(line.quantity - need),
                "message": _("%(product)s: %(asked)s asked, %(available)s available.",
                             product=line.product.name_fr, asked=line.quantity,
                             available=line.quantity - need)}
    if shortages and not partial:
        raise DomainError(_("Not enough stock for some lines: confirm partially (the rest is "
                            "back-ordered) or wait."), code="shortage",
                          fields={"lines": shortages})
    if not holds:
        raise DomainError(_("Nothing of this order is available at %(location)s.",
                            location=order.location.name_fr), code="shortage",
                          fields={"lines": shortages})
    reserve(holds)
    rest = []
    for line, taken, short in plan:
        line.confirmed_quantity = line.quantity - short
        line.backordered_quantity = short
        for lot_id, location_id, qty in taken:
            line.lots.append(OrderLineLot(lot_id=lot_id, location_id=location_id, reserved=qty))
        if short > 0:
            rest.append({"product_id": line.product_id, "quantity": short,
                         "unit_price": line.unit_price})
    order.state = "confirmed"
    order.confirmed_at = utcnow()
    backorder = None
    if rest:
        backorder = Order(buyer_id=order.buyer_id, location_id=order.location_id,
                          fulfilment=order.fulfilment, state="draft", created_by_id=user_id,
                          delivery_address=order.delivery_address, backorder_of_id=order.id,
                          note=order.note)
        backorder.lines = [OrderLine(product_id=r["product_id"], quantity=r["quantity"],
                                     unit_price=r["unit_price"]) for r in rest]
        db.session.add(backorder)
        db.session.flush()
        backorder.number = order_number(backorder.id)
        db.session.flush()
        record("create", backorder, user_id=user_id, number=backorder.number,
               backorder_of=order.number, lines=lines_text(backorder))
    db.session.flush()
    record("confirm", order, user_id=user_id, before={"state": "draft"},
           partial="1" if backorder is not None else None,
           reserved=lines_text(order, "confirmed_quantity"),
           backordered=lines_text(order, "backordered_quantity"),
           backorder=backorder.number if backorder is not None else None)
    return order, backorder


def _reserved_holds(order):
    holds = {}
    for line in order.lines:
        for held in line.lots:
            if held.reserved:
                key = (held.lot_id, held.location_id)
                holds[key] = holds.get(key, Decimal(0)) + held.reserved
    return holds


def pack(order_id, *, lot_id, quantity, line_id=None):
    """Record `quantity` of a scanned lot as packed for the order (confirmed state): the lot
    must be one reserved for it, and no more than reserved is packed."""
    order = lock_order(order_id)
    require_state(order, "confirmed")
    qty = clean_quantity(quantity, "quantity")
    matches = [held for line in order.lines for held in line.lots
               if held.lot_id == lot_id and (line_id is None or line.id == line_id)]
    if not matches:
        raise DomainError(_("This lot is not reserved for this order: pick the lots on the "
                            "pick list."), code="lot_not_reserved", fields={"lot_id": lot_id})
    for held in matches:
        room = held.reserved - (held.packed or Decimal(0))
        take = min(room, qty)
        if take > 0:
            held.packed = (held.packed or Decimal(0)) + take
            qty -= take
        if qty <= 0:
            break
    if qty > 0:
        raise DomainError(_("More packed than reserved for this lot."), code="over_packed",
                          fields={"lot_id": lot_id, "excess": str(qty)})
    db.session.flush()
    record("pack", order, lot=matches[0].lot.code, quantity=number_text(quantity))
    return order


def prepare_order(order_id, *, user_id=None):
    """Confirmed → prepared: the parcel is packed (lots not scanned count as packed whole)."""
    order = lock_order(order_id)
    require_state(order, "confirmed")
    scanned = any(held.packed for line in order.lines for held in line.lots)
    for line in order.lines:
        for held in line.lots:
            if held.packed is None:
                held.packed = Decimal(0) if scanned else held.reserved
    order.state = "prepared"
    order.prepared_at = utcnow()
    db.session.flush()
    record("prepare", order, user_id=user_id, before={"state": "confirmed"},
           packed=quantities_text([(line.product, sum((h.packed or Decimal(0) for h in line.lots),
                                                      Decimal(0))) for line in order.lines]))
    return order


def ship_order(order_id, *, user_id=None):
    """Prepared → shipped (delivery) or ready for pick-up (pick-up at a shop)."""
    order = lock_order(order_id)
    require_state(order, "prepared")
    if order.fulfilment == "pickup":
        order.state = "ready_for_pickup"
    else:
        order.state = "shipped"
    order.shipped_at = utcnow()
    db.session.flush()
    record("ship" if order.state == "shipped" else "ready", order, user_id=user_id,
           before={"state": "prepared"})
    return order


def deliver_order(order_id, *, handed=None, user_id=None, at=None):
    """Shipped or ready for pick-up → delivered, with what was actually handed over.

    `handed` maps line id → quantity handed (default: everything packed). A line cannot hand
    over more than was packed. In one transaction: the whole reservation is released, the
    handed quantities move from the order's location to the customers (the lots packed
    first-expired-first), and each lot's cooperative is owed its share at the commission
    rate in force (the till's services, document "order")."""
    order = lock_order(order_id)
    require_state(order, "shipped", "ready_for_pickup")
    handed = {int(k): v for k, v in (handed or {}).items()}
    line_ids = {line.id for line in order.lines}
    unknown = set(handed) - line_ids
    if unknown:
        raise ValidationFailed(_("Unknown order line."), fields={"lines": sorted(unknown)})
    wants = {}
    for line in order.lines:  # validate everything before changing anything
        packed_total = sum((held.packed or Decimal(0) for held in line.lots), Decimal(0))
        want = packed_total if line.id not in handed else (
            Decimal(0) if handed[line.id] in (None, "") or str(handed[line.id]).strip() in ("0", "")
            else clean_quantity(handed[line.id], f"lines.{line.id}"))
        if want > packed_total:
            raise ValidationFailed(
                _("%(product)s: %(handed)s handed over but %(packed)s packed.",
                  product=line.product.name_fr, handed=want, packed=packed_total),
                fields={"lines": {str(line.id): [str(want)]}})
        wants[line.id] = want
    moves, deliveries = [], []
    for line in order.lines:
        want = wants[line.id]
        line.delivered_quantity = want
        for held in line.lots:  # reserved FEFO, so delivered FEFO
            qty = min(want, held.packed or Decimal(0))
            held.delivered = qty
            want -= qty
            if qty > 0:
                moves.append(Move(held.lot_id, qty, held.location_id, None))
                deliveries.append((line, held, qty))
    holds = _reserved_holds(order)
    for line in order.lines:
        for held in line.lots:
            held.reserved = Decimal(0)
    customers = virtual_location("CUSTOMERS").id
    now = at or utcnow()
    if moves or holds:
        # One locked step: the reservation released (what was short goes back on the shelf)
        # and the handed quantities moved out.
        post_movements([Move(m.lot_id, m.quantity, m.from_location_id, customers) for m in moves],
                       kind="sale", user_id=user_id, document_type=DOC_ORDER,
                       document_id=order.id, at=now, releasing=holds)
    if moves:
        _owe_cooperatives(order, deliveries, user_id, now)
    before = order.state
    order.state = "delivered"
    order.delivered_at = now
    db.session.flush()
    short = [(line.product, line.confirmed_quantity - line.delivered_quantity) for line in order.lines
             if line.confirmed_quantity is not None and line.delivered_quantity < line.confirmed_quantity]
    record("deliver", order, user_id=user_id, before={"state": before},
           handed=lines_text(order, "delivered_quantity") or "0", short=quantities_text(short))
    return order


def _owe_cooperatives(order, deliveries, user_id, at):
    """The consignment entries of the delivered lots: gross = quantity × the line's unit price
    before tax, at the rate in force for the lot's cooperative and category through the
    order's channel (its fulfilment: "delivery" or "pickup", models.consignment_rates.pick_rate),
    frozen on the entry as a till sale's is."""
    lots = {lot.id: lot for lot in db.session.execute(
        select(Lot).where(Lot.id.in_({held.lot_id for _l, held, _q in deliveries}))).scalars()}
    pairs = {(lots[h.lot_id].cooperative_id, lots[h.lot_id].product.category)
             for _l, h, _q in deliveries}
    rates = commission_rates_for(pairs, channel=order.fulfilment)
    entries = []
    for line, held, qty in deliveries:
        lot = lots[held.lot_id]
        key = (lot.cooperative_id, lot.product.category)
        entries.append(sale_line_entry(
            cooperative_id=lot.cooperative_id, category=lot.product.category,
            gross=money(qty * line.unit_price), lot_id=lot.id, quantity=qty,
            location_id=held.location_id, document_type=DOC_ORDER, document_id=order.id,
            user_id=user_id, at=at, rate=rates[key]))
    post_entries(entries)


def cancel_order(order_id, *, reason, user_id=None):
    """Cancel an order before delivery, with a reason; its reservation goes back on the shelf."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the order is cancelled."),
                               fields={"reason": [_("Say why the order is cancelled.")]})
    order = lock_order(order_id)
    require_state(order, *CANCELLABLE_STATES)
    before = order.state
    release(_reserved_holds(order))
    for line in order.lines:
        for held in line.lots:
            held.reserved = Decimal(0)
    order.state = "cancelled"
    order.cancel_reason = reason[:255]
    order.cancelled_at = utcnow()
    db.session.flush()
    record("cancel", order, user_id=user_id, before={"state": before}, reason=order.cancel_reason)
    return order


def pick_list(order):
    """The pick list: one row per reserved lot, by location, then best-before, then lot code."""
    rows = []
    for line in order.lines:
        for held in line.lots:
            rows.append({"line_id": line.id, "product": line.product, "lot": held.lot,
                         "location": held.location, "best_before": held.lot.best_before,
                         "reserved": held.reserved, "packed": held.packed,
                         "delivered": held.delivered, "held_id": held.id})
    far = Lot.best_before.type.python_type.max
    rows.sort(key=lambda r: (r["location"].name_fr, r["best_before"] or far, r["lot"].code))
    return rows
