"""A scan typed or read into a page form (transfer, count, return, write-off): the one resolver
of models.stock_codes, answered as a lot id or a message to show beside the field."""
from flask_babel import gettext as _

from models.errors import DomainError, NotFound
from models.stock_codes import ChooseLot, resolve_lot
from web.locale import day, language


def scanned_lot(code, location_id=None, usable_only=True):
    """(lot id, None) for a scan the resolver reads as one lot, else (None, message): the
    message lists the candidate lots when the code names only a product."""
    try:
        item = resolve_lot(code, location_id, usable_only=usable_only)
    except ChooseLot as exc:
        arabic = language() == "ar"
        return None, _("Several lots match this code here; scan the lot barcode or type one of: "
                       "%(lots)s.", lots="; ".join(
                           f"{c.lot_code} ({c.cooperative_ar if arabic else c.cooperative_fr}"
                           f"{', ' + day(c.best_before) if c.best_before else ''})"
                           for c in exc.candidates))
    except NotFound:
        return None, _("Unknown lot.")
    except DomainError as exc:
        return None, exc.message
    return item.lot_id, None
