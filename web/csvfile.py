"""The one CSV writer of the app: every download (pages and API) goes through `csv_text` or
`csv_rows`.

- Every cell that a spreadsheet would take for a formula (starting with =, +, -, @, a tab or a
  carriage return) is neutralised with a leading apostrophe: a product named
  `=HYPERLINK(...)` stays text in a cooperative's spreadsheet. Numbers (Decimal, int) are
  written as numbers, so a negative amount keeps its minus.
- Two dialects: "data" (the API's CSVs, machine use: ",", dot decimals, snake_case headers)
  and "sheet" (a person's download from a page, in their language: French and Arabic get ";"
  between fields and the decimal comma, as their spreadsheet programs expect; translated
  headers and codes). Both start with a UTF-8 BOM so spreadsheet programs read accents and
  Arabic. `page_dialect()` picks: a page's download is a sheet, anything under /api/ is data.
"""
import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"

HEADER_LABELS = {
    "lot": _l("Lot"), "lot_code": _l("Lot code"), "product": _l("Product"), "sku": _l("SKU"),
    "product_sku": _l("SKU"), "cooperative": _l("Cooperative"), "location": _l("Location"),
    "location_code": _l("Location"), "quantity": _l("Quantity"), "unit": _l("Unit"),
    "best_before": _l("Best before"), "harvest_date": _l("Harvest date"), "status": _l("Status"),
    "entry_id": _l("Entry"), "time": _l("Time"), "kind": _l("Kind"), "outlet": _l("Outlet"),
    "document": _l("Document"), "gross": _l("Gross"), "commission_rate": _l("Commission rate"),
    "commission": _l("Commission"), "amount": _l("Amount"), "running_balance": _l("Balance"),
    "balance": _l("Balance"), "name_fr": _l("Name (French)"), "name_ar": _l("Name (Arabic)"),
    "cooperative_id": _l("Cooperative"), "reference": _l("Reference"), "detail": _l("Detail"),
    "row": _l("Row"), "date_or_kind": _l("Date"), "in_transit": _l("In transit"), "sold": _l("Sold"),
    "unit_price": _l("Unit price"), "total": _l("Total"),
    "owed": _l("Owed"), "fees": _l("Fees"), "paid": _l("Paid"), "adjustments": _l("Adjustments"),
    "province": _l("Province"), "id": _l("Entry"),
    "user": _l("User"), "address": _l("Address"), "action": _l("Action"), "object_type": _l("Object"),
    "object_id": _l("Object number"), "before": _l("Before the change"),
    "after": _l("After the change"), "channel": _l("Channel"),
}


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# A text cell Writer.text cannot write as it is: a formula start, a number (a sheet changes its
# decimal sign), a separator of either dialect, a quote or a line break.
SPECIAL_TEXT = re.compile(r'[=+\-@\t\r]|-?\d+(?:\.\d+)?$|.*?[;,"\r\n]', re.S)
LINE_END = "\r\n"  # the csv module's line terminator


def neutralise(text):
    """A text cell that cannot start a formula (a plain number such as "-12.50" stays)."""
    if text and text.startswith(FORMULA_STARTS) and not NUMBER.match(text):
        return "'" + text
    return text


def decimal_sign(dialect="data"):
    """The decimal separator of a dialect: a dot for data, the user's language's for a sheet."""
    if dialect != "sheet":
        return "."
    from babel.numbers import get_decimal_symbol

    from web.locale import babel_locale

    return get_decimal_symbol(babel_locale())


def separator(dialect="data"):
    """The field separator: "," for data; ";" in a sheet whose decimal sign is a comma."""
    return ";" if decimal_sign(dialect) == "," else ","


def cell(value, dialect="data", sign=None):
    """One value as CSV text in a dialect (`sign`: the decimal separator, looked up once)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    sign = sign or decimal_sign(dialect)
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        text = f"{Decimal(value):f}" if isinstance(value, Decimal) else str(value)
        return text.replace(".", sign)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes") if dialect == "sheet" \
            else value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if dialect == "sheet" and NUMBER.match(text):
        return text.replace(".", sign)
    return neutralise(text)


def word(code, labels, dialect="data"):
    """A code in a dialect: as it is for data, its translated label (web.labels) in a sheet."""
    if dialect != "sheet" or code is None:
        return code
    label = labels.get(code)
    return str(label) if label is not None else code


def header_cell(key, dialect="data"):
    """A column title: the key in data, its translation in a sheet."""
    if dialect != "sheet":
        return key
    label = HEADER_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


class Writer:
    """A csv.writer in a dialect, writing rows into a buffer one may drain (for streaming)."""

    def __init__(self, dialect="data"):
        self.dialect = dialect
        self.sign = decimal_sign(dialect)
        self.buf = io.StringIO()
        self.buf.write(BOM)
        self.delimiter = ";" if self.sign == "," else ","
        self.writer = csv.writer(self.buf, delimiter=self.delimiter)

    def header(self, keys):
        self.writer.writerow([header_cell(k, self.dialect) for k in keys])

    def row(self, values):
        self.writer.writerow([cell(v, self.dialect, self.sign) for v in values])

    def text(self, value):
        """One text cell exactly as `row` writes it among others (neutralised, in the dialect,
        quoted when it must be), for exports that build their lines themselves from `%`
        templates: a plain text (no formula start, no separator, quote or line break, not a
        number) is itself; anything else goes through `cell` and the csv writer."""
        if not value:
            return ""
        value = str(value)
        if SPECIAL_TEXT.match(value) is None:
            return value
        buf = io.StringIO()
        csv.writer(buf, delimiter=self.delimiter).writerow(["", cell(value, self.dialect, self.sign)])
        return buf.getvalue()[1:-2]

    def lines(self, text):
        """Lines built with `text` (and numbers in the dialect), joined by `delimiter` and
        ended by LINE_END, added after the rows written so far."""
        self.buf.write(text)

    def drain(self):
        """What was written since the last drain."""
        text = self.buf.getvalue()
        self.buf.seek(0)
        self.buf.truncate()
        return text


def csv_text(header, rows, dialect="data"):
    """A whole CSV document as text."""
    out = Writer(dialect)
    out.header(header)
    for row in rows:
        out.row(row)
    return out.drain()


def page_dialect():
    """The dialect of a download: a page's is a person's spreadsheet in their language
    ("sheet"), an API answer (a path under /api/) stays "data"; `?sheet=0` asks a page for the
    data dialect."""
    from flask import has_request_context, request

    if not has_request_context():
        return "data"
    if request.path.startswith("/api/") or request.args.get("sheet") == "0":
        return "data"
    return "sheet"
