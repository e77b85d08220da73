"""Blocked lots: a recall that stops sales, transfers and packaging.

The `lot_blocks` table is the history, append-only: each row blocks or unblocks one lot,
with a reason, who and when (and, for a block from a recall page, the lot whose recall it
was). A lot is blocked when its latest row is a block. Blocking and unblocking take the
lot row's lock first, so two operators cannot interleave on one lot.

The rule itself (a blocked or expired lot leaves a real location only for the loss or
adjustment locations or back to its cooperative) is held by models.ledger, the one writer
of movements; the code resolvers (models.stock_codes) refuse such lots before a sale is
even attempted, with the same message.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from models.clock import today as local_today
from models.cooperatives import utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.stock import Lot

BLOCK = "block"
UNBLOCK = "unblock"


class LotBlock(db.Model):
    """One block or unblock of a lot, with its reason, who and when. Never updated."""

    __tablename__ = "lot_blocks"

    id = db.Column(db.Integer, primary_key=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False, index=True)
    action = db.Column(db.String(8), nullable=False)
    reason = db.Column(db.String(255), nullable=False)
    recall_lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"))
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    lot = db.relationship("Lot", foreign_keys=[lot_id])
    recall_lot = db.relationship("Lot", foreign_keys=[recall_lot_id])
    user = db.relationship("User")

    __table_args__ = (db.CheckConstraint("action IN ('block', 'unblock')", name="lot_block_action"),)


def today():
    """Today in Morocco: a lot is usable through its best-before day."""
    return local_today()


def current_blocks(lot_ids=None):
    """{lot_id: LotBlock} of the lots blocked now (their latest row is a block), for the
    given lots or every lot."""
    latest = select(func.max(LotBlock.id))
    if lot_ids is not None:
        lot_ids = {i for i in lot_ids if i is not None}
        if not lot_ids:
            return {}
        latest = latest.where(LotBlock.lot_id.in_(lot_ids))
    latest = latest.group_by(LotBlock.lot_id)
    rows = db.session.execute(select(LotBlock).where(LotBlock.id.in_(latest),
                                                     LotBlock.action == BLOCK)).scalars()
    return {row.lot_id: row for row in rows}


def block_of(lot_id):
    """The block in force on a lot, or None."""
    return current_blocks({lot_id}).get(lot_id)


def history(lot_id):
    """Every block and unblock of a lot, newest first."""
    return db.session.execute(select(LotBlock).where(LotBlock.lot_id == lot_id)
                              .order_by(LotBlock.id.desc())).scalars().all()


def blocked_message(lot_code, block):
    """What the till, a transfer or a packaging run says of a blocked lot: the recall named."""
    if block.recall_lot_id and block.recall_lot is not None:
        return _("Lot %(lot)s is blocked by the recall of lot %(recall)s (%(reason)s): do not "
                 "sell or move it; set it aside.", lot=lot_code, recall=block.recall_lot.code,
                 reason=block.reason)
    return _("Lot %(lot)s is blocked (%(reason)s): do not sell or move it; set it aside.",
             lot=lot_code, reason=block.reason)


def expired_message(lot_code, best_before):
    """What every place says of an expired lot."""
    return _("Lot %(lot)s expired on %(date)s: do not sell or move it.", lot=lot_code,
             date=best_before.isoformat())


class LotHeld(DomainError):
    """A blocked or expired lot asked to leave a location for anywhere but the loss or
    adjustment locations or its cooperative (409)."""

    def __init__(self, lot_id, lot_code, *, block=None, best_before=None, location_id=None):
        if block is not None:
            message, code = blocked_message(lot_code, block), "lot_blocked"
            extra = {"reason": block.reason, "block_id": block.id,
                     "recall_lot_id": block.recall_lot_id}
        else:
            message, code = expired_message(lot_code, best_before), "lot_expired"
            extra = {"best_before": best_before.isoformat()}
        super().__init__(message, code=code, fields={"lot_id": lot_id, "lot_code": lot_code,
                                                     "location_id": location_id, **extra})
        self.lot_id = lot_id
        self.lot_code = lot_code


def held_lots(lot_ids, on=None):
    """{lot_id: (code, block or None, best_before)} of the given lots that are blocked or
    expired on `on` (today in Morocco by default)."""
    lot_ids = {i for i in lot_ids if i is not None}
    if not lot_ids:
        return {}
    on = on or today()
    blocks = current_blocks(lot_ids)
    rows = db.session.execute(select(Lot.id, Lot.code, Lot.best_before)
                              .where(Lot.id.in_(lot_ids))).all()
    held = {}
    for row in rows:
        expired = row.best_before is not None and row.best_before < on
        if row.id in blocks or expired:
            held[row.id] = (row.code, blocks.get(row.id), row.best_before)
    return held


def check_not_held(lot_id, on=None, location_id=None):
    """Raise LotHeld when a lot is blocked or expired."""
    found = held_lots({lot_id}, on).get(lot_id)
    if found:
        code, block, best_before = found
        raise LotHeld(lot_id, code, block=block, best_before=best_before, location_id=location_id)


def _reason(reason):
    """A reason of 1 to 255 characters, else a 422."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 255:
        raise ValidationFailed(_("Give a reason (at most 255 characters)."), code="reason_required",
                               fields={"reason": [_("Required.")]})
    return reason


