"""Numbers and dates of the reports in the reader's language: the one helper the reports
format through (pages, charts, CSV, map). When web/locale.py lands, point these at it."""
from decimal import Decimal

from flask_babel import format_date, format_decimal, format_percent, get_locale


def locale_name():
    """The reader's language code ("fr", "ar", "en")."""
    return str(get_locale() or "fr")


def fmt(value, kind="money", grouping=True):
    """A figure for display: money with 2 decimals, quantities with up to 3, rates as percent,
    days with one decimal, counts as integers; '' for none."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if kind == "rate":
        return format_percent(value, format="#,##0.0%")
    places = {"money": "00", "qty": "###", "days": "0", "int": "", "per": "00##"}[kind]
    if kind == "qty":
        pattern = "#,##0.###"
    elif places:
        pattern = "#,##0." + places
    else:
        pattern = "#,##0"
    if not grouping:
        pattern = pattern.replace("#,##", "")
    return format_decimal(value, format=pattern)


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
