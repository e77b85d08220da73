"""Schemas of the stock-count, return-to-cooperative and shop-stock API resources."""
import marshmallow as ma
from marshmallow import validate as v

from web.fields import ID, Dec, Int, Lines, LotLineInSchema
from models.transfers import COUNT_STATES
from transfers.schemas import LocationRefSchema, TransferSchema, location_out


class CountCreateSchema(ma.Schema):
    """Start a count at a location."""

    location_id = Int(required=True, **ID)


class CountLineInSchema(ma.Schema):
    """A counted quantity (null clears it) and an optional note."""

    lot_id = Int(required=True, **ID)
    counted = Dec(required=True, allow_none=True)
    note = ma.fields.String(allow_none=True, validate=v.Length(max=255))


class CountLinesSchema(ma.Schema):
    """Counted quantities to record."""

    lines = Lines(CountLineInSchema, 500, required=True)


class CountPostSchema(ma.Schema):
    """The reason recorded on every adjustment."""

    reason = ma.fields.String(required=True, validate=v.Length(1, 255))


class CountLineSchema(ma.Schema):
    """A line of the differences report."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    product_id = ma.fields.Integer()
    best_before = ma.fields.Date(allow_none=True)
    expected = Dec()
    counted = Dec(allow_none=True)
    difference = Dec(allow_none=True)
    current = Dec()
    moved_since_snapshot = ma.fields.Boolean()
    note = ma.fields.String(allow_none=True)


class CountSchema(ma.Schema):
    """A stock count: its snapshot, counts and differences."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    number = ma.fields.String()
    location_id = ma.fields.Integer()
    location = ma.fields.Nested(LocationRefSchema)
    state = ma.fields.String(validate=v.OneOf(COUNT_STATES))
    reason = ma.fields.String(allow_none=True)
    started_at = ma.fields.DateTime()
    posted_at = ma.fields.DateTime(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(CountLineSchema))


class CoopReturnCreateSchema(ma.Schema):
    """Goods handed back to their cooperative."""

    cooperative_id = Int(required=True, **ID)
    location_id = Int(required=True, **ID)
    reason = ma.fields.String(required=True, validate=v.Length(1, 255))
    lines = Lines(LotLineInSchema, 500, required=True)


class CoopReturnLineSchema(ma.Schema):
    """A lot handed back."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    product_id = ma.fields.Integer()
    best_before = ma.fields.Date(allow_none=True)
    quantity = Dec()


class CoopReturnSchema(ma.Schema):
    """A return to a cooperative."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    number = ma.fields.String()
    cooperative_id = ma.fields.Integer()
    location_id = ma.fields.Integer()
    location = ma.fields.Nested(LocationRefSchema)
    reason = ma.fields.String()
    created_at = ma.fields.DateTime()
    total_quantity = Dec()
    lines = ma.fields.List(ma.fields.Nested(CoopReturnLineSchema))


class ShopStockArgsSchema(ma.Schema):
    """?location_id= (default: every shop the user may see)."""

    class Meta:
        unknown = ma.EXCLUDE

    location_id = ma.fields.Integer(**ID)


class ShopLotSchema(ma.Schema):
    """A lot on hand at a shop, with its expiry status."""

    class Meta:
        ordered = True

    location_id = ma.fields.Integer()
    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    product_id = ma.fields.Integer()
    product_name_fr = ma.fields.String()
    product_name_ar = ma.fields.String()
    best_before = ma.fields.Date(allow_none=True)
    quantity = Dec()
    status = ma.fields.String(validate=v.OneOf(("ok", "expiring", "expired")))


class ShopStockSchema(ma.Schema):
    """On hand at the shops (first-expired first) and on its way to them."""

    on_hand = ma.fields.List(ma.fields.Nested(ShopLotSchema))
    incoming = ma.fields.List(ma.fields.Nested(TransferSchema))


def count_out(count, report):
    """A count and its differences report as the API shows them."""
    return {
        "id": count.id, "number": count.number, "location_id": count.location_id,
        "location": location_out(count.location), "state": count.state, "reason": count.reason,
        "started_at": count.started_at, "posted_at": count.posted_at,
        "lines": [{k: row[k] for k in CountLineSchema._declared_fields} for row in report],
    }


def coop_return_out(ret):
    """A return to a cooperative as the API shows it."""
    return {
        "id": ret.id, "number": ret.number, "cooperative_id": ret.cooperative_id,
        "location_id": ret.location_id, "location": location_out(ret.location),
        "reason": ret.reason, "created_at": ret.created_at, "total_quantity": ret.total_quantity,
        "lines": [{"lot_id": line.lot_id, "lot_code": line.lot.code,
                   "product_id": line.lot.product_id, "best_before": line.lot.best_before,
                   "quantity": line.quantity} for line in ret.lines],
    }
