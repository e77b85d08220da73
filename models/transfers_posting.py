"""The transfer service: draft, edit, cancel, dispatch and receive transfers.

Stock moves only at dispatch (source → TRANSIT) and at receipt (TRANSIT → destination, and
any shortfall TRANSIT → LOSS with its reason), always through models.ledger. Movement kinds:
an ordinary transfer leaves with kind "dispatch"; a return (shop → warehouse) leaves with kind
"return"; both arrive with kind "receipt" and lose with kind "loss". Every state change first
locks the transfer row (SELECT … FOR UPDATE), so two dispatches of one transfer cannot both
pass. Functions flush, never commit, and raise typed errors.
"""
from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.compensations import record_losses
from models.cooperatives import utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.ledger import Move, post_movements
from models.masterdata import virtual_location
from models.stock_blocks import blocked_message, current_blocks
from models.stock import KIND_SHOP, KIND_WAREHOUSE, Location, Lot, StockBalance
from models.transfers import DOC_TRANSFER, TRANSFER_KINDS, Transfer, TransferLine, next_number
from models.types import quantity as round_quantity
from models import clock

TRANSFER_PREFIX = "TR"
MAX_LINES = 500


def parse_quantity(value, *, allow_zero=False):
    """A finite Decimal rounded to the thousandth, > 0 (or ≥ 0), else None."""
    try:
        qty = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not qty.is_finite() or qty < 0 or (qty == 0 and not allow_zero) or qty >= Decimal("1e11"):
        return None
    return round_quantity(qty)


def real_location(location_id, field, kinds=(KIND_WAREHOUSE, KIND_SHOP)):
    """The active warehouse zone or shop `location_id`, else a 422 naming `field`."""
    loc = db.session.get(Location, location_id) if isinstance(location_id, int) else None
    if loc is None or loc.kind not in kinds or not loc.active:
        raise ValidationFailed(_("Choose an active warehouse zone or shop."), code="bad_location",
                               fields={field: [_("Not a warehouse zone or shop.")]})
    return loc


def clean_lot_lines(lines, field="quantity"):
    """Validate [{"lot_id", "quantity"}]: known lots, positive quantities, no lot twice.

    Returns [(Lot, Decimal)]. Raises ValidationFailed with per-line fields.
    """
    if not lines:
        raise ValidationFailed(_("Add at least one line."), code="no_lines",
                               fields={"lines": [_("Add at least one line.")]})
    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("Too many lines."), fields={"lines": [_("Too many lines.")]})
    errors, clean, seen = {}, [], set()
    for i, line in enumerate(lines):
        lot_id = line.get("lot_id")
        lot = db.session.get(Lot, lot_id) if isinstance(lot_id, int) else None
        qty = parse_quantity(line.get(field))
        problems = {}
        if lot is None:
            problems["lot_id"] = [_("Unknown lot.")]
        elif lot.id in seen:
            problems["lot_id"] = [_("This lot is already on another line.")]
        if qty is None:
            problems[field] = [_("A quantity greater than zero.")]
        if problems:
            errors[str(i)] = problems
            continue
        seen.add(lot.id)
        clean.append((lot, qty))
    if errors:
        raise ValidationFailed(_("Please correct the highlighted lines."), fields={"lines": errors})
    return clean


def stock_problems(clean, location):
    """{line index: {"quantity": [message]}} for the lines asking more of a lot than is
    available at `location`: on hand less what confirmed orders reserve there (DESIGN
    "Reservation"), so that the ledger does not refuse the movement later. The message names
    the lot and what is reserved."""
    rows = {r.lot_id: r for r in db.session.execute(
        select(StockBalance.lot_id, StockBalance.quantity, StockBalance.reserved).where(
            StockBalance.location_id == location.id,
            StockBalance.lot_id.in_({lot.id for lot, _q in clean} or {0})))}
    errors = {}
    for i, (lot, qty) in enumerate(clean):
        row = rows.get(lot.id)
        on_hand = row.quantity if row is not None else Decimal(0)
        reserved = row.reserved if row is not None else Decimal(0)
        free = on_hand - reserved
        if qty <= free:
            continue
        if reserved > 0:  # quantities in the reader's language (Babel: "3", "2,5")
            message = _("Only %(free)s of lot %(lot)s available at %(location)s: %(reserved)s of "
                        "its %(qty)s are reserved for orders.", free=format_decimal(free),
                        lot=lot.code, location=location.name_fr,
                        reserved=format_decimal(reserved), qty=format_decimal(on_hand))
        else:
            message = _("Only %(qty)s of lot %(lot)s at %(location)s.", qty=format_decimal(on_hand),
                        lot=lot.code, location=location.name_fr)
        errors[str(i)] = {"quantity": [message]}
    return errors


