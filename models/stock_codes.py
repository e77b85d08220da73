"""What a scanned code means at a shop: a lot code, a GS1-128 string or a GTIN.

A USB scanner types the code then Enter. Labels carry GS1-128 with (01) GTIN, (17)
best-before and (10) lot when the product has a GTIN, otherwise a Code 128 of the lot
code, and an EAN-13 of the GTIN beside it. A lot sells that lot; a GTIN sells the shop's
first-expiring lot of the product that has stock and is not expired.
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from stdnum import ean, gs1_128

from extensions import db
from models import clock
from models.catalogue import Product
from models.errors import DomainError, NotFound
from models.stock import Lot, StockBalance

GS = "\x1d"
# The application identifiers a label or a supplier's code may carry that we read.
KNOWN_AIS = {"00", "01", "02", "10", "11", "12", "13", "15", "16", "17", "20", "21", "22", "30",
             "37", "240", "241", "250", "251", "400", "401"}


def shop_today():
    """Today's date in Morocco: a lot is sellable through its best-before day."""
    return clock.today()


def parse_gs1(code):
    """The application identifiers of a GS1-128 string as {ai: text}, or None.

    Parsed by python-stdnum's `gs1_128.info`. Accepts the `]C1` symbology prefix, GS (0x1D)
    or a leading FNC1 as separators, and the human-readable form "(01)…(17)…(10)…". Dates
    keep their printed YYMMDD form; an identifier outside KNOWN_AIS makes the code unknown.
    """
    text = (code or "").strip()
    if text.startswith("]C1"):
        text = text[3:]
    if text.startswith("("):
        chunks = text.split("(")[1:]
        if any(")" not in chunk or not chunk.partition(")")[0].isdigit() for chunk in chunks):
            return None
        text = GS.join(chunk.replace(")", "", 1).strip() for chunk in chunks)
    text = text.replace("\xf1", GS).lstrip(GS)
    if not text:
        return None
    try:
        parts = gs1_128.info(text, separator=GS)
    except (ValueError, ArithmeticError):  # stdnum's ValidationError is a ValueError
        return None
    if not parts or not set(parts) <= KNOWN_AIS:
        return None
    return {ai: _printed(text, ai, value) for ai, value in parts.items()}


def _printed(text, ai, value):
    """A parsed value as printed in the code: dates back to YYMMDD, the rest as text."""
    if isinstance(value, (date, datetime)):
        return value.strftime("%y%m%d")
    return str(value)


def build_gs1(values, parentheses=False, fnc1="\xf1"):
    """A GS1-128 element string from {ai: value} by python-stdnum (fixed-length identifiers
    first, so the variable-length lot (10) needs no separator when last), with the leading
    FNC1 a symbol starts with, or the bracketed human-readable line."""
    encoded = gs1_128.encode(values, separator=fnc1, parentheses=parentheses)
    return encoded if parentheses else fnc1 + encoded


def normalize_gtin(value):
    """A GTIN-13 from a 13-digit EAN or a 14-digit GTIN with a leading zero, else None."""
    value = (value or "").strip()
    if len(value) == 14 and value.startswith("0"):
        value = value[1:]
    if len(value) == 13 and value.isdigit() and ean.is_valid(value):
        return value
    return None


@dataclass
class Resolved:
    """A sellable lot found for a scanned code at a shop."""

    lot_id: int
    lot_code: str
    product_id: int
    name_fr: str
    name_ar: str
    uom: str
    unit_price: Decimal | None
    best_before: date | None
    available: Decimal
    cooperative_id: int
    category: str


def _lot_rows(location_id):
    """lot + product + balance at the shop, the columns the till needs."""
    return (
        select(Lot.id, Lot.code, Lot.product_id, Lot.best_before, Lot.cooperative_id,
               Product.name_fr, Product.name_ar, Product.uom, Product.retail_price,
               Product.category, StockBalance.quantity)
        .join(Product, Product.id == Lot.product_id)
        .outerjoin(StockBalance, (StockBalance.lot_id == Lot.id)
                   & (StockBalance.location_id == location_id))
    )


def _resolved(row):
    """A Resolved from one _lot_rows row."""
    return Resolved(row.id, row.code, row.product_id, row.name_fr, row.name_ar, row.uom,
                    row.retail_price, row.best_before, row.quantity or Decimal(0),
                    row.cooperative_id, row.category)


