"""Services for master data (cooperatives, products, locations): the rules both the admin
pages and the API apply. They flush, never commit, and raise ValidationFailed with fields."""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.catalogue import CATEGORIES, KIND_UNIT, KINDS, UOMS, Product, gtin_is_valid
from models.cooperatives import PROVINCES, Cooperative
from models.errors import DomainError, ValidationFailed
from models.stock import KIND_SHOP, KIND_WAREHOUSE, LOCATION_KINDS, Location

COOPERATIVE_FIELDS = (
    "name_fr", "name_ar", "registration_number", "province", "phone", "email", "address",
    "members_total", "members_women", "members_youth", "commission_rate", "payout_bank",
    "payout_account", "payout_holder", "active",
)
PRODUCT_FIELDS = (
    "sku", "name_fr", "name_ar", "category", "kind", "uom", "net_content", "content_uom",
    "gtin", "retail_price", "shelf_life_days", "allergens", "description", "active",
)
LOCATION_FIELDS = ("code", "name_fr", "name_ar", "kind", "address", "province", "active")


def _unique(model, column, value, current_id, field):
    """Refuse a value another row already holds (409, named field)."""
    if value in (None, ""):
        return
    # No autoflush: the object being edited already holds the new value, and flushing it
    # before the check would hit the unique constraint (a 500) instead of this clear 409.
    with db.session.no_autoflush:
        other = db.session.execute(select(model.id).where(column == value)).scalar()
    if other is not None and other != current_id:
        raise DomainError(_("%(value)s is already used.", value=value), code="duplicate",
                          fields={field: [_("Already used.")]})


def _apply(obj, data, allowed):
    """Copy the allowed keys of `data` onto `obj`, blank strings becoming None."""
    for key in allowed:
        if key in data:
            value = data[key]
            if isinstance(value, str):
                value = value.strip() or None
            setattr(obj, key, value)


def _require(obj, names):
    """Field errors for required values that are missing."""
    errors = {}
    for name in names:
        if getattr(obj, name) in (None, ""):
            errors[name] = [_("This field is required.")]
    return errors


def save_cooperative(data, cooperative=None):
    """Create or update a cooperative from a dict of fields."""
    coop = cooperative or Cooperative()
    _apply(coop, data, COOPERATIVE_FIELDS)
    errors = _require(coop, ("name_fr", "name_ar", "registration_number", "province"))
    if coop.province and coop.province not in PROVINCES:
        errors["province"] = [_("Unknown province.")]
    rate = coop.commission_rate
    if rate is not None and not (Decimal(0) <= Decimal(rate) < 1):
        errors["commission_rate"] = [_("A rate between 0 and 1: 0.15 means 15 percent.")]
    counts = {n: getattr(coop, n) or 0 for n in ("members_total", "members_women", "members_youth")}
    if any(v < 0 for v in counts.values()):
        errors["members_total"] = [_("Member counts cannot be negative.")]
    elif counts["members_women"] > counts["members_total"] or counts["members_youth"] > counts["members_total"]:
        errors["members_women"] = [_("Cannot exceed the total number of members.")]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    _unique(Cooperative, Cooperative.registration_number, coop.registration_number, coop.id,
            "registration_number")
    for name, value in counts.items():
        setattr(coop, name, value)
    if coop.active is None:
        coop.active = True
    _note_own_rate(coop)
    db.session.add(coop)
    db.session.flush()
    return coop


def _note_own_rate(coop):
    """An edited cooperative's own rate is a change of rate from today (its history)."""
    from sqlalchemy import inspect

    from models.consignment_rates import append_rate_change
    from models.stock_codes import shop_today

    history = inspect(coop).attrs.commission_rate.history
    if coop.id is None or not history.has_changes():
        return
    old = history.deleted[0] if history.deleted else None
    if old is not None and coop.commission_rate is not None and Decimal(old) == Decimal(coop.commission_rate):
        return
    append_rate_change(cooperative_id=coop.id, category=None, old_rate=old,
                       rate=coop.commission_rate, effective_from=shop_today())


