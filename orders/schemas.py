"""Marshmallow schemas of the orders API (/api/v1/buyers, /orders, /invoices) and the
functions that shape rows for them. Decimals travel as strings, dates ISO 8601."""
import marshmallow as ma
from marshmallow import validate as v

from models.orders import BUYER_KINDS, BUYER_PAYMENT_METHODS, FULFILMENTS, ORDER_STATES
from web.fields import ID, Dec, Int, Lines, ListArgsSchema, ProductLineInSchema, StrictBoolean

class BuyerInSchema(ma.Schema):
    """A buyer to create or change."""

    kind = ma.fields.String(validate=v.OneOf(BUYER_KINDS), load_default="business")
    name = ma.fields.String(required=True, validate=v.Length(1, 160))
    ice = ma.fields.String(allow_none=True, validate=v.Regexp(r"^[0-9]{15}$"))
    if_number = ma.fields.String(allow_none=True, validate=v.Length(max=20))
    rc = ma.fields.String(allow_none=True, validate=v.Length(max=40))
    address = ma.fields.String(allow_none=True, validate=v.Length(max=255))
    contact_name = ma.fields.String(allow_none=True, validate=v.Length(max=120))
    phone = ma.fields.String(allow_none=True, validate=v.Length(max=40))
    email = ma.fields.Email(allow_none=True, validate=v.Length(max=120))
    payment_terms_days = Int(load_default=0, validate=v.Range(0, 365))
    flight_date = ma.fields.Date(allow_none=True)
    active = StrictBoolean(load_default=True)
    # Its orders take this price list's prices (null: retail prices).
    price_list_id = Int(allow_none=True, **ID)


class BuyerSchema(BuyerInSchema):
    """A buyer as the API shows it."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    balance = ma.fields.String(allow_none=True)


class OrderLineInSchema(ProductLineInSchema):
    """A product and the quantity wanted."""


class OrderCreateSchema(ma.Schema):
    """A new draft order. A buyer's token orders for its own buyer, from the warehouse."""

    buyer_id = Int(**ID)
    location_id = Int(**ID)
    fulfilment = ma.fields.String(validate=v.OneOf(FULFILMENTS), load_default="delivery")
    delivery_address = ma.fields.String(allow_none=True, validate=v.Length(max=255))
    note = ma.fields.String(allow_none=True, validate=v.Length(max=255))
    lines = Lines(OrderLineInSchema, 200, required=True)


class ConfirmSchema(ma.Schema):
    """`partial`: reserve what is available and back-order the rest."""

    partial = StrictBoolean(load_default=False)


class PackSchema(ma.Schema):
    """A lot (id or scanned code) packed into the parcel."""

    lot_id = Int(**ID)
    code = ma.fields.String(validate=v.Length(1, 120))
    quantity = Dec(required=True)


class HandedLineSchema(ma.Schema):
    """What was handed over of one line."""

    line_id = Int(required=True, **ID)
    quantity = Dec(required=True)


class DeliverSchema(ma.Schema):
    """Lines not named are handed over as packed."""

    lines = Lines(HandedLineSchema, 200, least=None, load_default=list)


class CancelSchema(ma.Schema):
    """Why the order is cancelled."""

    reason = ma.fields.String(required=True, validate=v.Length(1, 255))


class OrderListArgsSchema(ListArgsSchema):
    """Filters of the order list."""

    state = ma.fields.String(validate=v.OneOf(ORDER_STATES))
    buyer_id = ma.fields.Integer(**ID)


class PriceListPriceSchema(ma.Schema):
    """A product's price on a price list (before tax, MAD); null takes it off the list."""

    class Meta:
        ordered = True

    product_id = Int(required=True, **ID)
    unit_price = Dec(required=True, allow_none=True, places=2,
                     validate=v.Range(0, 10**7, max_inclusive=False))


class PriceListInSchema(ma.Schema):
    """A price list's name and some of its prices (products not named keep theirs)."""

    name = ma.fields.String(validate=v.Length(1, 120))
    prices = ma.fields.List(ma.fields.Nested(PriceListPriceSchema), validate=v.Length(max=2000),
                            load_default=list)


class PriceListCreateSchema(PriceListInSchema):
    """A new price list: a name, and prices if wanted."""

    name = ma.fields.String(required=True, validate=v.Length(1, 120))


class PriceListSchema(ma.Schema):
    """A price list, its prices and the buyers using it."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    prices = ma.fields.List(ma.fields.Nested(PriceListPriceSchema), required=True)
    buyer_ids = ma.fields.List(ma.fields.Integer(), required=True)


def price_list_out(price_list, buyer_ids):
    """A price list for PriceListSchema."""
    return {"id": price_list.id, "name": price_list.name, "buyer_ids": list(buyer_ids),
            "prices": [{"product_id": item.product_id, "unit_price": str(item.unit_price)}
                       for item in sorted(price_list.items, key=lambda i: i.product_id)]}


class InvoiceListArgsSchema(ListArgsSchema):
    """Filters of the invoice list."""

    buyer_id = ma.fields.Integer(**ID)


class BuyerPaymentInSchema(ma.Schema):
    """Money received against an invoice."""

    amount = Dec(required=True)
    method = ma.fields.String(required=True, validate=v.OneOf(BUYER_PAYMENT_METHODS))
    reference = ma.fields.String(allow_none=True, validate=v.Length(max=80))


class ReturnLineSchema(ma.Schema):
    """A quantity of an order line coming back."""

    line_id = Int(required=True, **ID)
    quantity = Dec(required=True)


class CreditNoteInSchema(ma.Schema):
    """Goods returned after invoicing."""

    reason = ma.fields.String(required=True, validate=v.Length(1, 255))
    restock = StrictBoolean(load_default=True)
    lines = Lines(ReturnLineSchema, 200, required=True)


class HeldLotSchema(ma.Schema):
    """A lot reserved, packed and delivered for a line."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer()
    lot_code = ma.fields.String()
    location_id = ma.fields.Integer()
    best_before = ma.fields.Date(allow_none=True)
    reserved = ma.fields.String()
    packed = ma.fields.String(allow_none=True)
    delivered = ma.fields.String(allow_none=True)


