"""Marshmallow schemas of the foundation's resources. Decimals travel as strings."""
import re

import marshmallow as ma
from marshmallow import validate as v

from models.catalogue import CATEGORIES, KINDS, UOMS
from models.cooperatives import PROVINCES
from models.stock import LOCATION_KINDS
from web.digits import DIGIT_CLASS, normalize_digits


DECIMAL_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$"
# What a client may send: the same, in Arabic-Indic or Eastern Arabic digits as well, with the
# Arabic decimal separator; read through web.digits.normalize_digits (one rule with the forms).
DECIMAL_PATTERN_TYPED = rf"^-?[{DIGIT_CLASS}]{{1,12}}([.\u066b][{DIGIT_CLASS}]{{1,4}})?$"


class DecimalString(ma.fields.Decimal):
    """A decimal that travels as a string ("12.50"); NaN and infinity refused.

    Only strings matching DECIMAL_PATTERN are read: a JSON number may already have lost
    precision in the client, and "12,5", "1e30" or " 12" are better refused (422) than guessed.
    """

    default_error_messages = {
        "not_string": 'Send decimal numbers as strings, e.g. "12.50".',
        "pattern": 'Not a decimal number: digits, an optional dot and up to 4 decimals, e.g. "12.50".',
    }

    def __init__(self, **kwargs):
        super().__init__(as_string=True, allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        """A string like "12.50" only; then marshmallow's own checks (places, range)."""
        if not isinstance(value, str):
            raise self.make_error("not_string")
        value = normalize_digits(value)  # "١٢٫٥" is "12.5", as in the forms
        if not re.fullmatch(DECIMAL_PATTERN, value):
            raise self.make_error("pattern")
        return super()._deserialize(value, attr, data, **kwargs)


def decimal_string_openapi(self, field, ret, **kwargs):
    """Document DecimalString as a string with a pattern (its range is checked server side)."""
    if isinstance(field, DecimalString):
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            ret.pop(key, None)
        ret.update({"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN_TYPED})
    return {}


class StrictBoolean(ma.fields.Boolean):
    """A JSON boolean: true or false only (marshmallow would also take 1, "yes", "on"...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        """Only the JSON literals true and false."""
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


DB_ID = v.Range(1, 2**31 - 1)  # PostgreSQL integer keys: a larger id can only be a mistake


def Int(**kw):
    """An integer in a JSON body: a JSON integer only (2.5 or "3" refused, not truncated)."""
    return ma.fields.Integer(strict=True, **kw)


def Dec(**kw):
    """Shorthand for DecimalString(**kw)."""
    return DecimalString(**kw)


class CooperativeSchema(ma.Schema):
    """A cooperative. Payout details appear for admins only."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(dump_only=True)
    name_fr = ma.fields.String(required=True, validate=v.Length(1, 160))
    name_ar = ma.fields.String(required=True, validate=v.Length(1, 160))
    registration_number = ma.fields.String(required=True, validate=v.Length(1, 40))
    province = ma.fields.String(required=True, validate=v.OneOf(PROVINCES))
    phone = ma.fields.String(allow_none=True, validate=v.Length(max=40))
    email = ma.fields.Email(allow_none=True, validate=v.Length(max=120))
    address = ma.fields.String(allow_none=True, validate=v.Length(max=255))
    members_total = Int(validate=v.Range(0, 1_000_000))
    members_women = Int(validate=v.Range(0, 1_000_000))
    members_youth = Int(validate=v.Range(0, 1_000_000))
    commission_rate = Dec(allow_none=True, places=4, validate=v.Range(0, 1, max_inclusive=False))
    payout_bank = ma.fields.String(allow_none=True, validate=v.Length(max=120))
    payout_account = ma.fields.String(allow_none=True, validate=v.Length(max=64))
    payout_holder = ma.fields.String(allow_none=True, validate=v.Length(max=160))
    active = StrictBoolean()


PAYOUT_FIELDS = ("payout_bank", "payout_account", "payout_holder")


class ProductSchema(ma.Schema):
    """A catalogue product; GTIN-13 with a valid check digit."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(dump_only=True)
    sku = ma.fields.String(required=True, validate=v.Length(1, 40))
    name_fr = ma.fields.String(required=True, validate=v.Length(1, 160))
    name_ar = ma.fields.String(required=True, validate=v.Length(1, 160))
    category = ma.fields.String(required=True, validate=v.OneOf(CATEGORIES))
    kind = ma.fields.String(required=True, validate=v.OneOf(KINDS))
    uom = ma.fields.String(required=True, validate=v.OneOf(UOMS))
    net_content = Dec(allow_none=True, places=3, validate=v.Range(0, 100000, min_inclusive=False))
    content_uom = ma.fields.String(allow_none=True, validate=v.OneOf(("kg", "l")))
    gtin = ma.fields.String(allow_none=True, validate=v.Regexp(r"^\d{13}$"))
    retail_price = Dec(allow_none=True, places=2, validate=v.Range(0, 1_000_000))
    shelf_life_days = Int(allow_none=True, validate=v.Range(0, 3650))
    allergens = ma.fields.String(allow_none=True, validate=v.Length(max=255))
    description = ma.fields.String(allow_none=True, validate=v.Length(max=2000))
    active = StrictBoolean()


class LocationSchema(ma.Schema):
    """A location: warehouse, shop or stand (real), or a virtual one."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(required=True, validate=v.Length(1, 32))
    name_fr = ma.fields.String(required=True, validate=v.Length(1, 160))
    name_ar = ma.fields.String(required=True, validate=v.Length(1, 160))
    kind = ma.fields.String(required=True, validate=v.OneOf(LOCATION_KINDS))
    address = ma.fields.String(allow_none=True, validate=v.Length(max=255))
    province = ma.fields.String(allow_none=True, validate=v.Length(max=40))
    active = StrictBoolean()
    is_virtual = ma.fields.Boolean(dump_only=True)


class LotSchema(ma.Schema):
    """A traceable lot, with its parents (the lot genealogy)."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(required=True, validate=v.Length(1, 40))
    product_id = Int(required=True, validate=DB_ID)
    cooperative_id = Int(required=True, validate=DB_ID)
    harvest_date = ma.fields.Date(allow_none=True)
    production_date = ma.fields.Date(allow_none=True)
    best_before = ma.fields.Date(allow_none=True)
    origin_type = ma.fields.String(dump_only=True, allow_none=True)
    origin_id = ma.fields.Integer(dump_only=True, allow_none=True)
    parent_ids = ma.fields.List(ma.fields.Integer(), dump_only=True)


class LotUpdateSchema(ma.Schema):
    """The dates of a lot an admin may correct."""

    harvest_date = ma.fields.Date(allow_none=True)
    production_date = ma.fields.Date(allow_none=True)
    best_before = ma.fields.Date(allow_none=True)


class ListArgsSchema(ma.Schema):
    """Paging and an optional text filter."""

    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(load_default=1, validate=v.Range(1, 1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=v.Range(1, 500))
    q = ma.fields.String(validate=v.Length(max=100))


class StockArgsSchema(ListArgsSchema):
    """Filters of GET /stock."""

    location_id = ma.fields.Integer(validate=v.Range(1, 2**31 - 1))
    product_id = ma.fields.Integer(validate=v.Range(1, 2**31 - 1))
    lot_id = ma.fields.Integer(validate=v.Range(1, 2**31 - 1))
    cooperative_id = ma.fields.Integer(validate=v.Range(1, 2**31 - 1))


class StockItemSchema(ma.Schema):
    """A lot on hand at a location."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer(required=True)
    lot_code = ma.fields.String(required=True)
    product_id = ma.fields.Integer(required=True)
    location_id = ma.fields.Integer(required=True)
    cooperative_id = ma.fields.Integer(required=True)
    quantity = Dec(required=True)
    best_before = ma.fields.Date(allow_none=True)
