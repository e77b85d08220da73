"""Stock counts at a real location: snapshot, count, differences report, post.

Policy (documented choice): the expected quantity of each lot is a snapshot taken when the
count starts (or when a lot found on the shelf is first added). Posting writes, for each
counted lot, a "count_adjustment" movement of (counted − snapshot) between the location and
the virtual ADJUSTMENT location. Goods that moved while the count was under way (a sale, a
receipt) are therefore kept, not overwritten; the differences report flags every lot whose
balance moved since its snapshot, so the person posting can recount it first.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.compensations import record_losses
from models.cooperatives import utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.ledger import Move, available, post_movements
from models.masterdata import virtual_location
from models.stock import KIND_SHOP, KIND_WAREHOUSE, Lot, StockBalance
from models.transfers_posting import MAX_LINES, parse_quantity, real_location
from models.transfers import DOC_COUNT, StockCount, StockCountLine, next_number

COUNT_PREFIX = "INV"


def start_count(location_id, *, user_id=None):
    """Open a count at a warehouse zone or shop, snapshotting every lot on hand there."""
    location = real_location(location_id, "location_id", kinds=(KIND_WAREHOUSE, KIND_SHOP))
    already = db.session.execute(select(StockCount.number).where(
        StockCount.location_id == location.id, StockCount.state == "open")).scalar()
    if already:
        raise DomainError(_("Count %(number)s is already open at this location.", number=already),
                          code="count_already_open")
    count = StockCount(number=next_number(COUNT_PREFIX), location=location, state="open",
                       started_by_id=user_id)
    rows = db.session.execute(
        select(StockBalance.lot_id, StockBalance.quantity).join(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.location_id == location.id, StockBalance.quantity != 0)
        .order_by(Lot.best_before.is_(None), Lot.best_before, Lot.code)).all()
    count.lines = [StockCountLine(lot_id=lot_id, expected=qty) for lot_id, qty in rows]
    db.session.add(count)
    db.session.flush()
    return count


def lock_count(count_id):
    """The count row, locked for this transaction; 404 if absent."""
    count = db.session.execute(
        select(StockCount).where(StockCount.id == count_id).with_for_update()
        .execution_options(populate_existing=True)).scalar()
    if count is None:
        raise NotFound(_("No such stock count."))
    return count


def _require_open(count):
    """Only an open count may be changed, posted or cancelled."""
    if count.state != "open":
        code = "count_posted" if count.state == "posted" else "count_cancelled"
        raise DomainError(_("Count %(number)s is closed.", number=count.number), code=code)


def record_counts(count_id, lines):
    """Record counted quantities ([{"lot_id", "counted", "note"}]); counted None clears a line.

    A lot not on the sheet (found on the shelf) is added with its current balance as snapshot.
    """
    count = lock_count(count_id)
    _require_open(count)
    if not lines:
        raise ValidationFailed(_("Add at least one line."), code="no_lines",
                               fields={"lines": [_("Add at least one line.")]})
    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("Too many lines."), fields={"lines": [_("Too many lines.")]})
    by_lot = {line.lot_id: line for line in count.lines}
    errors, clean, seen = {}, [], set()
    for i, item in enumerate(lines):
        lot_id = item.get("lot_id")
        lot = db.session.get(Lot, lot_id) if isinstance(lot_id, int) else None
        raw = item.get("counted")
        counted = None if raw is None or raw == "" else parse_quantity(raw, allow_zero=True)
        problems = {}
        if lot is None:
            problems["lot_id"] = [_("Unknown lot.")]
        elif lot.id in seen:
            problems["lot_id"] = [_("This lot is already on another line.")]
        if counted is None and raw not in (None, ""):
            problems["counted"] = [_("A quantity of zero or more.")]
        if len((item.get("note") or "").strip()) > 255:
            problems["note"] = [_("At most 255 characters.")]
        if problems:
            errors[str(i)] = problems
            continue
        seen.add(lot.id)
        clean.append((lot, counted, (item.get("note") or "").strip() or None))
    if errors:
        raise ValidationFailed(_("Please correct the highlighted lines."), fields={"lines": errors})
    for lot, counted, note in clean:
        line = by_lot.get(lot.id)
        if line is None:
            line = StockCountLine(lot=lot, expected=available(lot.id, count.location_id))
            count.lines.append(line)
        line.counted = counted
        if note is not None:
            line.note = note
    db.session.flush()
    return count


def differences(count):
    """The differences report: one dict per line, with counted − expected and whether the
    balance moved since the snapshot. Lines not counted are listed with counted None."""
    balances = dict(db.session.execute(
        select(StockBalance.lot_id, StockBalance.quantity)
        .where(StockBalance.location_id == count.location_id)).all())
    report = []
    for line in count.lines:
        now = balances.get(line.lot_id, Decimal(0))
        report.append({
            "lot_id": line.lot_id, "lot_code": line.lot.code, "product_id": line.lot.product_id,
            "lot": line.lot, "best_before": line.lot.best_before, "expected": line.expected,
            "counted": line.counted, "difference": line.difference, "current": now,
            "moved_since_snapshot": count.state == "open" and now != line.expected,
            "note": line.note,
        })
    return report


def post_count(count_id, reason, *, user_id=None):
    """Post the counted differences as "count_adjustment" movements with the user and reason."""
    count = lock_count(count_id)
    _require_open(count)
    reason = (reason or "").strip()[:255]
    if not reason:
        raise ValidationFailed(_("Give a reason for the count."), code="reason_required",
                               fields={"reason": [_("This field is required.")]})
    counted = [line for line in count.lines if line.counted is not None]
    if not counted:
        raise ValidationFailed(_("No lot has been counted yet."), code="nothing_counted")
    adjustment = virtual_location("ADJUSTMENT").id
    moves = []
    for line in counted:
        diff = line.difference
        note = f"{reason} — {line.note}"[:255] if line.note else reason
        if diff < 0:
            moves.append(Move(line.lot_id, -diff, count.location_id, adjustment, note=note))
        elif diff > 0:
            moves.append(Move(line.lot_id, diff, adjustment, count.location_id, note=note))
    if moves:
        post_movements(moves, kind="count_adjustment", user_id=user_id, document_type=DOC_COUNT,
                       document_id=count.id, note=reason)
        # Fewer goods than the books say, in the platform's care: propose compensations.
        record_losses([{"lot_id": m.lot_id, "quantity": m.quantity, "location_id": count.location_id,
                        "reason": m.note} for m in moves if m.to_location_id == adjustment],
                      loss_kind="count_difference", document_type=DOC_COUNT, document_id=count.id,
                      user_id=user_id)
    count.state = "posted"
    count.reason = reason
    count.posted_at = utcnow()
    count.posted_by_id = user_id
    db.session.flush()
    return count


def cancel_count(count_id):
    """Abandon an open count; nothing moves."""
    count = lock_count(count_id)
    _require_open(count)
    count.state = "cancelled"
    db.session.flush()
    return count
