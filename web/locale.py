"""The one locale layer of the pages, PDFs, CSVs and charts: what a person types is read, and
what a person reads is written, in their language (Babel), on the platform's clock (zoneinfo).

- Reading: `parse_amount("1 234,50")` → Decimal("1234.50"); normal, no-break and narrow
  no-break spaces, a decimal comma or dot, Arabic-Indic digits and direction marks are taken;
  what is ambiguous ("1.234,5" in French) is refused with a translated message, never guessed.
- Writing: `money`, `qty`, `percent`, `day`, `clock_time`, `moment` (and the reports'
  `figure`, `change`) use one Babel locale per language (fr → fr_MA, ar → ar_MA, en → en),
  so a page, its PDF, its CSV and its chart agree. Numbers are written with the locale's CLDR
  signs by Python's own formatting (the same text as Babel's patterns, cached, ~50x faster).
- Time: `models.clock` (the zone from config, zoneinfo); "today" is Morocco's date.

The JSON API does not use this module: it stays dot-only and RFC 3339.
"""
import re
from datetime import date, datetime, time, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache, wraps

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_pattern
from babel.numbers import parse_decimal as _babel_parse
from flask_babel import gettext as _

from web.digits import normalize_digits
from models.clock import (local_day, local_midnight_utc, now_local, platform_tz,  # noqa: F401
                          to_local, today)

# One Babel locale per interface language: Moroccan French and Moroccan Arabic (CLDR: Latin
# digits, "1 234,5" and "1.234,5").
BABEL_LOCALES = {"fr": "fr_MA", "ar": "ar_MA", "en": "en"}
DEFAULT_LANGUAGE = "fr"

SPACES = (" ", "\u00a0", "\u202f", "\u2007", "\u2009", "\u066c", "'")
# Direction marks and isolates a phone or a copy-paste adds around what is typed.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                                       "\u2066\u2067\u2068\u2069\ufeff\u200b"))
SIGNS = {ord("\u2212"): "-", ord("\u066b"): ",", ord("\u060c"): ","}


class AmountError(ValueError):
    """Text that is not a number a person meant; `str()` is the translated message."""


def language():
    """The interface language of this request ("fr", "ar" or "en"); "fr" outside one."""
    try:
        # The locale flask_babel settled for this request (or force_locale set), read
        # straight from where it keeps it: get_locale() costs ~20 µs, and a page of figures
        # asks thousands of times.
        from flask import g

        loc = g._flask_babel.babel_locale
        if loc is None:
            raise AttributeError("not settled yet")
    except (AttributeError, RuntimeError):
        try:
            from flask_babel import get_locale

            loc = get_locale()
        except Exception:  # noqa: BLE001 - outside a request or app: the default language
            loc = None
    code = loc.language if loc is not None else DEFAULT_LANGUAGE
    return code if code in BABEL_LOCALES else DEFAULT_LANGUAGE


def babel_locale(lang=None):
    """The Babel locale that formats numbers and dates for a language."""
    return _parsed(_identifier(lang))


def _identifier(lang=None):
    """The Babel locale identifier of a language (the user's when none is given)."""
    return BABEL_LOCALES.get(lang or language(), BABEL_LOCALES[DEFAULT_LANGUAGE])


@lru_cache(maxsize=16)
def _parsed(identifier):
    """Locale.parse, once per identifier (~250 µs each time, and a page of dates asked for
    every cell); Babel's Locale objects are not changed by formatting."""
    return Locale.parse(identifier)


def _not_a_number():
    """The one message for text that is not a number (translated; plain outside a request)."""
    return _("Not a number: write it like 1234,50 or 1 234,50.")


def clean_text(text):
    """Typed text without direction marks, isolates or zero-width characters."""
    return (text or "").translate(BIDI_CONTROLS)


# ---------------------------------------------------------------------------- reading numbers

