"""Schemas of the master data over the API: cooperatives, products, locations."""
import marshmallow as ma
from marshmallow import validate as v

from models.catalogue import CATEGORIES, KINDS, UOMS
from models.cooperatives import PROVINCES
from models.stock import LOCATION_KINDS
from web.fields import Dec, Int, StrictBoolean


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
