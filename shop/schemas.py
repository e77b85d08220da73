"""Marshmallow schemas of the point-of-sale API. Decimals travel as strings."""
import re
from decimal import Decimal

import marshmallow as ma
from marshmallow import validate as v

from web.fields import ID, Dec, DecimalString, Int, Lines, StrictBoolean
from models.sales import PAYMENT_METHODS

def centimes(value):
    """Money sent by a till has at most two decimals: 200.005 MAD is a client's bug, refused
    rather than rounded."""
    if value is not None and value.is_finite() and -value.normalize().as_tuple().exponent > 2:
        raise ma.ValidationError("At most two decimals (centimes), e.g. \"12.50\".")


class SaleLineInSchema(ma.Schema):
    """A line to sell: a lot id or a scanned code (lot code, GS1-128, GTIN)."""

    lot_id = Int(**ID)
    barcode = ma.fields.String(validate=v.Length(1, 120))
    quantity = Dec(required=True, validate=v.Range(0, 100000, min_inclusive=False))
    discount = Dec(load_default=None, allow_none=True, validate=[v.Range(0, 10_000_000), centimes])

    @ma.validates_schema
    def one_reference(self, data, **kwargs):
        """Exactly one of lot_id and barcode."""
        if ("lot_id" in data) == ("barcode" in data):
            raise ma.ValidationError("Give either lot_id or barcode.", "lot_id")


class PaymentInSchema(ma.Schema):
    """A payment: cash (the amount handed over), card or mobile money."""

    method = ma.fields.String(required=True, validate=v.OneOf(PAYMENT_METHODS))
    amount = Dec(required=True, validate=[v.Range(0, 10_000_000, min_inclusive=False), centimes])


class SaleInSchema(ma.Schema):
    """POST /sales: the cart as the till posts it, with its client reference."""

    location_id = Int(required=True, **ID)
    client_ref = ma.fields.String(required=True, validate=v.Length(1, 64))
    lines = Lines(SaleLineInSchema, 200, required=True)
    payments = Lines(PaymentInSchema, 10, least=None, load_default=list)

    def load(self, data, *args, **kwargs):
        """The till's usual cart read without marshmallow's per-field machinery (a sale's
        ~1 ms of Python, bench/README.md); anything else, and every error, goes through the
        schema as declared above, so answers and the OpenAPI document are unchanged."""
        if not args and not kwargs:
            fast = _fast_sale(data)
            if fast is not None:
                return fast
        return super().load(data, *args, **kwargs)


# A plain positive decimal in ASCII digits (Arabic-Indic digits, signs and the rest go through
# marshmallow); at most 12 digits before the point, 4 after, as DECIMAL_PATTERN.
_PLAIN_DECIMAL = re.compile(r"[0-9]{1,12}(\.[0-9]{1,4})?")
_MAX_ID = 2**31 - 1
_SALE_KEYS = {"location_id", "client_ref", "lines", "payments"}
_LINE_KEYS = {"lot_id", "barcode", "quantity", "discount"}
_PAYMENT_KEYS = {"method", "amount"}


def _plain_decimal(value, places=4):
    """Decimal(value) for a plain ASCII decimal string with at most `places` decimals, else None."""
    if type(value) is not str or not _PLAIN_DECIMAL.fullmatch(value):
        return None
    point = value.find(".")
    if point >= 0 and len(value) - point - 1 > places:
        return None
    return Decimal(value)


def _fast_sale(data):
    """What SaleInSchema().load(data) gives for a well-formed usual cart, or None (then the
    schema decides, errors included)."""
    if type(data) is not dict or not data.keys() <= _SALE_KEYS:
        return None
    location_id, client_ref, lines = data.get("location_id"), data.get("client_ref"), data.get("lines")
    if (type(location_id) is not int or not 1 <= location_id <= _MAX_ID or type(client_ref) is not str
            or not 1 <= len(client_ref) <= 64 or type(lines) is not list or not 1 <= len(lines) <= 200):
        return None
    out_lines = []
    for line in lines:
        if type(line) is not dict or not line.keys() <= _LINE_KEYS or ("lot_id" in line) == ("barcode" in line):
            return None
        out = {}
        if "lot_id" in line:
            lot_id = line["lot_id"]
            if type(lot_id) is not int or not 1 <= lot_id <= _MAX_ID:
                return None
            out["lot_id"] = lot_id
        else:
            barcode = line["barcode"]
            if type(barcode) is not str or not 1 <= len(barcode) <= 120:
                return None
            out["barcode"] = barcode
        quantity = _plain_decimal(line.get("quantity"))
        if quantity is None or not 0 < quantity <= 100000:
            return None
        out["quantity"] = quantity
        discount = line.get("discount")
        if discount is not None:
            discount = _plain_decimal(discount, places=2)
            if discount is None or discount > 10_000_000:
                return None
        out["discount"] = discount
        out_lines.append(out)
    payments = data.get("payments", [])
    if type(payments) is not list or len(payments) > 10:
        return None
    out_payments = []
    for payment in payments:
        if type(payment) is not dict or payment.keys() != _PAYMENT_KEYS:
            return None
        amount = _plain_decimal(payment["amount"], places=2)
        if payment["method"] not in PAYMENT_METHODS or amount is None or not 0 < amount <= 10_000_000:
            return None
        out_payments.append({"method": payment["method"], "amount": amount})
    return {"location_id": location_id, "client_ref": client_ref, "lines": out_lines,
            "payments": out_payments}