def parse_amount(text, lang=None, *, places=None):
    """A Decimal from what a person typed, in their language; None for blank text.

    Raises AmountError (a translated message) for text that is not a number, is ambiguous or
    has more than `places` decimals."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    raw = normalize_digits(clean_text(str(text))).translate(SIGNS).strip()
    if not raw:
        return None
    if any(space in raw for space in SPACES):
        # Spaces group thousands ("1 234 567,5"): after the first group, threes only, so
        # "12 5" is refused rather than read as 125.
        groups = re.split("[" + "".join(SPACES) + "]+", re.split("[.,]", raw)[0] if raw.count(",") + raw.count(".") <= 1 else raw)
        if len(groups) > 1 and any(len(g) != 3 or not g.isdigit() for g in groups[1:]):
            raise AmountError(_not_a_number())
        for space in SPACES:
            raw = raw.replace(space, "")
    if raw.startswith("+"):
        raw = raw[1:]
    commas, dots = raw.count(","), raw.count(".")
    if commas + dots <= 1:
        # One separator is the decimal one, whatever the language: "12,5", "1234.50".
        candidate = raw.replace(",", ".")
    else:
        # Several: they must be the language's own grouping and decimal signs, in place.
        try:
            candidate = str(_babel_parse(raw, locale=babel_locale(lang), strict=True))
        except (NumberFormatError, ValueError):
            raise AmountError(_not_a_number()) from None
    body = candidate[1:] if candidate.startswith("-") else candidate
    if not body or not body.replace(".", "", 1).isdigit():
        raise AmountError(_not_a_number())
    try:
        value = Decimal(candidate)
    except InvalidOperation:
        raise AmountError(_not_a_number()) from None
    if places is not None and value.as_tuple().exponent < -places:
        raise AmountError(_("At most %(places)s decimals.", places=places))
    return value


# ----------------------------------------------------------------------------- writing numbers

@lru_cache(maxsize=8)
def _symbols(lang):
    """(decimal, group) signs of a language's Babel locale, from CLDR (looked up once)."""
    loc = babel_locale(lang)
    return get_decimal_symbol(loc), get_group_symbol(loc)


@lru_cache(maxsize=32)
def _pattern(pattern):
    """Babel's parsed number pattern: parsed once, not for every cell of a table."""
    return parse_pattern(pattern)


def _grouped(text, lang):
    """Python's "1,234.50" in the language's signs. Babel's "#,##0.00" pattern gives the same
    text (same rounding, half-even; checked on 20,000 values in fr_MA, ar_MA and en), about
    fifty times faster: a page or a report of thousands of cells formats in milliseconds."""
    decimal, group = _symbols(lang or language())
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", group)


