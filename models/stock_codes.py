"""The one resolver of scanned codes: what a lot code, a GS1 string or a GTIN names, here.

A USB scanner types the code then Enter. Labels carry GS1-128 (and, where the layout has
room, a GS1 DataMatrix) with (01) GTIN, (17) best-before and (10) lot when the product has
a GTIN, otherwise a Code 128 of the lot code, and an EAN-13 of the GTIN beside it.

Every place that reads a code (the till, transfers, counts, returns to cooperatives,
replenishment requests, the lot search) asks this module, and the rule is one:
- a lot-bearing code (a lot code, a GS1 string with (10)) takes that lot;
- a product-only code (EAN-13, GTIN-14, GS1 without (10)) is taken directly only when a
  single lot of the product is in stock at that location (not blocked, not expired where the
  goods are to leave); otherwise `ChooseLot` (409 `choose_lot`) carries the candidates,
  first-expiring first, and the user picks one. Never a silent choice between two lots: they
  may belong to two cooperatives, and the lot sold is the lot whose cooperative gets paid.
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
from models.cooperatives import Cooperative
from models.errors import DomainError, NotFound
from models.stock import REAL_KINDS, Location, Lot, StockBalance
from models.stock_blocks import blocked_message, current_blocks

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
    """A lot found for a scanned code, with its stock at the location asked about."""

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
    cooperative_fr: str = ""
    cooperative_ar: str = ""

    def as_json(self):
        """The API's view: decimals as strings, the date in ISO 8601."""
        return {"lot_id": self.lot_id, "lot_code": self.lot_code, "product_id": self.product_id,
                "name_fr": self.name_fr, "name_ar": self.name_ar, "uom": self.uom,
                "unit_price": None if self.unit_price is None else str(self.unit_price),
                "best_before": self.best_before.isoformat() if self.best_before else None,
                "available": str(self.available), "cooperative_id": self.cooperative_id,
                "cooperative_fr": self.cooperative_fr, "cooperative_ar": self.cooperative_ar}


class ChooseLot(DomainError):
    """A product-only code names several lots here: the user must choose (409 `choose_lot`,
    the candidates in `fields.candidates`, first-expiring first)."""

    code = "choose_lot"

    def __init__(self, product_name, candidates):
        self.candidates = candidates
        super().__init__(
            _("Several lots of %(product)s are here: choose the lot (%(lots)s).",
              product=product_name, lots=", ".join(
                  f"{c.lot_code} · {c.cooperative_fr}" for c in candidates[:6])),
            fields={"product_id": candidates[0].product_id,
                    "candidates": [c.as_json() for c in candidates]})


def _lot_rows(location_id):
    """lot + product + cooperative + balance at the location, the columns the till needs."""
    return (
        select(Lot.id, Lot.code, Lot.product_id, Lot.best_before, Lot.cooperative_id,
               Product.name_fr, Product.name_ar, Product.uom, Product.retail_price,
               Product.category, StockBalance.quantity, StockBalance.reserved,
               Cooperative.name_fr.label("coop_fr"), Cooperative.name_ar.label("coop_ar"))
        .join(Product, Product.id == Lot.product_id)
        .join(Cooperative, Cooperative.id == Lot.cooperative_id)
        .outerjoin(StockBalance, (StockBalance.lot_id == Lot.id)
                   & (StockBalance.location_id == location_id))
    )


def _resolved(row):
    """A Resolved from one _lot_rows row; `available` is what confirmed orders do not hold
    (on hand less reserved, DESIGN "Reservation")."""
    available = (row.quantity or Decimal(0)) - (getattr(row, "reserved", None) or Decimal(0))
    return Resolved(row.id, row.code, row.product_id, row.name_fr, row.name_ar, row.uom,
                    row.retail_price, row.best_before, available,
                    row.cooperative_id, row.category, getattr(row, "coop_fr", ""),
                    getattr(row, "coop_ar", ""))