class SaleLineOutSchema(ma.Schema):
    """A sold line with its frozen price, discount, commission rate and refunds so far."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    lot_id = ma.fields.Integer(required=True)
    product_id = ma.fields.Integer()
    quantity = Dec(required=True)
    unit_price = Dec(required=True)
    discount = Dec()
    total = Dec(required=True)
    commission_rate = Dec()
    refunded_quantity = Dec()


class PaymentOutSchema(ma.Schema):
    """A payment as recorded."""

    method = ma.fields.String(required=True)
    amount = Dec(required=True)


class SaleOutSchema(ma.Schema):
    """A recorded sale."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    location_id = ma.fields.Integer()
    cash_session_id = ma.fields.Integer()
    client_ref = ma.fields.String()
    created_at = ma.fields.DateTime()
    subtotal = Dec()
    discount_total = Dec()
    total = Dec(required=True)
    paid = Dec()
    change = Dec(required=True)
    print_count = ma.fields.Integer()
    lines = ma.fields.List(ma.fields.Nested(SaleLineOutSchema), required=True)
    payments = ma.fields.List(ma.fields.Nested(PaymentOutSchema))

    def dump(self, obj, *, many=None):
        """A sale (a dict, as the sale service gives it) written field by field as the
        fields above write it, without marshmallow's per-field machinery (checked equal by
        tests/shop/test_sale_fast_paths.py); anything else, and subclasses with fields of their
        own (the offline sale's), through marshmallow."""
        if not many and not self.many and type(obj) is dict and type(self) is SaleOutSchema:
            return _SALE_DUMPER(obj)
        return super().dump(obj, many=many)


def _dumper(schema):
    """A function dumping a dict as `schema` dumps it, for the field types used above."""
    steps = []
    for name, field in schema().dump_fields.items():
        key = field.data_key or name
        if isinstance(field, DecimalString):
            convert = _dump_decimal
        elif isinstance(field, ma.fields.Integer):
            convert = int
        elif isinstance(field, ma.fields.String):
            convert = str
        elif isinstance(field, ma.fields.DateTime):
            # The field's own writing: web/api.py sets how naive datetimes are written.
            convert = lambda value, field=field: field._serialize(value, None, None)  # noqa: E731
        elif isinstance(field, ma.fields.List) and isinstance(field.inner, ma.fields.Nested):
            inner = _dumper(type(field.inner.schema))
            convert = lambda rows, inner=inner: [inner(row) for row in rows]  # noqa: E731
        else:
            raise TypeError(f"no fast dump for {schema.__name__}.{name}")
        steps.append((name, key, convert))

    def dump(obj):
        out = {}
        for name, key, convert in steps:
            if name in obj:
                value = obj[name]
                out[key] = None if value is None else convert(value)
        return out
    return dump


def _dump_decimal(value):
    """marshmallow's Decimal(as_string=True) without places: the value as a plain string."""
    return format(Decimal(str(value)), "f")


_SALE_DUMPER = _dumper(SaleOutSchema)


class ScanArgsSchema(ma.Schema):
    """?code=… as the scanner typed it."""

    code = ma.fields.String(required=True, validate=v.Length(1, 120))


class SearchArgsSchema(ma.Schema):
    """?q=… part of a product name."""

    q = ma.fields.String(required=True, validate=v.Length(1, 80))