def number(value, places=2, lang=None, grouping=True):
    """A Decimal with exactly `places` decimals, grouped in the user's language."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    return _grouped(f"{value:{',' if grouping else ''}.{places}f}", lang)


def money(value, lang=None, currency=False):
    """An amount in dirhams: "1 234,50" (with " MAD" when `currency`)."""
    text = number(value, 2, lang)
    return f"{text} MAD" if text and currency else text


def money_cents(cents, lang=None):
    """`money` of an amount held in integer centimes (a running balance: a new figure on each
    of a year's ~60,000 statement lines), without making a Decimal: the same text."""
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    return _grouped(f"{sign}{cents // 100:,}.{cents % 100:02d}", lang)


def qty(value, lang=None):
    """A quantity with the decimals it needs (3, 2,5, 0,125), never in Decimal notation."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number(value, 0, lang)
    places = max(0, -value.normalize().as_tuple().exponent)
    return number(value, min(places, 3), lang)


def percent(rate, lang=None, pattern="#,##0.##%"):
    """A rate (0.155) as a percentage ("15,5 %")."""
    if rate is None or rate == "":
        return ""
    return _pattern(pattern).apply(Decimal(rate), babel_locale(lang))


# The reports' figures (pages, charts, CSV, map): decimals by kind of figure.
PLACES = {"money": 2, "qty": 3, "days": 1, "int": 0, "per": 4}


def figure(value, kind="money", grouping=True, lang=None):
    """A report's figure: money with 2 decimals, quantities with up to 3, rates as a percent
    with one decimal, days with one decimal, counts as integers, per inhabitant with 2 to 4
    decimals; '' for none."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if kind == "rate":
        return percent(value, lang, "#,##0.0%")
    places = PLACES[kind]
    text = f"{value:{',' if grouping else ''}.{places}f}"
    if kind in ("qty", "per") and "." in text:
        text = text.rstrip("0").rstrip(".") if kind == "qty" else _trim(text, 2)
    return _grouped(text, lang)


def _trim(text, keep):
    """Drop trailing zeros beyond `keep` decimals ("0.1200" -> "0.12")."""
    whole, frac = text.split(".")
    frac = frac.rstrip("0")
    frac = frac + "0" * (keep - len(frac)) if len(frac) < keep else frac
    return f"{whole}.{frac}"


def change(current, previous, lang=None):
    """The change from `previous` to `current` as a signed percent ("+12,5 %"); '' when
    there was nothing before."""
    if not previous:
        return ""
    ratio = (Decimal(current) - Decimal(previous)) / abs(Decimal(previous))
    text = percent(ratio, lang, "#,##0.0%")
    return ("+" + text) if ratio > 0 else text


# ------------------------------------------------------------------------------ dates and times

def day(value, lang=None, fmt="short"):
    """A date (or a stored naive-UTC datetime's local date): 04/03/2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = local_day(value)
    if type(value) is not date:
        return _babel_date(value, fmt, locale=babel_locale(lang))
    return _day_text(value, fmt, _identifier(lang))


@lru_cache(maxsize=4096)
def _day_text(value, fmt, identifier):
    """Babel's text of a date, once per date, format and locale (a statement page shows 200)."""
    return _babel_date(value, fmt, locale=_parsed(identifier))


def clock_time(value, lang=None, seconds=False):
    """The local time of a stored naive-UTC datetime, 24-hour: 19:03 (19:03:27 with seconds)."""
    if value is None:
        return ""
    local = to_local(value)
    return _time_text(local.hour, local.minute, local.second if seconds else None,
                      _identifier(lang))


@lru_cache(maxsize=4096)
def _time_text(hour, minute, second, identifier):
    """Babel's 24-hour text of a time of day (HH:mm, or HH:mm:ss when `second` is given),
    once per time and locale: the pattern shows no zone, so the text is the time's alone."""
    if second is None:
        return _babel_time(time(hour, minute), "HH:mm", locale=_parsed(identifier))
    return _babel_time(time(hour, minute, second), "HH:mm:ss", locale=_parsed(identifier))


def moment(value, lang=None, seconds=False):
    """A stored naive-UTC datetime as the platform's local date and time: 04/03/2026 19:03
    (the audit log shows the seconds)."""
    if value is None or value == "":
        return ""
    return f"{day(value, lang)} {clock_time(value, lang, seconds)}"


def moments(lang=None, seconds=False):
    """`moment(value, lang, seconds)` for the many times of a long document (a year's
    statement: ~60,000): the same text, the zone and the locale asked once, the day's and the
    time's texts from the caches `day` and `clock_time` use."""
    identifier, tz = _identifier(lang), platform_tz()

    def text(value):
        if value is None or value == "":
            return ""
        local = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(tz)  # to_local
        return (f"{_day_text(local.date(), 'short', identifier)} "
                f"{_time_text(local.hour, local.minute, local.second if seconds else None, identifier)}")

    return text


def month_label(value, lang=None):
    """A month for a chart axis: "mars 2026"."""
    if isinstance(value, str):
        value = date.fromisoformat(value + "-01") if len(value) == 7 else date.fromisoformat(value)
    return _babel_date(value, "LLL y", locale=babel_locale(lang))


LRM = "\u200e"


def _signed_for_pages(format_number):
    """A number filter for pages: in a right-to-left language a negative figure starts with a
    left-to-right mark, as CLDR writes ar-MA's minus sign ("\u200e-"), so the browser shows
    "-6,00" and not "6,00-" (the mark makes the digits and the sign one left-to-right run).
    Pages only: PDFs shape their own runs, CSV cells are numbers."""
    @wraps(format_number)
    def page_number(value, lang=None, *args, **kwargs):
        text = format_number(value, lang, *args, **kwargs)
        if text and text[0] == "-" and (lang or language()) == "ar":
            return LRM + text
        return text

    return page_number


def register(app):
    """Install the template filters (one set for every area) and the helpers templates call."""
    filters = {"money": _signed_for_pages(money), "qty": _signed_for_pages(qty),
               "percent": _signed_for_pages(percent), "day": day,
               "clock_time": clock_time, "moment": moment, "month_label": month_label,
               # the portal's older names, kept so its templates need no edit
               "portal_time": moment, "portal_date": lambda v: day(v, fmt="medium")}
    app.jinja_env.filters.update(filters)
    from web.forms import install_form_translations

    install_form_translations()

    @app.context_processor
    def locale_helpers():
        return {"local_time": moment, "local_today": today}
