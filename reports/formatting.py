"""Numbers and dates of the reports in the reader's language: the one helper the reports
format through (pages, charts, CSV, map), on web/locale.py's Babel locales (fr → fr_MA,
ar → ar_MA), so a report's amount reads as the till's and the statement's."""
from decimal import Decimal
from functools import lru_cache

from babel.numbers import parse_pattern
from flask_babel import format_date, get_locale


def locale_name():
    """The reader's language code ("fr", "ar", "en")."""
    return str(get_locale() or "fr")


@lru_cache(maxsize=64)
def _pattern(pattern):
    """Babel's parsed number pattern (parsing it for every cell was most of a big table's time)."""
    return parse_pattern(pattern)


def _babel_locale():
    """The reader's Babel locale, as web.locale formats pages and PDFs with."""
    from web.locale import babel_locale

    return babel_locale(locale_name())


def format_decimal(value, format):
    """Babel's format_decimal with the pattern parsed once."""
    return _pattern(format).apply(value, _babel_locale())


def format_percent(value, format):
    """Babel's format_percent with the pattern parsed once."""
    return _pattern(format).apply(value, _babel_locale())


@lru_cache(maxsize=16)
def _symbols(locale):
    """(decimal, group) symbols of a locale, from CLDR through Babel."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(locale), get_group_symbol(locale)


def _current_symbols():
    """The reader's symbols, looked up once per request (get_locale is not free)."""
    from flask import g, has_request_context

    if not has_request_context():
        return _symbols(str(_babel_locale()))
    symbols = g.get("_report_symbols")
    if symbols is None:
        symbols = g._report_symbols = _symbols(str(_babel_locale()))
    return symbols


PLACES = {"money": 2, "qty": 3, "days": 1, "int": 0, "per": 4}


def fmt(value, kind="money", grouping=True):
    """A figure for display: money with 2 decimals, quantities with up to 3, rates as percent,
    days with one decimal, counts as integers, per inhabitant up to 4; '' for none.

    Number by number this is Babel's pattern with the locale's CLDR symbols, done with
    Python's own formatting: a table of thousands of cells formats in milliseconds."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if kind == "rate":
        return format_percent(value, format="#,##0.0%")
    places = PLACES[kind]
    text = f"{value:{',' if grouping else ''}.{places}f}"
    if kind in ("qty", "per") and "." in text:
        text = text.rstrip("0").rstrip(".") if kind == "qty" else _trim(text, 2)
    decimal, group = _current_symbols()
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", group)


def _trim(text, keep):
    """Drop trailing zeros beyond `keep` decimals ("0.1200" -> "0.12")."""
    whole, frac = text.split(".")
    frac = frac.rstrip("0")
    frac = frac + "0" * (keep - len(frac)) if len(frac) < keep else frac
    return f"{whole}.{frac}"


def fmt_date(value):
    """A day in the reader's language (medium format)."""
    return format_date(value, format="medium") if value else ""


def fmt_change(current, previous):
    """The change from a year before as a signed percent, '' when there was nothing then."""
    if not previous:
        return ""
    change = (Decimal(current) - Decimal(previous)) / abs(Decimal(previous))
    text = format_percent(change, format="#,##0.0%")
    return ("+" + text) if change > 0 else text