def _check_sellable(item, today):
    """Refuse an expired lot or one with nothing left at this shop (409, said to the cashier)."""
    if item.best_before is not None and item.best_before < today:
        raise DomainError(_("Lot %(lot)s expired on %(date)s: do not sell it.", lot=item.lot_code,
                            date=item.best_before.isoformat()), code="lot_expired",
                          fields={"lot_id": item.lot_id, "lot_code": item.lot_code})
    if item.available <= 0:
        raise DomainError(_("Nothing left of lot %(lot)s at this shop.", lot=item.lot_code),
                          code="out_of_stock", fields={"lot_id": item.lot_id, "lot_code": item.lot_code})
    return item


def lot_at_shop(location_id, *, lot_id=None, lot_code=None):
    """The lot (by id or code) with its stock at this shop, or None."""
    query = _lot_rows(location_id)
    query = query.where(Lot.id == lot_id) if lot_id is not None else query.where(Lot.code == lot_code)
    row = db.session.execute(query).first()
    return _resolved(row) if row else None


def first_expiring(location_id, product_id, today):
    """The shop's first-expiring non-expired lot of a product with stock, or None."""
    row = db.session.execute(
        _lot_rows(location_id)
        .where(Lot.product_id == product_id, StockBalance.quantity > 0,
               (Lot.best_before.is_(None)) | (Lot.best_before >= today))
        .order_by(Lot.best_before.is_(None), Lot.best_before, Lot.id).limit(1)
    ).first()
    return _resolved(row) if row else None


def _by_gtin(location_id, gtin, today):
    """The first-expiring sellable lot of the product with this GTIN, or a clear refusal."""
    product = db.session.execute(
        select(Product.id, Product.name_fr).where(Product.gtin == gtin)).first()
    if product is None:
        raise NotFound(_("Unknown code %(code)s.", code=gtin), code="unknown_code",
                       fields={"code": gtin})
    item = first_expiring(location_id, product.id, today)
    if item is None:
        raise DomainError(_("Nothing left of %(product)s at this shop (or only expired lots).",
                            product=product.name_fr), code="out_of_stock",
                          fields={"product_id": product.id})
    return item


def resolve_code(location_id, code, today=None):
    """The lot a scanned `code` sells at this shop; NotFound or DomainError said inline."""
    today = today or shop_today()
    code = (code or "").strip()
    if not code:
        raise NotFound(_("Unknown code %(code)s.", code=""), code="unknown_code")
    printable = code.replace(GS, "")
    item = lot_at_shop(location_id, lot_code=printable)
    if item is None and printable.upper() != printable:
        item = lot_at_shop(location_id, lot_code=printable.upper())
    if item is not None:
        return _check_sellable(item, today)
    gtin = normalize_gtin(printable)
    if gtin:
        return _by_gtin(location_id, gtin, today)
    parts = parse_gs1(code)
    if parts and "10" in parts:
        item = lot_at_shop(location_id, lot_code=parts["10"])
        if item is not None:
            return _check_sellable(item, today)
    if parts and "01" in parts and normalize_gtin(parts["01"]):
        return _by_gtin(location_id, normalize_gtin(parts["01"]), today)
    raise NotFound(_("Unknown code %(code)s.", code=printable[:60]), code="unknown_code",
                   fields={"code": printable[:60]})


def search_products(location_id, text, today=None, limit=20):
    """Goods without a label: products whose name matches, each with the lot a sale would
    take (first-expiring with stock here, not expired)."""
    today = today or shop_today()
    pattern = f"%{(text or '').strip()}%"
    rows = db.session.execute(
        _lot_rows(location_id)
        .where(StockBalance.quantity > 0,
               (Lot.best_before.is_(None)) | (Lot.best_before >= today),
               Product.name_fr.ilike(pattern) | Product.name_ar.ilike(pattern)
               | Product.sku.ilike(pattern))
        .order_by(Product.name_fr, Lot.best_before.is_(None), Lot.best_before, Lot.id)
        .limit(200)
    ).all()
    seen, found = set(), []
    for row in rows:
        if row.product_id not in seen:
            seen.add(row.product_id)
            found.append(_resolved(row))
        if len(found) >= limit:
            break
    return found
