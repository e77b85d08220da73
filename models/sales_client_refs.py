"""Idempotent sales: a client reference posted again must carry the same cart.

The till retries a sale after a network error with the same client reference: the same cart
answers the sale already recorded. The same reference with a different cart is a client bug
(or two carts sharing a reference) that would silently drop the second cart's items: it is
refused with 409 `client_ref_conflict`, naming the first sale.
"""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.errors import DomainError
from models.sales import Sale, SaleLine
from models.stock import Lot
from models.stock_codes import identify
from models.types import money, quantity as round_quantity


def _same_number(a, b, rounding):
    """Two amounts equal once rounded as the sale rounded them."""
    try:
        return rounding(Decimal(str(a if a is not None else 0))) == rounding(Decimal(str(b)))
    except (InvalidOperation, ValueError):
        return False


def _same_lot(line, recorded):
    """The request line names the recorded line's lot (by id, by a lot-bearing code) or, for
    a product-only code, its product."""
    if line.lot_id is not None:
        return line.lot_id == recorded.lot_id
    meaning = identify(line.barcode or "")
    if meaning is None:
        return False
    kind, value = meaning
    if kind == "lot":
        return db.session.execute(select(Lot.id).where(Lot.code == value)).scalar() == recorded.lot_id
    from models.catalogue import Product

    return db.session.execute(select(Product.id).where(Product.gtin == value)).scalar() == recorded.product_id


def same_cart(sale_id, lines):
    """True when `lines` (LineRequest) are the recorded sale's lines, in order."""
    recorded = db.session.execute(select(SaleLine).where(SaleLine.sale_id == sale_id)
                                  .order_by(SaleLine.id)).scalars().all()
    if len(recorded) != len(lines or []):
        return False
    return all(_same_lot(ln, rec) and _same_number(ln.quantity, rec.quantity, round_quantity)
               and _same_number(ln.discount, rec.discount, money)
               for ln, rec in zip(lines, recorded))


def check_same_cart(sale_id, lines, client_ref):
    """Refuse (409 `client_ref_conflict`, naming the first sale) a different cart posted
    again under a client reference already recorded."""
    if same_cart(sale_id, lines):
        return
    number = db.session.execute(select(Sale.number).where(Sale.id == sale_id)).scalar()
    raise DomainError(
        _("Client reference %(ref)s was already used by sale %(number)s with a different cart: "
          "start a new sale (a new reference) for these items.", ref=client_ref, number=number),
        code="client_ref_conflict", fields={"sale_id": sale_id, "number": number,
                                            "client_ref": [_("Already used by another cart.")]})