def _check_sendable(clean, source, kind, today):
    """At drafting: each lot must be available at the source (on hand less reserved); no
    expired lot goes to a shop."""
    errors = stock_problems(clean, source)
    if errors:
        raise DomainError(_("Not enough stock at the source for some lines."),
                          code="insufficient_stock", fields={"lines": errors})
    if kind == "transfer":
        blocks = current_blocks({lot.id for lot, _q in clean})
        for i, (lot, _q) in enumerate(clean):
            if lot.id in blocks:
                raise DomainError(blocked_message(lot.code, blocks[lot.id]), code="lot_blocked",
                                  fields={"lines": {str(i): {"lot_id": [blocks[lot.id].reason]}}})
        expired = [lot.code for lot, _q in clean if lot.best_before and lot.best_before < today]
        if expired:
            raise DomainError(_("Expired lots cannot be sent to a shop: %(lots)s.",
                                lots=", ".join(expired)), code="expired_lot",
                              fields={"lines": {"lot_id": expired}})


def _check_route(source, destination, kind):
    """Distinct locations; a return goes from a shop to a warehouse zone."""
    if source.id == destination.id:
        raise ValidationFailed(_("Source and destination must differ."), code="same_location",
                               fields={"to_location_id": [_("Source and destination must differ.")]})
    if kind not in TRANSFER_KINDS:
        raise ValidationFailed(_("Unknown kind of transfer."), fields={"kind": [kind]})
    if kind == "return" and not (source.kind == KIND_SHOP and destination.kind == KIND_WAREHOUSE):
        raise ValidationFailed(_("A return goes from a shop back to a warehouse zone."),
                               code="bad_return", fields={"kind": [_("Shop to warehouse only.")]})


def default_kind(source, destination):
    """Shop → warehouse is a return; anything else an ordinary transfer."""
    return "return" if source.kind == KIND_SHOP and destination.kind == KIND_WAREHOUSE else "transfer"


def create_transfer(from_location_id, to_location_id, lines, *, kind=None, note=None,
                    user_id=None, today=None):
    """Draft a transfer of lots `lines` ([{"lot_id", "quantity"}]); nothing moves yet."""
    source = real_location(from_location_id, "from_location_id")
    destination = real_location(to_location_id, "to_location_id")
    kind = kind or default_kind(source, destination)
    _check_route(source, destination, kind)
    clean = clean_lot_lines(lines)
    _check_sendable(clean, source, kind, today or clock.today())
    transfer = Transfer(number=next_number(TRANSFER_PREFIX), kind=kind, state="draft",
                        from_location=source, to_location=destination,
                        note=(note or "").strip()[:255] or None, created_by_id=user_id)
    transfer.lines = [TransferLine(lot=lot, quantity=qty) for lot, qty in clean]
    db.session.add(transfer)
    db.session.flush()
    return transfer