def _check_sellable(item, today):
    """Refuse a blocked or expired lot, or one with nothing left at this shop (409, said to
    the cashier; a blocked lot's message names the recall)."""
    block = current_blocks({item.lot_id}).get(item.lot_id)
    if block is not None:
        raise DomainError(blocked_message(item.lot_code, block), code="lot_blocked",
                          fields={"lot_id": item.lot_id, "lot_code": item.lot_code,
                                  "reason": block.reason})
    if item.best_before is not None and item.best_before < today:
        raise DomainError(_("Lot %(lot)s expired on %(date)s: do not sell it.", lot=item.lot_code,
                            date=item.best_before.isoformat()), code="lot_expired",
                          fields={"lot_id": item.lot_id, "lot_code": item.lot_code})
    if item.available <= 0:
        raise DomainError(_("Nothing left of lot %(lot)s at this shop.", lot=item.lot_code),
                          code="out_of_stock", fields={"lot_id": item.lot_id, "lot_code": item.lot_code})
    return item


def lot_at_shop(location_id, *, lot_id=None, lot_code=None):
    """The lot (by id or code) with its stock at this location, or None."""
    query = _lot_rows(location_id)
    query = query.where(Lot.id == lot_id) if lot_id is not None else query.where(Lot.code == lot_code)
    row = db.session.execute(query).first()
    return _resolved(row) if row else None


def _usable(query, today, unreserved=False):
    """Only lots with stock (with `unreserved`: stock that no order holds), not expired on
    `today`."""
    stock = StockBalance.quantity - StockBalance.reserved if unreserved else StockBalance.quantity
    return query.where(stock > 0, (Lot.best_before.is_(None)) | (Lot.best_before >= today))


def _fefo(query):
    """First-expired first (no best-before last), then oldest lot."""
    return query.order_by(Lot.best_before.is_(None), Lot.best_before, Lot.id)


def _unblocked(items):
    """Drop the lots blocked now."""
    blocks = current_blocks({i.lot_id for i in items})
    return [i for i in items if i.lot_id not in blocks]


def candidates(location_id, product_id, today=None, *, usable_only=True, unreserved=False):
    """The lots of a product in stock at a location, first-expiring first: with
    `usable_only`, neither blocked nor expired (what may leave); otherwise every lot on hand
    (what a count or a return to the cooperative may name). With `unreserved` (the till),
    only lots with stock that no confirmed order holds."""
    today = today or shop_today()
    query = _lot_rows(location_id).where(Lot.product_id == product_id)
    query = (_usable(query, today, unreserved) if usable_only
             else query.where(StockBalance.quantity > 0))
    items = [_resolved(r) for r in db.session.execute(_fefo(query).limit(200))]
    return _unblocked(items) if usable_only else items


def first_expiring(location_id, product_id, today):
    """The first-expiring usable lot of a product at a location, or None (a proposal, e.g.
    replenishment FEFO; never what a scan takes when there is more than one)."""
    found = candidates(location_id, product_id, today)
    return found[0] if found else None


def identify(code):
    """What a scanned or typed code names, before looking at stock:
    ("lot", lot_code) for a lot code or a GS1 string with (10) of a known lot,
    ("gtin", gtin13) for an EAN-13, a GTIN-14 or a GS1 string with (01) only, or None."""
    code = (code or "").strip()
    if not code:
        return None
    printable = code.replace(GS, "")
    for candidate in (printable, printable.upper()):
        if db.session.execute(select(Lot.id).where(Lot.code == candidate)).scalar() is not None:
            return ("lot", candidate)
    gtin = normalize_gtin(printable)
    if gtin:
        return ("gtin", gtin)
    parts = parse_gs1(code)
    if parts and "10" in parts:
        lot_code = parts["10"]
        if db.session.execute(select(Lot.id).where(Lot.code == lot_code)).scalar() is not None:
            return ("lot", lot_code)
    if parts and "01" in parts and normalize_gtin(parts["01"]):
        return ("gtin", normalize_gtin(parts["01"]))
    return None


def _unknown(code):
    """The 404 of a code that names nothing we know."""
    shown = (code or "").replace(GS, "").strip()[:60]
    return NotFound(_("Unknown code %(code)s.", code=shown), code="unknown_code",
                    fields={"code": shown})


def product_of_code(code):
    """The product a code names (through its lot, or its GTIN), or NotFound: what a
    replenishment request asks more of."""
    meaning = identify(code)
    if meaning is None:
        raise _unknown(code)
    kind, value = meaning
    column = Lot.code if kind == "lot" else Product.gtin
    query = select(Product).join(Lot, Lot.product_id == Product.id) if kind == "lot" else select(Product)
    product = db.session.execute(query.where(column == value).limit(1)).scalar()
    if product is None:
        raise _unknown(code)
    return product


