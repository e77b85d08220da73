"""Field types every area's API schemas share: decimals as strings, strict integers and
booleans, database ids, a document's lines (`Lines`, and the lot and product lines several
documents take), and the paging/filter arguments of list endpoints."""
import re

import marshmallow as ma
from marshmallow import validate as v

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


ID = dict(validate=DB_ID)  # Int(required=True, **ID): a row's id in a JSON body


class LotLineInSchema(ma.Schema):
    """A lot and a quantity."""

    lot_id = Int(required=True, **ID)
    quantity = Dec(required=True)


class ProductLineInSchema(ma.Schema):
    """A product and the quantity wanted."""

    product_id = Int(required=True, **ID)
    quantity = Dec(required=True)


def Lines(line_schema, most, *, least=1, **kw):
    """The lines of a document in a JSON body, checked alike in every area: a list of
    `line_schema` objects, `least` (None: none needed) to `most` of them."""
    return ma.fields.List(ma.fields.Nested(line_schema), validate=v.Length(least, most), **kw)


class ListArgsSchema(ma.Schema):
    """Paging and an optional text filter."""

    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(load_default=1, validate=v.Range(1, 1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=v.Range(1, 500))
    q = ma.fields.String(validate=v.Length(max=100))