class OrderLineSchema(ma.Schema):
    """A line of an order."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    product = ma.fields.String()
    quantity = ma.fields.String()
    unit_price = ma.fields.String()
    confirmed_quantity = ma.fields.String(allow_none=True)
    backordered_quantity = ma.fields.String(allow_none=True)
    delivered_quantity = ma.fields.String(allow_none=True)
    lots = ma.fields.List(ma.fields.Nested(HeldLotSchema))


class OrderSchema(ma.Schema):
    """An order."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    number = ma.fields.String()
    buyer_id = ma.fields.Integer()
    location_id = ma.fields.Integer()
    fulfilment = ma.fields.String()
    state = ma.fields.String()
    note = ma.fields.String(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)
    backorder_of_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema))


class ConfirmResultSchema(OrderSchema):
    """A confirmed order and, after a partial confirmation, its back-order."""

    backorder = ma.fields.Nested(OrderSchema, allow_none=True)


class InvoiceLineSchema(ma.Schema):
    """A line of an invoice or credit note."""

    class Meta:
        ordered = True

    product_id = ma.fields.Integer()
    product = ma.fields.String()
    order_line_id = ma.fields.Integer(allow_none=True)
    lot_id = ma.fields.Integer(allow_none=True)
    quantity = ma.fields.String()
    unit_price = ma.fields.String()
    tax_rate = ma.fields.String()
    net = ma.fields.String()
    tax = ma.fields.String()
    total = ma.fields.String()


class InvoiceSchema(ma.Schema):
    """An invoice or credit note."""

    class Meta:
        ordered = True

    id = ma.fields.Integer()
    kind = ma.fields.String()
    number = ma.fields.String()
    buyer_id = ma.fields.Integer()
    order_id = ma.fields.Integer()
    credited_invoice_id = ma.fields.Integer(allow_none=True)
    issued_on = ma.fields.Date()
    due_on = ma.fields.Date()
    total_net = ma.fields.String()
    total_tax = ma.fields.String()
    total = ma.fields.String()
    outstanding = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(InvoiceLineSchema))


def _s(value):
    return None if value is None else str(value)


def buyer_out(buyer, balance=None):
    """A buyer for BuyerSchema."""
    data = {name: getattr(buyer, name) for name in (
        "id", "kind", "name", "ice", "if_number", "rc", "address", "contact_name", "phone",
        "email", "payment_terms_days", "flight_date", "active", "price_list_id")}
    data["balance"] = _s(balance)
    return data


def order_out(order):
    """An order for OrderSchema."""
    return {
        "id": order.id, "number": order.number, "buyer_id": order.buyer_id,
        "location_id": order.location_id, "fulfilment": order.fulfilment, "state": order.state,
        "note": order.note, "cancel_reason": order.cancel_reason,
        "backorder_of_id": order.backorder_of_id, "created_at": order.created_at,
        "lines": [{"id": line.id, "product_id": line.product_id, "product": line.product.name_fr,
                   "quantity": _s(line.quantity), "unit_price": _s(line.unit_price),
                   "confirmed_quantity": _s(line.confirmed_quantity),
                   "backordered_quantity": _s(line.backordered_quantity),
                   "delivered_quantity": _s(line.delivered_quantity),
                   "lots": [{"lot_id": h.lot_id, "lot_code": h.lot.code,
                             "location_id": h.location_id, "best_before": h.lot.best_before,
                             "reserved": _s(h.reserved), "packed": _s(h.packed),
                             "delivered": _s(h.delivered)} for h in line.lots]}
                  for line in order.lines],
    }


def invoice_out(inv, outstanding=None):
    """An invoice for InvoiceSchema."""
    return {
        "id": inv.id, "kind": inv.kind, "number": inv.number, "buyer_id": inv.buyer_id,
        "order_id": inv.order_id, "credited_invoice_id": inv.credited_invoice_id,
        "issued_on": inv.issued_on, "due_on": inv.due_on, "total_net": _s(inv.total_net),
        "total_tax": _s(inv.total_tax), "total": _s(inv.total), "outstanding": _s(outstanding),
        "reason": inv.reason,
        "lines": [{"product_id": x.product_id, "product": x.product.name_fr,
                   "order_line_id": x.order_line_id, "lot_id": x.lot_id,
                   "quantity": _s(x.quantity), "unit_price": _s(x.unit_price),
                   "tax_rate": _s(x.tax_rate), "net": _s(x.net), "tax": _s(x.tax),
                   "total": _s(x.total)} for x in inv.lines],
    }
