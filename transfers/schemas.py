"""Marshmallow schemas of the transfers API, and the functions that shape rows for them.
Decimals travel as strings, dates ISO 8601."""
import marshmallow as ma
from marshmallow import validate as v

from web.fields import ID, Dec, Int, Lines, LotLineInSchema, ProductLineInSchema
from models.transfers import REQUEST_STATES, TRANSFER_KINDS, TRANSFER_STATES

class LocationRefSchema(ma.Schema):
    """A location named in a document."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    code = ma.fields.String()
    name_fr = ma.fields.String()
    name_ar = ma.fields.String()
    address = ma.fields.String(allow_none=True)


class TransferCreateSchema(ma.Schema):
    """A new draft transfer. `kind` defaults to "return" for shop → warehouse, else "transfer"."""

    from_location_id = Int(required=True, **ID)
    to_location_id = Int(required=True, **ID)
    kind = ma.fields.String(validate=v.OneOf(TRANSFER_KINDS))
    note = ma.fields.String(allow_none=True, validate=v.Length(max=255))
    lines = Lines(LotLineInSchema, 500, required=True)


class TransferUpdateSchema(ma.Schema):
    """Changes to a draft: new lines replace the old ones."""

    from_location_id = Int(**ID)
    to_location_id = Int(**ID)
    kind = ma.fields.String(validate=v.OneOf(TRANSFER_KINDS))
    note = ma.fields.String(allow_none=True, validate=v.Length(max=255))
    lines = Lines(LotLineInSchema, 500)


class TransferLineSchema(ma.Schema):
    """A line of a transfer: what was sent and, once received, what arrived."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    product_id = ma.fields.Integer()
    product_name_fr = ma.fields.String()
    product_name_ar = ma.fields.String()
    cooperative_id = ma.fields.Integer()
    best_before = ma.fields.Date(allow_none=True)
    quantity = Dec()
    quantity_received = Dec(allow_none=True)
    loss_reason = ma.fields.String(allow_none=True)


class TransferSchema(ma.Schema):
    """A transfer and its lines."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    number = ma.fields.String()
    kind = ma.fields.String(validate=v.OneOf(TRANSFER_KINDS))
    state = ma.fields.String(validate=v.OneOf(TRANSFER_STATES))
    from_location_id = ma.fields.Integer()
    to_location_id = ma.fields.Integer()
    from_location = ma.fields.Nested(LocationRefSchema)
    to_location = ma.fields.Nested(LocationRefSchema)
    note = ma.fields.String(allow_none=True)
    request_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    dispatched_at = ma.fields.DateTime(allow_none=True)
    received_at = ma.fields.DateTime(allow_none=True)
    total_quantity = Dec()
    total_received = Dec(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(TransferLineSchema))


class ReceiveLineSchema(ma.Schema):
    """What arrived of one lot; a reason when short."""

    lot_id = Int(required=True, **ID)
    quantity_received = Dec(required=True)
    reason = ma.fields.String(allow_none=True, validate=v.Length(max=255))


class ReceiveSchema(ma.Schema):
    """Receipt of a dispatched transfer. Lines left out arrived in full."""

    lines = Lines(ReceiveLineSchema, 500, least=None, load_default=list)


class TransferListArgsSchema(ma.Schema):
    """Filters of GET /transfers."""

    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(load_default=1, validate=v.Range(1, 1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=v.Range(1, 500))
    state = ma.fields.String(validate=v.OneOf(TRANSFER_STATES))
    kind = ma.fields.String(validate=v.OneOf(TRANSFER_KINDS))
    from_location_id = ma.fields.Integer(**ID)
    to_location_id = ma.fields.Integer(**ID)


class RequestLineInSchema(ProductLineInSchema):
    """A product and the quantity wanted."""


class RequestCreateSchema(ma.Schema):
    """A shop's replenishment request."""

    shop_id = Int(required=True, **ID)
    note = ma.fields.String(allow_none=True, validate=v.Length(max=500))
    lines = Lines(RequestLineInSchema, 500, required=True)


class RequestLineSchema(ma.Schema):
    """A requested product."""

    class Meta:
        ordered = True

    product_id = ma.fields.Integer()
    product_name_fr = ma.fields.String()
    product_name_ar = ma.fields.String()
    quantity = Dec()


class RequestSchema(ma.Schema):
    """A replenishment request."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    number = ma.fields.String()
    shop_id = ma.fields.Integer()
    shop = ma.fields.Nested(LocationRefSchema)
    state = ma.fields.String(validate=v.OneOf(REQUEST_STATES))
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    fulfilled_at = ma.fields.DateTime(allow_none=True)
    transfer_id = ma.fields.Integer(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(RequestLineSchema))


class RequestListArgsSchema(ma.Schema):
    """Filters of GET /replenishment-requests."""

    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(load_default=1, validate=v.Range(1, 1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=v.Range(1, 500))
    state = ma.fields.String(validate=v.OneOf(REQUEST_STATES))
    shop_id = ma.fields.Integer(**ID)


class FulfilSchema(ma.Schema):
    """Optional: the warehouse zone to pick from (default: the one covering most)."""

    from_location_id = Int(**ID)


class ShortageSchema(ma.Schema):
    """A product the warehouse could not fully supply."""

    product_id = ma.fields.Integer()
    quantity = Dec()


class FulfilResultSchema(ma.Schema):
    """The fulfilled request, its draft transfer and what is missing."""

    request = ma.fields.Nested(RequestSchema)
    transfer = ma.fields.Nested(TransferSchema)
    shortages = ma.fields.List(ma.fields.Nested(ShortageSchema))


def location_out(loc):
    """A location reference."""
    return {"id": loc.id, "code": loc.code, "name_fr": loc.name_fr, "name_ar": loc.name_ar,
            "address": loc.address}


def transfer_out(t):
    """A transfer as the API shows it."""
    request = t.request
    return {
        "id": t.id, "number": t.number, "kind": t.kind, "state": t.state,
        "from_location_id": t.from_location_id, "to_location_id": t.to_location_id,
        "from_location": location_out(t.from_location), "to_location": location_out(t.to_location),
        "note": t.note, "request_id": request.id if request else None,
        "created_at": t.created_at, "dispatched_at": t.dispatched_at, "received_at": t.received_at,
        "total_quantity": t.total_quantity, "total_received": t.total_received,
        "lines": [{
            "lot_id": line.lot_id, "lot_code": line.lot.code, "product_id": line.lot.product_id,
            "product_name_fr": line.lot.product.name_fr, "product_name_ar": line.lot.product.name_ar,
            "cooperative_id": line.lot.cooperative_id, "best_before": line.lot.best_before,
            "quantity": line.quantity, "quantity_received": line.quantity_received,
            "loss_reason": line.loss_reason,
        } for line in t.lines],
    }


def request_out(r):
    """A replenishment request as the API shows it."""
    return {
        "id": r.id, "number": r.number, "shop_id": r.shop_id, "shop": location_out(r.shop),
        "state": r.state, "note": r.note, "created_at": r.created_at,
        "fulfilled_at": r.fulfilled_at, "transfer_id": r.transfer_id,
        "lines": [{"product_id": line.product_id, "product_name_fr": line.product.name_fr,
                   "product_name_ar": line.product.name_ar, "quantity": line.quantity}
                  for line in r.lines],
    }
