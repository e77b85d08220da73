"""Marshmallow schemas of the warehouse API. Decimals travel as strings, dates ISO 8601."""
import marshmallow as ma
from marshmallow import validate as v

from web.fields import ID, Dec, Int, Lines, LotLineInSchema

class ReceptionLineInSchema(ma.Schema):
    """A delivered product: accepted + rejected must equal delivered; a rejection needs a reason."""

    product_id = Int(required=True, **ID)
    quantity_delivered = Dec(required=True)
    quantity_accepted = Dec(required=True)
    quantity_rejected = Dec(load_default=None, allow_none=True)
    rejection_reason = ma.fields.String(load_default=None, allow_none=True, validate=v.Length(max=255))
    harvest_date = ma.fields.Date(load_default=None, allow_none=True)
    best_before = ma.fields.Date(load_default=None, allow_none=True,
                                 metadata={"description": "Default: harvest date (or today) + the product's shelf life."})


class ReceptionInSchema(ma.Schema):
    """POST /receptions."""

    cooperative_id = Int(required=True, **ID)
    location_id = Int(required=True, **ID)
    note = ma.fields.String(load_default=None, allow_none=True, validate=v.Length(max=255))
    lines = Lines(ReceptionLineInSchema, 200, required=True)


class ReceptionLineOutSchema(ma.Schema):
    """A reception line and the lot it made (none when everything was rejected)."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    quantity_delivered = Dec()
    quantity_accepted = Dec()
    quantity_rejected = Dec()
    rejection_reason = ma.fields.String(allow_none=True)
    harvest_date = ma.fields.Date(allow_none=True)
    best_before = ma.fields.Date(allow_none=True)
    lot_id = ma.fields.Integer(allow_none=True)
    lot_code = ma.fields.Function(lambda line: line.lot.code if line.lot else None)


class ReceptionOutSchema(ma.Schema):
    """A reception with its lines and lots."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    number = ma.fields.String()
    cooperative_id = ma.fields.Integer()
    location_id = ma.fields.Integer()
    received_on = ma.fields.Date()
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    lines = ma.fields.List(ma.fields.Nested(ReceptionLineOutSchema))


class PackagingInputInSchema(LotLineInSchema):
    """A lot consumed (packed content plus waste)."""


class PackagingRunInSchema(ma.Schema):
    """POST /packaging-runs. Input quantities include the waste."""

    location_id = Int(required=True, **ID)
    inputs = Lines(PackagingInputInSchema, 50, required=True)
    output_product_id = Int(required=True, **ID)
    output_units = Int(required=True, validate=v.Range(1, 10_000_000))
    waste_quantity = Dec(load_default=None, allow_none=True)
    best_before = ma.fields.Date(load_default=None, allow_none=True)
    note = ma.fields.String(load_default=None, allow_none=True, validate=v.Length(max=255))


class PackagingInputOutSchema(ma.Schema):
    """An input of a run, with its share of the waste."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer()
    lot_code = ma.fields.Function(lambda i: i.lot.code)
    quantity = Dec()
    waste_quantity = Dec()


class PackagingRunOutSchema(ma.Schema):
    """A packaging run, its output lot and yield."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    number = ma.fields.String()
    location_id = ma.fields.Integer()
    cooperative_id = ma.fields.Integer()
    output_product_id = ma.fields.Integer()
    output_lot_id = ma.fields.Integer()
    output_lot_code = ma.fields.Function(lambda r: r.output_lot.code)
    output_units = ma.fields.Integer()
    best_before = ma.fields.Date(allow_none=True)
    consumed_quantity = Dec()
    waste_quantity = Dec()
    packed_quantity = ma.fields.Function(lambda r: str(r.packed_quantity))
    yield_rate = ma.fields.Function(lambda r: None if r.yield_rate is None else str(round(r.yield_rate, 4)))
    created_at = ma.fields.DateTime()
    inputs = ma.fields.List(ma.fields.Nested(PackagingInputOutSchema))


class LabelArgsSchema(ma.Schema):
    """?copies=N&layout=L&start=K&price=1"""

    class Meta:
        unknown = ma.EXCLUDE

    copies = ma.fields.Integer(load_default=1, validate=v.Range(1, 5000))
    layout = ma.fields.String(load_default="a4-3x8",
                              validate=v.OneOf(("a4-3x8", "a4-2x7", "58x40", "100x50")))
    start = ma.fields.Integer(load_default=1, validate=v.Range(1, 24))
    price = ma.fields.Boolean(load_default=False)


class RecallSaleSchema(ma.Schema):
    """A sale (or refund) of a recalled lot."""

    class Meta:
        ordered = True

    date = ma.fields.DateTime(attribute="created_at")
    kind = ma.fields.String()
    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    quantity = Dec()
    shop_id = ma.fields.Integer()
    shop_code = ma.fields.String()
    shop = ma.fields.String(attribute="shop_fr")
    document_type = ma.fields.String(allow_none=True)
    document_id = ma.fields.Integer(allow_none=True)
    document = ma.fields.Function(lambda s: (s.get("document") or {}).get("label"))


class RecallBalanceSchema(ma.Schema):
    """Where a recalled lot is now."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    location_id = ma.fields.Integer()
    location_code = ma.fields.String()
    location_kind = ma.fields.String()
    quantity = Dec()


class RecallLotSchema(ma.Schema):
    """A lot of the recall with its totals."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    product_id = ma.fields.Integer()
    depth = ma.fields.Integer()
    parent_lot_id = ma.fields.Integer(allow_none=True)
    best_before = ma.fields.Date(allow_none=True)
    on_hand = Dec()
    in_transit = Dec()
    sold = Dec()
    refunded = Dec()


class RecallOriginSchema(ma.Schema):
    """A reception a recalled lot came from."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    reception_id = ma.fields.Integer(allow_none=True)
    reception_number = ma.fields.String(allow_none=True)
    received_on = ma.fields.Date(allow_none=True)
    cooperative_id = ma.fields.Integer()
    quantity_accepted = Dec(allow_none=True)


class RecallSchema(ma.Schema):
    """Forward to every lot, place and sale; backward to receptions and the cooperative."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    cooperative_id = ma.fields.Integer()
    cooperative = ma.fields.String()
    lots = ma.fields.List(ma.fields.Nested(RecallLotSchema))
    balances = ma.fields.List(ma.fields.Nested(RecallBalanceSchema))
    sales = ma.fields.List(ma.fields.Nested(RecallSaleSchema))
    refunds = ma.fields.List(ma.fields.Nested(RecallSaleSchema))
    origins = ma.fields.List(ma.fields.Nested(RecallOriginSchema))
