"""The packaging service: bulk lots of one cooperative become a lot of packaged units.

Quantities of the inputs are everything consumed: the packed content plus the waste (and any
overfill, shown as the yield). Movements, all under document ("packaging_run", id):
  inputs   location → PRODUCTION   kind packaging_input   (each input lot, its full quantity)
  waste    PRODUCTION → LOSS       kind waste             (shared over the inputs, in order)
  output   PRODUCTION → location   kind packaging_output  (the new lot, in pieces)
The output lot keeps its inputs as parents (lot_parents, with quantities), belongs to the
inputs' cooperative, and expires no later than the earliest input. Flushes, never commits.
"""
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import insert, select

from extensions import db
from models.compensations import record_losses
from models.catalogue import KIND_UNIT, Product
from models.consignment_posting import charge_packaging_fee
from models.errors import ValidationFailed
from models.ledger import Move, post_movements
from models.masterdata import virtual_location
from models.warehouse_receptions import _int
from models.stock import KIND_WAREHOUSE, Location, Lot, lot_parents
from models.warehouse import (PackagingInput, PackagingRun, new_lot, parse_date,
                              parse_quantity)
from models import clock


def _check_inputs(inputs, errors):
    """Validate the input lines; returns [(lot, quantity)] for the valid ones."""
    if not inputs:
        errors["inputs"] = [_("Add at least one input lot.")]
        return []
    ids = [_int(raw.get("lot_id")) for raw in inputs]
    lots = {lot.id: lot for lot in db.session.execute(
        select(Lot).where(Lot.id.in_(set(ids) - {None}))).scalars()}
    clean, seen = [], set()
    for i, raw in enumerate(inputs):
        key = f"inputs.{i}."
        lot = lots.get(ids[i])
        qty = parse_quantity(raw.get("quantity"), errors, key + "quantity")
        if lot is None:
            errors[key + "lot_id"] = [_("Unknown lot.")]
            continue
        if lot.id in seen:
            errors[key + "lot_id"] = [_("This lot is listed twice.")]
        elif not lot.product.is_bulk:
            errors[key + "lot_id"] = [_("Only bulk lots can be packaged.")]
        seen.add(lot.id)
        if qty is not None:
            clean.append((lot, qty))
    coops = {lot.cooperative_id for lot, _q in clean}
    if len(coops) > 1:
        errors["inputs"] = [_("All input lots must belong to the same cooperative: a packaged "
                              "lot has one owner.")]
    return clean


def _check_output(product, units, waste, clean, errors):
    """Output product, units and waste against what the inputs hold."""
    if product is None:
        errors["output_product_id"] = [_("Unknown product.")]
        return
    if product.kind != KIND_UNIT:
        errors["output_product_id"] = [_("The output must be a packaged unit product.")]
        return
    uoms = {lot.product.uom for lot, _q in clean}
    if uoms and uoms != {product.content_uom}:
        errors["output_product_id"] = [
            _("The net content of this product is not in the unit of the input lots.")]
        return
    consumed = sum((q for _lot, q in clean), Decimal(0))
    if not clean or units is None or waste is None:
        return
    if waste >= consumed:
        errors["waste_quantity"] = [_("Waste must be less than what the inputs consume.")]
    elif units * product.net_content > consumed - waste:
        errors["output_units"] = [_(
            "%(units)s × %(content)s is more than the %(available)s left once waste is taken.",
            units=units, content=product.net_content.normalize(),
            available=(consumed - waste).normalize())]


def _share_waste(clean, waste):
    """Waste attributed to the inputs in the order given (each at most its own quantity)."""
    shares, left = [], waste
    for _lot, qty in clean:
        share = min(qty, left)
        shares.append(share)
        left -= share
    return shares


def package(*, location_id, inputs, output_product_id, output_units, waste_quantity=None,
            best_before=None, user_id=None, note=None, today=None):
    """Run a packaging: consume the inputs, write waste off, create the output lot.

    ValidationFailed (422) for bad input or inputs of several cooperatives; InsufficientStock
    (409, naming the lot) when an input holds less at the location. Returns the PackagingRun.
    """
    errors = {}
    today = today or clock.today()
    location = db.session.get(Location, _int(location_id)) if _int(location_id) else None
    if location is None or location.kind != KIND_WAREHOUSE or not location.active:
        errors["location_id"] = [_("Choose a warehouse location.")]
    clean = _check_inputs(inputs, errors)
    pid = _int(output_product_id)
    product = db.session.get(Product, pid) if pid else None
    units = parse_quantity(output_units, errors, "output_units", integral=True)
    waste = parse_quantity(waste_quantity, errors, "waste_quantity", allow_zero=True)
    _check_output(product, units, waste, clean, errors)
    bb = parse_date(best_before, errors, "best_before")
    input_bbs = [lot.best_before for lot, _q in clean if lot.best_before]
    earliest = min(input_bbs) if input_bbs else None
    if bb is None and not errors:
        limits = [d for d in (earliest, product.shelf_life_days is not None
                              and today + timedelta(days=product.shelf_life_days)) if d]
        bb = min(limits) if limits else None
    if bb and earliest and bb > earliest:
        errors["best_before"] = [_("No later than the earliest input's best-before (%(date)s).",
                                   date=earliest.isoformat())]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)

    units = int(units)
    coop_id = clean[0][0].cooperative_id
    consumed = sum((q for _lot, q in clean), Decimal(0))
    harvests = [lot.harvest_date for lot, _q in clean if lot.harvest_date]
    out = new_lot(product, coop_id, today, production_date=today, best_before=bb,
                  harvest_date=min(harvests) if harvests else None, origin_type="packaging_run")
    run = PackagingRun(location_id=location.id, cooperative_id=coop_id, output_product_id=product.id,
                       output_lot_id=out.id, output_units=units, consumed_quantity=consumed,
                       waste_quantity=waste, best_before=bb, user_id=user_id,
                       note=(note or "").strip()[:255] or None)
    db.session.add(run)
    db.session.flush()
    out.origin_id = run.id
    shares = _share_waste(clean, waste)
    for (lot, qty), share in zip(clean, shares):
        db.session.add(PackagingInput(run_id=run.id, lot_id=lot.id, quantity=qty,
                                      waste_quantity=share))
    db.session.execute(insert(lot_parents), [
        {"child_lot_id": out.id, "parent_lot_id": lot.id, "quantity": qty} for lot, qty in clean])

    production, doc = virtual_location("PRODUCTION").id, {"document_type": "packaging_run",
                                                           "document_id": run.id, "user_id": user_id}
    post_movements([Move(lot.id, qty, location.id, production) for lot, qty in clean],
                   kind="packaging_input", **doc)
    wasted = [Move(lot.id, s, production, virtual_location("LOSS").id)
              for (lot, _q), s in zip(clean, shares) if s > 0]
    if wasted:
        post_movements(wasted, kind="waste", **doc)
        # Packaging waste is the cooperative's by agreement: recorded as borne, not proposed.
        record_losses([{"lot_id": m.lot_id, "quantity": m.quantity, "location_id": location.id}
                       for m in wasted], loss_kind="packaging_waste", document_type="packaging_run",
                      document_id=run.id, user_id=user_id)
    post_movements([Move(out.id, Decimal(units), production, location.id)],
                   kind="packaging_output", **doc)
    charge_packaging_fee(cooperative_id=coop_id, units=units, document_id=run.id, user_id=user_id)
    db.session.flush()
    return run
