"""The reception service: a cooperative's delivery becomes lots in the warehouse.

Each accepted line makes a lot owned by the cooperative, moved by the stock ledger from the
virtual SUPPLIERS location into the receiving warehouse location. Rejected quantities are
recorded with their reason (they never enter stock). Flushes, never commits.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.compensations import record_borne_rejection
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.errors import ValidationFailed
from models.ledger import Move, post_movements
from models.masterdata import virtual_location
from models.stock import KIND_WAREHOUSE, Location
from models.warehouse import Reception, ReceptionLine, new_lot, parse_date, parse_quantity
from models import clock


def _check_line(i, raw, products, today, errors):
    """Validate one line dict; returns the clean values (or None when it has errors)."""
    key = f"lines.{i}."
    before = len(errors)
    product = products.get(_int(raw.get("product_id")))
    if product is None:
        errors[key + "product_id"] = [_("Unknown product.")]
    unit = product is not None and not product.is_bulk
    delivered = parse_quantity(raw.get("quantity_delivered"), errors, key + "quantity_delivered",
                               integral=unit)
    accepted = parse_quantity(raw.get("quantity_accepted"), errors, key + "quantity_accepted",
                              allow_zero=True, integral=unit)
    rejected = parse_quantity(raw.get("quantity_rejected"), errors, key + "quantity_rejected",
                              allow_zero=True, integral=unit)
    reason = (raw.get("rejection_reason") or "").strip() or None
    harvest = parse_date(raw.get("harvest_date"), errors, key + "harvest_date")
    best_before = parse_date(raw.get("best_before"), errors, key + "best_before")
    if None not in (delivered, accepted, rejected) and accepted + rejected != delivered:
        errors[key + "quantity_rejected"] = [
            _("Accepted and rejected must add up to the quantity delivered.")]
    if rejected and not reason:
        errors[key + "rejection_reason"] = [_("Say why goods were rejected.")]
    if reason and len(reason) > 255:
        errors[key + "rejection_reason"] = [_("At most 255 characters.")]
    if harvest and harvest > today:
        errors[key + "harvest_date"] = [_("A harvest date cannot be in the future.")]
    if best_before is None and product is not None and product.shelf_life_days is not None:
        best_before = (harvest or today) + timedelta(days=product.shelf_life_days)
    if best_before and harvest and best_before < harvest:
        errors[key + "best_before"] = [_("Best-before cannot be before the harvest date.")]
    if len(errors) > before:
        return None
    return dict(product=product, delivered=delivered, accepted=accepted, rejected=rejected,
                reason=reason, harvest=harvest, best_before=best_before)


def _int(value):
    """An id from whatever the client sent, or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def receive(*, cooperative_id, location_id, lines, user_id=None, received_on=None, note=None):
    """Record a delivery; returns the Reception (lines carry their lot).

    Raises ValidationFailed with `fields` keyed "cooperative_id", "location_id" or
    "lines.<i>.<field>" for bad input; nothing is written then.
    """
    errors = {}
    today = received_on or clock.today()
    coop = db.session.get(Cooperative, _int(cooperative_id)) if _int(cooperative_id) else None
    if coop is None or not coop.active:
        errors["cooperative_id"] = [_("Unknown cooperative.")]
    location = db.session.get(Location, _int(location_id)) if _int(location_id) else None
    if location is None or location.kind != KIND_WAREHOUSE or not location.active:
        errors["location_id"] = [_("Choose a warehouse location.")]
    if not lines:
        errors["lines"] = [_("Add at least one line.")]
    ids = {_int(raw.get("product_id")) for raw in lines or []} - {None}
    products = {p.id: p for p in db.session.execute(
        select(Product).where(Product.id.in_(ids), Product.active.is_(True))).scalars()}
    clean = [_check_line(i, raw, products, today, errors) for i, raw in enumerate(lines or [])]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)

    reception = Reception(cooperative_id=coop.id, location_id=location.id, received_on=today,
                          note=(note or "").strip()[:255] or None, user_id=user_id)
    db.session.add(reception)
    db.session.flush()
    moves = []
    suppliers = virtual_location("SUPPLIERS").id
    for c in clean:
        lot = None
        if c["accepted"] > 0:
            lot = new_lot(c["product"], coop.id, today, harvest_date=c["harvest"],
                          best_before=c["best_before"], origin_type="reception",
                          origin_id=reception.id)
            moves.append(Move(lot.id, c["accepted"], suppliers, location.id))
        db.session.add(ReceptionLine(
            reception_id=reception.id, product_id=c["product"].id,
            quantity_delivered=c["delivered"], quantity_accepted=c["accepted"],
            quantity_rejected=c["rejected"], rejection_reason=c["reason"],
            harvest_date=c["harvest"], best_before=c["best_before"],
            lot_id=lot.id if lot else None))
        if c["rejected"]:
            # Rejected at reception: the cooperative's by agreement, recorded as borne.
            record_borne_rejection(cooperative_id=coop.id, product_id=c["product"].id,
                                   quantity=c["rejected"], document_id=reception.id,
                                   reason=c["reason"], user_id=user_id)
    if moves:
        post_movements(moves, kind="reception", user_id=user_id, document_type="reception",
                       document_id=reception.id)
    db.session.flush()
    db.session.expire(reception, ["lines"])
    return reception
