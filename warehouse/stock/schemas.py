"""Schemas of lots and stock on hand over the API."""
import marshmallow as ma
from marshmallow import validate as v

from web.fields import DB_ID, Dec, Int, ListArgsSchema


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