def lock_transfer(transfer_id):
    """The transfer row, locked for this transaction (SELECT … FOR UPDATE); 404 if absent."""
    transfer = db.session.execute(
        select(Transfer).where(Transfer.id == transfer_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar()
    if transfer is None:
        raise NotFound(_("No such transfer."))
    return transfer


def _require_draft(transfer):
    """Only a draft may be edited, cancelled or dispatched."""
    if transfer.state == "cancelled":
        raise DomainError(_("Transfer %(number)s was cancelled.", number=transfer.number),
                          code="transfer_cancelled")
    if transfer.state != "draft":
        raise DomainError(_("Transfer %(number)s has already been dispatched.",
                            number=transfer.number), code="already_dispatched")


def update_transfer(transfer_id, *, lines=None, from_location_id=None, to_location_id=None,
                    note=None, kind=None, today=None):
    """Edit a draft: replace its lines and/or locations and note. 409 once dispatched."""
    transfer = lock_transfer(transfer_id)
    _require_draft(transfer)
    source = (real_location(from_location_id, "from_location_id") if from_location_id is not None
              else transfer.from_location)
    destination = (real_location(to_location_id, "to_location_id") if to_location_id is not None
                   else transfer.to_location)
    if kind is None and (from_location_id is not None or to_location_id is not None):
        kind = default_kind(source, destination)
    kind = kind or transfer.kind
    _check_route(source, destination, kind)
    if lines is not None:
        clean = clean_lot_lines(lines)
    else:
        clean = [(line.lot, line.quantity) for line in transfer.lines]
    _check_sendable(clean, source, kind, today or clock.today())
    transfer.from_location, transfer.to_location, transfer.kind = source, destination, kind
    if note is not None:
        transfer.note = note.strip()[:255] or None
    if lines is not None:
        transfer.lines = []
        db.session.flush()  # the old lines go first: (transfer, lot) is unique
        transfer.lines = [TransferLine(lot=lot, quantity=qty) for lot, qty in clean]
    db.session.flush()
    return transfer


def cancel_transfer(transfer_id, user_id=None):
    """Cancel a draft (nothing had moved); its replenishment request, if any, reopens."""
    transfer = lock_transfer(transfer_id)
    _require_draft(transfer)
    transfer.state = "cancelled"
    transfer.cancelled_at = utcnow()
    request = transfer.request
    if request is not None and request.state == "fulfilled":
        request.state, request.transfer_id = "open", None
        request.fulfilled_at = request.fulfilled_by_id = None
    db.session.flush()
    return transfer


def dispatch_transfer(transfer_id, user_id=None):
    """Send a draft: its lots leave the source for TRANSIT. 409 if not a draft or short."""
    transfer = lock_transfer(transfer_id)
    _require_draft(transfer)
    transit = virtual_location("TRANSIT").id
    kind = "return" if transfer.kind == "return" else "dispatch"
    post_movements([Move(line.lot_id, line.quantity, transfer.from_location_id, transit)
                    for line in transfer.lines], kind=kind, user_id=user_id,
                   document_type=DOC_TRANSFER, document_id=transfer.id, note=transfer.number)
    transfer.state = "dispatched"
    transfer.dispatched_at = utcnow()
    transfer.dispatched_by_id = user_id
    db.session.flush()
    return transfer


def _clean_receipt(transfer, lines):
    """Validate receipt lines against what was sent; omitted lines arrive in full.

    Returns {line: (received, reason)}.
    """
    by_lot = {line.lot_id: line for line in transfer.lines}
    result = {line: (line.quantity, None) for line in transfer.lines}
    errors, over, seen = {}, [], set()
    for i, item in enumerate(lines or []):
        lot_id = item.get("lot_id")
        line = by_lot.get(lot_id) if isinstance(lot_id, int) else None
        received = parse_quantity(item.get("quantity_received"), allow_zero=True)
        reason = (item.get("reason") or "").strip() or None
        problems = {}
        if reason and len(reason) > 255:
            problems["reason"] = [_("At most 255 characters.")]
        if line is None:
            problems["lot_id"] = [_("This lot is not on the transfer.")]
        elif lot_id in seen:
            problems["lot_id"] = [_("This lot is already on another line.")]
        if received is None:
            problems["quantity_received"] = [_("A quantity of zero or more.")]
        elif line is not None and received < line.quantity and not reason:
            problems["reason"] = [_("Say why the quantity received is short (broken, missing…).")]
        if problems:
            errors[str(i)] = problems
            continue
        seen.add(lot_id)
        if received > line.quantity:
            over.append((i, line, received))
        result[line] = (received, reason)
    if errors:
        raise ValidationFailed(_("Please correct the highlighted lines."), fields={"lines": errors})
    if over:
        raise DomainError(
            _("More received than was sent: %(lots)s.",
              lots=", ".join(f"{line.lot.code} ({rec} > {line.quantity})" for _i, line, rec in over)),
            code="over_received",
            fields={"lines": {str(i): {"quantity_received": [_("At most %(qty)s.", qty=line.quantity)]}
                              for i, line, _r in over}})
    return result


def receive_transfer(transfer_id, lines=None, user_id=None):
    """Record what arrived: TRANSIT → destination ("receipt"), shortfall TRANSIT → LOSS ("loss")."""
    transfer = lock_transfer(transfer_id)
    if transfer.state == "draft":
        raise DomainError(_("Transfer %(number)s has not been dispatched yet.",
                            number=transfer.number), code="not_dispatched")
    if transfer.state == "received":
        raise DomainError(_("Transfer %(number)s has already been received.",
                            number=transfer.number), code="already_received")
    if transfer.state == "cancelled":
        raise DomainError(_("Transfer %(number)s was cancelled.", number=transfer.number),
                          code="transfer_cancelled")
    outcome = _clean_receipt(transfer, lines)
    transit = virtual_location("TRANSIT").id
    loss = virtual_location("LOSS").id
    arrivals, losses = [], []
    for line, (received, reason) in outcome.items():
        line.quantity_received = received
        line.loss_reason = reason if received < line.quantity else None
        if received > 0:
            arrivals.append(Move(line.lot_id, received, transit, transfer.to_location_id))
        if received < line.quantity:
            losses.append(Move(line.lot_id, line.quantity - received, transit, loss, note=reason))
    common = dict(user_id=user_id, document_type=DOC_TRANSFER, document_id=transfer.id)
    if arrivals:
        post_movements(arrivals, kind="receipt", note=transfer.number, **common)
    if losses:
        post_movements(losses, kind="loss", **common)
        # Lost in transit, in the platform's care: propose to make the cooperatives whole.
        record_losses([{"lot_id": m.lot_id, "quantity": m.quantity, "location_id": transit,
                        "reason": m.note} for m in losses], loss_kind="transit_shortfall",
                      document_type=DOC_TRANSFER, document_id=transfer.id, user_id=user_id)
    transfer.state = "received"
    transfer.received_at = utcnow()
    transfer.received_by_id = user_id
    db.session.flush()
    return transfer


def fefo_lots(product_id, location_id, today=None):
    """Lots of a product available at a location (on hand less what orders reserve),
    first-expired first, expired ones skipped.

    Returns [(Lot, available quantity)]; lots without a best-before come last.
    """
    today = today or clock.today()
    free = StockBalance.quantity - StockBalance.reserved
    rows = db.session.execute(
        select(Lot, free)
        .join(StockBalance, StockBalance.lot_id == Lot.id)
        .where(Lot.product_id == product_id, StockBalance.location_id == location_id,
               free > 0,
               (Lot.best_before.is_(None)) | (Lot.best_before >= today))
        .order_by(Lot.best_before.is_(None), Lot.best_before, Lot.id)
    ).all()
    return [(lot, qty) for lot, qty in rows]


def propose_fefo(location_id, wanted, today=None):
    """Lines first-expired-first-out covering `wanted` ({product_id: quantity}) from a location.

    Returns (lines [{"lot_id", "quantity"}], shortages {product_id: quantity missing}).
    """
    lines, shortages = [], {}
    for product_id, qty in wanted.items():
        left = Decimal(qty)
        for lot, on_hand in fefo_lots(product_id, location_id, today):
            if left <= 0:
                break
            take = min(left, on_hand)
            lines.append({"lot_id": lot.id, "quantity": take})
            left -= take
        if left > 0:
            shortages[product_id] = left
    return lines, shortages