def _product_or_404(gtin):
    """(id, name_fr) of the product with this GTIN, or the unknown-code 404."""
    product = db.session.execute(
        select(Product.id, Product.name_fr).where(Product.gtin == gtin)).first()
    if product is None:
        raise _unknown(gtin)
    return product


def _one_or_choose(product, found, empty_error):
    """The single candidate, ChooseLot when several, `empty_error` when none."""
    if not found:
        raise empty_error
    if len(found) > 1:
        raise ChooseLot(product.name_fr, found)
    return found[0]


def resolve_code(location_id, code, today=None):
    """The lot a scanned `code` sells at this shop. A lot-bearing code sells that lot (refused
    when blocked, expired or not here); a product-only code sells the one sellable lot of the
    product here, or raises ChooseLot with the candidates. NotFound or DomainError said inline."""
    today = today or shop_today()
    meaning = identify(code)
    if meaning is None:
        raise _unknown(code)
    kind, value = meaning
    if kind == "lot":
        return _check_sellable(lot_at_shop(location_id, lot_code=value), today)
    product = _product_or_404(value)
    return _one_or_choose(product, candidates(location_id, product.id, today, unreserved=True),
                          DomainError(
        _("Nothing left of %(product)s at this shop (or only expired or blocked lots).",
          product=product.name_fr), code="out_of_stock", fields={"product_id": product.id}))


def _stocked_anywhere(product_id, today, usable_only):
    """Lots of a product with stock at any real location (no location given)."""
    query = (select(Lot.id).join(StockBalance, StockBalance.lot_id == Lot.id)
             .join(Location, Location.id == StockBalance.location_id)
             .where(Lot.product_id == product_id, StockBalance.quantity > 0,
                    Location.kind.in_(REAL_KINDS)))
    if usable_only:
        query = query.where((Lot.best_before.is_(None)) | (Lot.best_before >= today))
    ids = list(dict.fromkeys(db.session.execute(query).scalars()))
    rows = db.session.execute(_fefo(_lot_rows(None).where(Lot.id.in_(ids or [0])))).all()
    items = [_resolved(r) for r in rows]
    return _unblocked(items) if usable_only else items


def resolve_lot(code, location_id=None, *, usable_only=True, today=None):
    """The lot a scan names in a form (transfer, count, return, lot search) at `location_id`
    (or anywhere when None): a lot-bearing code takes that lot whatever its stock (the
    service checks quantities, blocks and expiry); a product-only code takes the single lot
    of the product in stock there — usable only (not blocked nor expired) when goods are to
    leave — else ChooseLot with the candidates, or a 409 `no_stock` when there is none."""
    today = today or shop_today()
    meaning = identify(code)
    if meaning is None:
        raise _unknown(code)
    kind, value = meaning
    if kind == "lot":
        return lot_at_shop(location_id, lot_code=value)
    product = _product_or_404(value)
    found = (candidates(location_id, product.id, today, usable_only=usable_only)
             if location_id is not None else _stocked_anywhere(product.id, today, usable_only))
    return _one_or_choose(product, found, DomainError(
        _("No lot of %(product)s is in stock here: scan the lot's own barcode or type its code.",
          product=product.name_fr), code="no_stock", fields={"product_id": product.id}))


def search_products(location_id, text, today=None, limit=20):
    """Goods without a label, by name, SKU or lot code: every sellable lot that matches (not
    blocked, not expired, with stock here), first-expiring first within a product — each lot
    its own entry, so choosing one is the cashier's choice, never the till's."""
    today = today or shop_today()
    pattern = f"%{(text or '').strip()}%"
    rows = db.session.execute(
        _usable(_lot_rows(location_id), today, unreserved=True)
        .where(Product.name_fr.ilike(pattern) | Product.name_ar.ilike(pattern)
               | Product.sku.ilike(pattern) | Lot.code.ilike(pattern))
        .order_by(Product.name_fr, Lot.best_before.is_(None), Lot.best_before, Lot.id)
        .limit(200)
    ).all()
    return _unblocked([_resolved(r) for r in rows])[:limit]
