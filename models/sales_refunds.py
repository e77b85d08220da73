"""Refunds: some lines of a sale (or all), never more than was sold, with a reason.

Restocked goods go back from CUSTOMERS to the shop (movement kind "refund"); damaged goods
are written off from CUSTOMERS to LOSS (movement kind "loss"); both carry document_type
"refund". Either way the customer is paid back and the cooperative's consignment entry is
reversed at the rate frozen on the sale line (the sale did not happen). Flushes, never
commits.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import insert, select

from extensions import db
from models.compensations import record_losses
from models.consignment_posting import post_entries, sale_line_entry
from models.cooperatives import utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.ledger import Move, post_movements
from models.sales import PAYMENT_METHODS, CashSession, Refund, RefundLine, Sale
from models.sales_numbers import take_number
from models.stock import Location
from models.types import money, quantity as round_quantity


@dataclass
class RefundLineRequest:
    """Give back `quantity` of a sale line; `restock` puts it back on the shelf."""

    sale_line_id: int
    quantity: Decimal
    restock: bool = True


def lock_sale(sale_id):
    """The sale row, locked FOR UPDATE so concurrent refunds of it queue (SQLite: the
    transaction already holds the write lock)."""
    sale = db.session.execute(select(Sale).where(Sale.id == sale_id).with_for_update()).scalar()
    if sale is None:
        raise NotFound(_("No such sale."))
    return sale


def open_session_id(location_id, user_id):
    """The user's open cash session at a shop, or None."""
    return db.session.execute(select(CashSession.id).where(
        CashSession.location_id == location_id, CashSession.cashier_id == user_id,
        CashSession.closed_at.is_(None))).scalar()


def _quantities(lines, sale_lines):
    """Requested quantity per sale line, summed, checked against what is left to refund."""
    wanted = {}
    for i, ln in enumerate(lines):
        try:
            qty = Decimal(ln.quantity)
        except (InvalidOperation, TypeError, ValueError):
            qty = Decimal("NaN")
        if not qty.is_finite() or qty <= 0 or qty.adjusted() >= 9:
            # 10**9 and more is no sale line's quantity (and would overflow the rounding).
            raise ValidationFailed(_("Refund quantities must be positive."),
                                   fields={"lines": {str(i): {"quantity": [_("Must be positive.")]}}})
        line = sale_lines.get(ln.sale_line_id)
        if line is None:
            raise ValidationFailed(_("Line %(n)s is not a line of this sale.", n=i + 1),
                                   code="unknown_sale_line",
                                   fields={"lines": {str(i): {"sale_line_id": [_("Not in this sale.")]}}})
        if line.product.uom == "pc" and qty != qty.to_integral_value():
            raise ValidationFailed(_("Pieces are refunded whole."),
                                   fields={"lines": {str(i): {"quantity": [_("A whole number.")]}}})
        key = (ln.sale_line_id, bool(ln.restock))
        wanted[key] = wanted.get(key, Decimal(0)) + round_quantity(qty)
    per_line = {}
    for (line_id, _restock), qty in wanted.items():
        per_line[line_id] = per_line.get(line_id, Decimal(0)) + qty
    for line_id, qty in per_line.items():
        line = sale_lines[line_id]
        left = line.quantity - line.refunded_quantity
        if qty > left:
            raise DomainError(
                _("%(product)s: %(asked)s asked back but only %(left)s left to refund.",
                  product=line.product.name_fr, asked=qty.normalize(), left=left.normalize()),
                code="refund_exceeds_sale",
                fields={"sale_line_id": line_id, "left": str(left), "requested": str(qty)})
    return wanted


def refund_sale(*, sale_id, user_id, lines, reason, method="cash", at=None):
    """Refund lines of a sale; returns the refund id. Cash refunds come out of the user's
    open till at the sale's shop (409 without one) and lower its expected cash."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the refund."), fields={"reason": [_("Required.")]})
    if method not in PAYMENT_METHODS:
        raise ValidationFailed(_("Unknown payment method."), fields={"method": [method]})
    if not lines:
        raise ValidationFailed(_("Choose at least one line to refund."), fields={"lines": [_("Required.")]})
    sale = lock_sale(sale_id)
    session_id = open_session_id(sale.location_id, user_id)
    if session_id is None and method == "cash":
        raise DomainError(_("Open the till at this shop to pay a refund in cash."),
                          code="no_open_session")
    sale_lines = {ln.id: ln for ln in sale.lines}
    wanted = _quantities(lines, sale_lines)
    now = at or utcnow()
    amounts = {}
    for (line_id, restock), qty in wanted.items():
        line = sale_lines[line_id]
        if line.refunded_quantity + qty == line.quantity:
            # The last units take what is left, so rounding never refunds a centime too many.
            amount = line.total - line.refunded_amount
        else:
            amount = money(line.total * qty / line.quantity)
        amounts[(line_id, restock)] = amount
        line.refunded_quantity = line.refunded_quantity + qty
        line.refunded_amount = line.refunded_amount + amount
    total = sum(amounts.values(), Decimal(0))
    seq, number = take_number(sale.location_id, "last_credit_note")
    refund_id = db.session.execute(insert(Refund.__table__).returning(Refund.__table__.c.id), {
        "sale_id": sale.id, "cash_session_id": session_id, "user_id": user_id, "created_at": now,
        "method": method, "reason": reason[:255], "total": total, "location_id": sale.location_id,
        "seq": seq, "number": number, "print_count": 0}).scalar_one()
    db.session.execute(insert(RefundLine.__table__), [
        {"refund_id": refund_id, "sale_line_id": line_id, "quantity": qty,
         "amount": amounts[(line_id, restock)], "restock": restock}
        for (line_id, restock), qty in wanted.items()])
    customers, loss = (db.session.execute(select(Location.id).where(Location.code == code)).scalar_one()
                       for code in ("CUSTOMERS", "LOSS"))
    for restock, kind, target in ((True, "refund", sale.location_id), (False, "loss", loss)):
        moves = [Move(sale_lines[lid].lot_id, qty, customers, target)
                 for (lid, rs), qty in wanted.items() if rs is restock]
        if moves:
            post_movements(moves, kind=kind, user_id=user_id, document_type="refund",
                           document_id=refund_id, at=now,
                           note=None if restock else "written off: damaged")
    # One call for every line: the cooperatives' running balances are locked in id order.
    post_entries([sale_line_entry(cooperative_id=sale_lines[line_id].cooperative_id, category=None,
                                  gross=amounts[(line_id, restock)], lot_id=sale_lines[line_id].lot_id,
                                  quantity=qty, location_id=sale.location_id, document_type="refund",
                                  document_id=refund_id, user_id=user_id, at=now, kind="refund",
                                  rate=sale_lines[line_id].commission_rate)
                  for (line_id, restock), qty in wanted.items()])
    # Goods written off as damaged were the cooperative's: propose to make it whole.
    record_losses([{"lot_id": sale_lines[lid].lot_id, "quantity": qty, "location_id": sale.location_id}
                   for (lid, restock), qty in wanted.items() if not restock],
                  loss_kind="refund_damaged", document_type="refund", document_id=refund_id,
                  user_id=user_id, reason=reason)
    db.session.flush()
    return refund_id
