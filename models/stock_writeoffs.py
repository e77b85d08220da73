"""Write-offs: goods broken, spoiled, lost or found unsellable at a warehouse zone or a shop.

A write-off is a numbered document (WO-000012): the lot, where, how much, the cause and the
reason, who and when. Posting it moves the goods to the LOSS location through the ledger (the
one writer of stock), in the same transaction, and settles who bears the loss:

- "damaged" and "lost" happened in the platform's care: a compensation is proposed to the
  lot's cooperative (models.compensations, valued like every other loss) for an admin to
  approve or reject;
- "expired" and "defect" (a fault of the goods themselves) are the cooperative's by agreement:
  recorded as borne, never proposed.

Blocked or expired lots may be written off (the ledger lets any lot go to the loss location).
Write-off rows are never updated nor deleted (triggers laid by migration 0013_write_offs).
Flushes, never commits.
"""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.compensations import record_losses
from models.cooperatives import utcnow
from models.errors import NotFound, ValidationFailed
from models.ledger import Move, post_movements
from models.masterdata import virtual_location
from models.stock import REAL_KINDS, KIND_TRANSIT, Location, Lot
from models.types import Quantity

CAUSES = ("damaged", "lost", "expired", "defect")
# Losses in the platform's care: the cooperative is proposed a compensation.
PLATFORM_CAUSES = ("damaged", "lost")
CAUSE_LABELS = {
    "damaged": _l("Damaged or broken"),
    "lost": _l("Lost or stolen"),
    "expired": _l("Past its best-before date"),
    "defect": _l("Defect of the goods"),
}
DOC_WRITE_OFF = "write_off"


class WriteOff(db.Model):
    """Goods written off at a location: a loss document. Never updated nor deleted."""

    __tablename__ = "write_offs"

    id = db.Column(db.Integer, primary_key=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False, index=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False, index=True)
    quantity = db.Column(Quantity, nullable=False)
    cause = db.Column(db.String(12), nullable=False)
    reason = db.Column(db.String(255), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    lot = db.relationship("Lot")
    location = db.relationship("Location")
    created_by = db.relationship("User")

    __table_args__ = (
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
        db.CheckConstraint("cause IN ('damaged', 'lost', 'expired', 'defect')", name="cause"),
    )

    @property
    def number(self):
        """The number people quote: WO-000012."""
        return write_off_number(self.id)

    @property
    def borne_by_cooperative(self):
        """True when the cooperative bears the loss by agreement (no compensation proposed)."""
        return self.cause not in PLATFORM_CAUSES


def write_off_number(write_off_id):
    """WO-000012."""
    return f"WO-{write_off_id:06d}"


def _quantity(value, product):
    """The quantity as a positive Decimal with at most 3 places (whole pieces for units)."""
    try:
        qty = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        qty = None
    if qty is None or not qty.is_finite() or qty <= 0:
        raise ValidationFailed(_("Enter a quantity greater than zero."),
                               fields={"quantity": [_("Enter a quantity greater than zero.")]})
    if qty != qty.quantize(Decimal("0.001")) or qty >= Decimal("1e11"):
        raise ValidationFailed(_("Enter a quantity greater than zero."),
                               fields={"quantity": [_("At most 3 decimal places.")]})
    if product.uom == "pc" and qty != qty.to_integral_value():
        raise ValidationFailed(_("This product is counted in whole pieces."),
                               fields={"quantity": [_("This product is counted in whole pieces.")]})
    return qty


def write_off(*, lot_id, location_id, quantity, cause, reason, user_id=None):
    """Write goods off: the document, the movement to LOSS, and the compensation proposed (or
    the loss recorded as the cooperative's). Raises ValidationFailed (422), NotFound (404) or
    the ledger's InsufficientStock (409, nothing written). Returns the WriteOff."""
    reason = (reason or "").strip()
    problems = {}
    if cause not in CAUSES:
        problems["cause"] = [_("Choose a cause.")]
    if not reason:
        problems["reason"] = [_("Say what happened.")]
    elif len(reason) > 255:
        problems["reason"] = [_("At most %(n)s characters.", n=255)]
    if problems:
        raise ValidationFailed(_("The write-off is incomplete."), fields=problems)
    row = db.session.execute(
        select(Lot, Product).join(Product, Product.id == Lot.product_id).where(Lot.id == lot_id)).first()
    if row is None:
        raise NotFound(_("Unknown lot."))
    lot, product = row
    location = db.session.get(Location, location_id)
    if location is None or location.kind not in REAL_KINDS or location.kind == KIND_TRANSIT:
        raise ValidationFailed(_("Goods are written off at a warehouse zone or a shop."),
                               fields={"location_id": [_("Choose a warehouse zone or a shop.")]})
    qty = _quantity(quantity, product)
    document = WriteOff(lot_id=lot.id, location_id=location.id, quantity=qty, cause=cause,
                        reason=reason, created_by_id=user_id)
    db.session.add(document)
    db.session.flush()
    post_movements([Move(lot.id, qty, location.id, virtual_location("LOSS").id, note=reason)],
                   kind="loss", user_id=user_id, document_type=DOC_WRITE_OFF,
                   document_id=document.id, note=reason)
    record_losses([{"lot_id": lot.id, "quantity": qty, "location_id": location.id}],
                  loss_kind="write_off" if cause in PLATFORM_CAUSES else "write_off_borne",
                  document_type=DOC_WRITE_OFF, document_id=document.id, user_id=user_id,
                  reason=reason)
    return document


def write_off_problems():
    """Write-offs whose loss movement is missing or differs (for `flask integrity-check`)."""
    from sqlalchemy import func

    from models.stock import StockMovement as M

    moved = (select(M.document_id, func.sum(M.quantity).label("moved"))
             .where(M.document_type == DOC_WRITE_OFF, M.kind == "loss")
             .group_by(M.document_id).subquery())
    rows = db.session.execute(
        select(WriteOff.id, WriteOff.quantity, moved.c.moved)
        .outerjoin(moved, moved.c.document_id == WriteOff.id)).all()
    return [{"write_off_id": r.id, "quantity": r.quantity, "moved": r.moved}
            for r in rows if r.moved is None or Decimal(r.moved) != Decimal(r.quantity)]