def _lock_lot(lot_id):
    """The lot row, locked for this transaction; 404 if absent."""
    locked = db.session.execute(select(Lot.id).where(Lot.id == lot_id).with_for_update()).scalar() \
        if isinstance(lot_id, int) else None
    lot = db.session.get(Lot, locked) if locked is not None else None
    if lot is None:
        raise NotFound(_("No such lot."), code="unknown_lot")
    return lot


def block_lots(lot_ids, reason, *, user_id=None, recall_lot_id=None):
    """Block lots (a lot and, by choice, its descendants) with one reason. Lots already
    blocked are left as they are. Returns the new LotBlock rows."""
    reason = _reason(reason)
    made = []
    for lot_id in sorted(set(lot_ids)):
        lot = _lock_lot(lot_id)
        if block_of(lot.id) is not None:
            continue
        row = LotBlock(lot_id=lot.id, action=BLOCK, reason=reason, user_id=user_id,
                       recall_lot_id=recall_lot_id)
        db.session.add(row)
        made.append(row)
    db.session.flush()
    return made


def block_lot(lot_id, reason, *, user_id=None, recall_lot_id=None):
    """Block one lot; a lot already blocked answers 409 `already_blocked`."""
    lot = _lock_lot(lot_id)
    if block_of(lot.id) is not None:
        raise DomainError(_("Lot %(lot)s is already blocked.", lot=lot.code), code="already_blocked")
    return block_lots([lot.id], reason, user_id=user_id, recall_lot_id=recall_lot_id)[0]


def unblock_lot(lot_id, reason, *, user_id=None):
    """Lift the block on a lot, with a reason; a lot not blocked answers 409 `not_blocked`."""
    reason = _reason(reason)
    lot = _lock_lot(lot_id)
    if block_of(lot.id) is None:
        raise DomainError(_("Lot %(lot)s is not blocked.", lot=lot.code), code="not_blocked")
    row = LotBlock(lot_id=lot.id, action=UNBLOCK, reason=reason, user_id=user_id)
    db.session.add(row)
    db.session.flush()
    return row


def blocked_on_hand(location_ids):
    """[(LotBlock, location_id, quantity)] of blocked lots with stock at these locations,
    for the cashier's home and the stock pages' warnings."""
    from models.stock import StockBalance

    location_ids = {i for i in location_ids if i is not None}
    blocks = current_blocks()
    if not blocks or not location_ids:
        return []
    rows = db.session.execute(select(StockBalance.lot_id, StockBalance.location_id,
                                     StockBalance.quantity)
                              .where(StockBalance.lot_id.in_(blocks),
                                     StockBalance.location_id.in_(location_ids),
                                     StockBalance.quantity > 0)
                              .order_by(StockBalance.lot_id, StockBalance.location_id)).all()
    return [(blocks[r.lot_id], r.location_id, r.quantity) for r in rows]
