"""Returns to a cooperative: goods handed back leave consignment, from their location to the
virtual SUPPLIERS location, movement kind "return_to_cooperative". Posted at once (the
cooperative's representative signs the printed return slip when taking the goods)."""
from flask_babel import gettext as _

from extensions import db
from models.cooperatives import Cooperative
from models.errors import DomainError, ValidationFailed
from models.ledger import Move, post_movements
from models.masterdata import virtual_location
from models.transfers_posting import clean_lot_lines, real_location, stock_problems
from models.transfers import DOC_COOPERATIVE_RETURN, CooperativeReturn, CooperativeReturnLine, \
    next_number

RETURN_PREFIX = "RC"


def create_cooperative_return(cooperative_id, location_id, lines, reason, *, user_id=None):
    """Hand lots ([{"lot_id", "quantity"}]) at a location back to their cooperative.

    Every lot must belong to that cooperative (422 "wrong_cooperative"); stock is checked by
    the ledger (409 "insufficient_stock").
    """
    coop = db.session.get(Cooperative, cooperative_id) if isinstance(cooperative_id, int) else None
    if coop is None:
        raise ValidationFailed(_("Unknown cooperative."), fields={"cooperative_id": [_("Unknown cooperative.")]})
    location = real_location(location_id, "location_id")
    reason = (reason or "").strip()[:255]
    if not reason:
        raise ValidationFailed(_("Say why the goods go back."), code="reason_required",
                               fields={"reason": [_("This field is required.")]})
    clean = clean_lot_lines(lines)
    foreign = {str(i): {"lot_id": [_("Lot %(lot)s belongs to another cooperative.", lot=lot.code)]}
               for i, (lot, _q) in enumerate(clean) if lot.cooperative_id != coop.id}
    if foreign:
        raise ValidationFailed(_("Every lot of a return must belong to that cooperative."),
                               code="wrong_cooperative", fields={"lines": foreign})
    short = stock_problems(clean, location)
    if short:
        raise DomainError(_("Not enough stock at %(location)s for some lines.",
                            location=location.name_fr), code="insufficient_stock",
                          fields={"lines": short})
    ret = CooperativeReturn(number=next_number(RETURN_PREFIX), cooperative=coop,
                            location=location, reason=reason, created_by_id=user_id)
    ret.lines = [CooperativeReturnLine(lot=lot, quantity=qty) for lot, qty in clean]
    db.session.add(ret)
    db.session.flush()
    suppliers = virtual_location("SUPPLIERS").id
    post_movements([Move(lot.id, qty, location.id, suppliers) for lot, qty in clean],
                   kind="return_to_cooperative", user_id=user_id,
                   document_type=DOC_COOPERATIVE_RETURN, document_id=ret.id, note=reason)
    return ret