def save_product(data, product=None):
    """Create or update a product; GTIN check digit and unit rules enforced."""
    prod = product or Product()
    old_category = product.category if product is not None else None
    _apply(prod, data, PRODUCT_FIELDS)
    errors = _require(prod, ("sku", "name_fr", "name_ar", "category", "kind", "uom"))
    if prod.category and prod.category not in CATEGORIES:
        errors["category"] = [_("Unknown category.")]
    if prod.kind and prod.kind not in KINDS:
        errors["kind"] = [_("Choose bulk or packaged unit.")]
    if prod.uom and prod.uom not in UOMS:
        errors["uom"] = [_("Unknown unit.")]
    if prod.kind == KIND_UNIT:
        if prod.uom != "pc":
            errors["uom"] = [_("Packaged units are counted in pieces.")]
        if not prod.net_content or Decimal(prod.net_content) <= 0:
            errors["net_content"] = [_("A packaged unit needs its net content.")]
        if prod.content_uom not in ("kg", "l"):
            errors["content_uom"] = [_("Net content is in kg or litres.")]
    elif prod.kind and prod.uom == "pc":
        errors["uom"] = [_("Bulk goods are counted in kg or litres.")]
    if prod.gtin and not gtin_is_valid(prod.gtin):
        errors["gtin"] = [_("Not a valid GTIN-13: check the 13 digits and the check digit.")]
    if prod.retail_price is not None and Decimal(prod.retail_price) < 0:
        errors["retail_price"] = [_("A price cannot be negative.")]
    if prod.shelf_life_days is not None and prod.shelf_life_days < 0:
        errors["shelf_life_days"] = [_("Shelf life cannot be negative.")]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    _unique(Product, Product.sku, prod.sku, prod.id, "sku")
    _unique(Product, Product.gtin, prod.gtin, prod.id, "gtin")
    if prod.active is None:
        prod.active = True
    db.session.add(prod)
    db.session.flush()
    if product is not None and old_category != prod.category:
        from models.report_cells import move_product  # the open data's cells follow, same transaction

        move_product(prod.id, old_category, prod.category)
    return prod


def save_location(data, location=None):
    """Create or update a real location (virtual ones belong to the system)."""
    loc = location or Location()
    if location is not None and location.is_virtual:
        raise DomainError(_("System locations cannot be edited."), code="system_location")
    old_code = location.code if location is not None else None
    _apply(loc, data, LOCATION_FIELDS)
    errors = _require(loc, ("code", "name_fr", "name_ar", "kind"))
    if loc.kind and loc.kind not in LOCATION_KINDS:
        errors["kind"] = [_("Unknown kind of location.")]
    elif loc.kind and loc.kind not in (KIND_WAREHOUSE, KIND_SHOP):
        errors["kind"] = [_("Only warehouses and shops can be created.")]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    _unique(Location, Location.code, loc.code, loc.id, "code")
    if loc.active is None:
        loc.active = True
    db.session.add(loc)
    db.session.flush()
    if location is not None and old_code != loc.code:
        from models.report_cells import move_location  # the open data's cells follow, same transaction

        move_location(loc.id, old_code, loc.code)
    return loc


def virtual_location(code):
    """A system location by code (SUPPLIERS, CUSTOMERS, LOSS, ADJUSTMENT, PRODUCTION, TRANSIT)."""
    loc = db.session.execute(select(Location).where(Location.code == code)).scalar()
    if loc is None:
        raise RuntimeError(f"system location {code} missing: run the migrations")
    return loc


def ensure_virtual_locations():
    """Create the system locations if missing (migrations do it; tests after truncation too)."""
    from models.stock import VIRTUAL_LOCATIONS

    for code, (kind, name_fr, name_ar) in VIRTUAL_LOCATIONS.items():
        if db.session.execute(select(Location.id).where(Location.code == code)).scalar() is None:
            db.session.add(Location(code=code, kind=kind, name_fr=name_fr, name_ar=name_ar,
                                    active=True))
    db.session.flush()