class ScanOutSchema(ma.Schema):
    """What a scanned code sells here: the lot, its product, price and stock at the shop."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer(required=True)
    lot_code = ma.fields.String(required=True)
    product_id = ma.fields.Integer(required=True)
    name_fr = ma.fields.String(required=True)
    name_ar = ma.fields.String(required=True)
    uom = ma.fields.String(required=True)
    unit_price = Dec(allow_none=True)
    best_before = ma.fields.Date(allow_none=True)
    available = Dec(required=True)
    cooperative_id = ma.fields.Integer()
    cooperative_fr = ma.fields.String()
    cooperative_ar = ma.fields.String()


class ChooseLotFieldsSchema(ma.Schema):
    """`fields` of a 409: with code `choose_lot`, the lots a product-only code names here
    (other codes carry their own fields, e.g. lot_id and lot_code)."""

    class Meta:
        unknown = ma.INCLUDE

    product_id = ma.fields.Integer()
    candidates = ma.fields.List(ma.fields.Nested(ScanOutSchema))


class ChooseLotBodySchema(ma.Schema):
    """The error body of a 409 at the till."""

    code = ma.fields.String(required=True, metadata={
        "description": "choose_lot (pick one of fields.candidates, then send its lot_id), "
                       "lot_blocked, lot_expired or out_of_stock"})
    message = ma.fields.String(required=True)
    fields = ma.fields.Nested(ChooseLotFieldsSchema)


class ChooseLotErrorSchema(ma.Schema):
    """`{"error": {"code": "choose_lot", "message", "fields": {"candidates": [...]}}}`"""

    error = ma.fields.Nested(ChooseLotBodySchema, required=True)


class SearchOutSchema(ma.Schema):
    """Products matching a name, each with the lot a sale would take."""

    items = ma.fields.List(ma.fields.Nested(ScanOutSchema), required=True)


class RefundLineInSchema(ma.Schema):
    """Give back some of a sale line; restock puts it back on the shelf, else it is written off."""

    sale_line_id = Int(required=True, **ID)
    quantity = Dec(required=True, validate=v.Range(0, 100000, min_inclusive=False))
    restock = StrictBoolean(load_default=True)


class RefundInSchema(ma.Schema):
    """POST /sales/{id}/refunds."""

    lines = Lines(RefundLineInSchema, 200, required=True)
    reason = ma.fields.String(required=True, validate=v.Length(1, 255))
    method = ma.fields.String(load_default="cash", validate=v.OneOf(PAYMENT_METHODS))


class RefundLineOutSchema(ma.Schema):
    """A refunded line."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    sale_line_id = ma.fields.Integer(required=True)
    quantity = Dec(required=True)
    amount = Dec(required=True)
    restock = ma.fields.Boolean(required=True)


class RefundOutSchema(ma.Schema):
    """A recorded refund."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(allow_none=True)
    sale_id = ma.fields.Integer(required=True)
    cash_session_id = ma.fields.Integer(allow_none=True)
    method = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    total = Dec(required=True)
    created_at = ma.fields.DateTime()
    lines = ma.fields.List(ma.fields.Nested(RefundLineOutSchema), required=True)


class SessionOpenSchema(ma.Schema):
    """POST /cash-sessions."""

    location_id = Int(required=True, **ID)
    opening_float = Dec(required=True, validate=[v.Range(0, 10_000_000), centimes])


class SessionCloseSchema(ma.Schema):
    """POST /cash-sessions/{id}/close."""

    counted_cash = Dec(required=True, validate=[v.Range(0, 10_000_000), centimes])
    note = ma.fields.String(validate=v.Length(max=255))


class MethodAmountsSchema(ma.Schema):
    """Amounts per payment method."""

    cash = Dec(required=True)
    card = Dec(required=True)
    mobile = Dec(required=True)


class CashSessionSchema(ma.Schema):
    """A cash session with its Z report figures."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    location_id = ma.fields.Integer(required=True)
    cashier_id = ma.fields.Integer(required=True)
    opened_at = ma.fields.DateTime(required=True)
    closed_at = ma.fields.DateTime(allow_none=True)
    opening_float = Dec(required=True)
    sales_count = ma.fields.Integer()
    gross = Dec()
    discounts = Dec()
    sales_total = Dec()
    by_method = ma.fields.Nested(MethodAmountsSchema)
    cash_tendered = Dec()
    change_given = Dec()
    refunds_count = ma.fields.Integer()
    refunds_total = Dec()
    refunds_by_method = ma.fields.Nested(MethodAmountsSchema)
    net_total = Dec()
    preorders_count = ma.fields.Integer(metadata={"description": "Travellers' pre-orders paid at this till"})
    preorders_by_method = ma.fields.Nested(MethodAmountsSchema)
    preorders_total = Dec()
    expected_cash = Dec()
    counted_cash = Dec(allow_none=True)
    difference = Dec(allow_none=True)
