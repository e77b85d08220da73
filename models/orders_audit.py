"""The audit entries of the orders (models.audit, in the transaction of the change): every
state change of an order (created, confirmed in whole or in part, packed, prepared, shipped or
ready for pick-up, delivered with what was handed over, cancelled with its reason), its
invoices, the buyers' payments and credit notes, and price-list edits. Buyers themselves are
recorded from the flush like the other master data (models.audit._audited).

The fields are flat texts ("MIE-TH-500 × 20; HUI-EV-1L × 10"), so an order's page and the
admin's audit page show them as before → after without knowing the orders."""
from decimal import Decimal

from sqlalchemy import and_, or_, select

from extensions import db
from models import audit


def number_text(value):
    """A quantity or amount as the log keeps it: plain digits, no trailing zeros."""
    number = Decimal(str(value or 0)).normalize()
    return format(number, "f")


def quantities_text(pairs):
    """"MIE-TH-500 × 20; HUI-EV-1L × 10" from [(product, quantity)] (None when empty)."""
    return "; ".join(f"{product.sku} × {number_text(qty)}" for product, qty in pairs) or None


def lines_text(order, attr="quantity"):
    """An order's lines as one text, by the given quantity (ordered, confirmed, delivered…)."""
    return quantities_text([(line.product, getattr(line, attr)) for line in order.lines
                            if getattr(line, attr)])


def _actor(user_id):
    return {} if user_id is None else {"user_id": user_id}


def record(action, order, *, user_id=None, before=None, **after):
    """An order's entry: its state after the step, what the step did, the state before."""
    audit.record(action, "order", order.id, before=before,
                 after={"state": order.state, **{k: v for k, v in after.items() if v is not None}},
                 **_actor(user_id))


def record_invoice(action, invoice, *, user_id=None, before=None, **after):
    """An invoice's or credit note's entry (issued, paid, credited)."""
    audit.record(action, "invoice", invoice.id, before=before,
                 after={k: (number_text(v) if isinstance(v, Decimal) else v)
                        for k, v in after.items() if v is not None}, **_actor(user_id))


def order_history(order, limit=200):
    """The entries of an order and of its invoices and credit notes, newest first (what the
    order's page shows)."""
    from models.audit import AuditEntry
    from models.orders import Invoice

    invoice_ids = [str(i) for i in db.session.execute(
        select(Invoice.id).where(Invoice.order_id == order.id)).scalars()]
    e = AuditEntry
    mine = and_(e.object_type == "order", e.object_id == str(order.id))
    if invoice_ids:
        mine = or_(mine, and_(e.object_type == "invoice", e.object_id.in_(invoice_ids)))
    return db.session.execute(select(e).where(mine).order_by(e.id.desc()).limit(limit)).scalars().all()
