"""Bad input answered 4xx before it reaches a schema, a query or a header: `register(app)`.

- JSON bodies: nested deeper than MAX_JSON_DEPTH (a RecursionError in the parser or the
  schema otherwise) → 400; strings with a lone surrogate ("\\ud800", which no database can
  store as UTF-8) → 422 naming the field. `checked_json` serves Flask's own `get_json` and the
  API's webargs parser alike.
- Dates: any date read by an API schema or a page form lies between DATE_MIN and DATE_MAX
  (9999-12-31 overflowed the period arithmetic); business rules narrow it further
  (`business_date`: payouts from 2000 to a year ahead).
- Ids and pages in query strings beyond PostgreSQL's integer (SQLite overflows past 2**63)
  → 400 (404 would hide the mistake).
- Bodies over MAX_CONTENT_LENGTH → 413 (Werkzeug refuses them unread; config.py sets 1 MB).
- Safety nets: OverflowError and RecursionError anywhere become 422 / 400, not 500.
- Download names: `content_disposition` writes RFC 6266 `filename*=` for Arabic lot codes
  (a raw non-Latin-1 header makes gunicorn fail), and an after_request rewrites any raw one.
"""
import re
from datetime import date, datetime, timedelta
from urllib.parse import quote

from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _

from models.clock import today as local_today
from web.locale import day

MAX_JSON_DEPTH = 32
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)
MAX_QUERY_INT = 2**31 - 1
SURROGATE = re.compile("[\ud800-\udfff]")
# Query parameters that hold ids or counts (anything named *_id or id counts too).
COUNT_PARAMS = {"page", "per_page", "days", "limit", "offset"}


class JSONInputError(Exception):
    """A JSON document refused before any schema: `status`, a message, the offending paths."""

    def __init__(self, status, message, paths=()):
        super().__init__(message)
        self.status, self.message, self.paths = status, message, list(paths)


def json_problems(value):
    """Walk a decoded document without recursion: raise JSONInputError when it nests deeper
    than MAX_JSON_DEPTH or holds a lone surrogate (in a key or a string)."""
    stack = [(value, "", 0)]
    bad = []
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            if SURROGATE.search(item):
                bad.append(path or "_schema")
            continue
        if isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise JSONInputError(400, f"JSON nested more than {MAX_JSON_DEPTH} levels deep.")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and SURROGATE.search(key):
                    bad.append(path or "_schema")
                stack.append((child, f"{path}.{key}" if path else str(key), depth + 1))
    if bad:
        raise JSONInputError(422, "Text must be valid Unicode (a lone surrogate was sent).", sorted(set(bad)))
    return value


def checked_json(loads, data):
    """`loads(data)`, then json_problems; a parser's RecursionError becomes JSONInputError."""
    try:
        value = loads(data)
    except RecursionError:
        raise JSONInputError(400, f"JSON nested more than {MAX_JSON_DEPTH} levels deep.") from None
    return json_problems(value)


class CheckedJSONProvider(DefaultJSONProvider):
    """Flask's JSON with the checks above on every `request.get_json()`."""

    def loads(self, s, **kwargs):
        return checked_json(lambda data: super(CheckedJSONProvider, self).loads(data, **kwargs), s)


def date_in_range(value):
    """True when a date (or a datetime's date) lies between DATE_MIN and DATE_MAX."""
    day = value.date() if isinstance(value, datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def business_date(value, earliest=date(2000, 1, 1), ahead=timedelta(days=366), today=None):
    """None when `value` is a plausible business date (from `earliest` to a year ahead of
    today), else the message to show."""
    today = today or local_today()
    if value < earliest or value > today + ahead:
        return _("Enter a date between %(first)s and %(last)s.", first=day(earliest),
                 last=day(today + ahead))
    return None


def _bound_marshmallow_dates():
    """Every marshmallow Date and DateTime field refuses dates outside the range."""
    import marshmallow as ma

    for cls in (ma.fields.Date, ma.fields.DateTime):
        if getattr(cls, "_tadamon_bounded", False):
            continue
        original = cls._deserialize

        def _deserialize(self, value, attr, data, _original=original, **kwargs):
            result = _original(self, value, attr, data, **kwargs)
            if result is not None and not date_in_range(result):
                raise ma.ValidationError(
                    f"Dates must lie between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}.")
            return result

        cls._deserialize = _deserialize
        cls._tadamon_bounded = True


def _bound_form_dates():
    """Every WTForms DateField (and DateTimeField) refuses dates outside the range, with a
    message (the field's own validators never see an out-of-range value)."""
    from wtforms import fields
    from wtforms.validators import StopValidation

    for cls in (fields.DateField, fields.DateTimeField, fields.DateTimeLocalField):
        if getattr(cls, "_tadamon_bounded", False):
            continue
        original, original_pre = cls.process_formdata, cls.pre_validate

        def process_formdata(self, valuelist, _original=original):
            _original(self, valuelist)
            if self.data is not None and not date_in_range(self.data):
                self.data = None
                raise ValueError(_("Dates must lie between %(first)s and %(last)s.",
                                   first=DATE_MIN.isoformat(), last=DATE_MAX.isoformat()))

        def pre_validate(self, form, _original=original_pre):
            # A date that could not be read keeps its own message: stop before DataRequired
            # replaces it with "This field is required."
            # A blank date is left to Optional()/DataRequired(), which decide what blank means.
            if self.process_errors and any(str(v or "").strip() for v in (self.raw_data or [])):
                raise StopValidation()
            return _original(self, form)

        cls.process_formdata = process_formdata
        cls.pre_validate = pre_validate
        cls._tadamon_bounded = True


def refuse_huge_query_ints():
    """before_request: ids and counts in the query string within PostgreSQL's integer."""
    from flask import abort

    for key, value in request.args.items(multi=True):
        if key in COUNT_PARAMS or key == "id" or key.endswith("_id"):
            digits = value.strip().lstrip("+-")
            if digits.isdigit() and len(digits) > 9 and int(digits) > MAX_QUERY_INT:
                message = _("The number in “%(name)s” is too large.", name=key)
                if request.path.startswith("/api/"):  # as the API's schemas answer: 422
                    from web.api import error_response

                    return error_response(422, message, "validation_error", {key: [message]})
                abort(400, description=message)
    return None


def content_disposition(disposition, filename):
    """`attachment; filename="..."; filename*=UTF-8''...` (RFC 6266): an ASCII fallback for
    old clients, the real name (an Arabic lot code) percent-encoded."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    ascii_name = re.sub(r'["\\\r\n]', "_", ascii_name)
    if ascii_name == filename:
        return f'{disposition}; filename="{filename}"'
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _safe_download_names(response):
    """after_request: a Content-Disposition that is not plain ASCII is rewritten (RFC 6266)."""
    value = response.headers.get("Content-Disposition")
    if value and not value.isascii():
        match = re.match(r'\s*(\w+)\s*;\s*filename="?([^";]*)"?', value)
        if match:
            response.headers["Content-Disposition"] = content_disposition(match.group(1), match.group(2))
    return response


def register(app):
    """Install the JSON checks, date bounds, query guard, safety nets and download names."""
    from web.api import error_response, wants_json
    from extensions import db
    from flask import render_template

    app.json_provider_class = CheckedJSONProvider
    app.json = CheckedJSONProvider(app)
    _bound_marshmallow_dates()
    _bound_form_dates()
    app.before_request(refuse_huge_query_ints)
    app.after_request(_safe_download_names)

    def answer(status, message, code, fields=None):
        db.session.rollback()
        if wants_json():
            return error_response(status, message, code, fields)
        return render_template("errors.html", code=status, message=message), status

    @app.errorhandler(JSONInputError)
    def refused_json(exc):
        fields = {path: [exc.message] for path in exc.paths}
        return answer(exc.status, exc.message, "bad_request" if exc.status == 400 else "validation_error",
                      fields)

    @app.errorhandler(OverflowError)
    def overflow(exc):
        app.logger.warning("overflow: %s", exc)
        return answer(422, _("A number or a date is out of range."), "validation_error")

    @app.errorhandler(RecursionError)
    def recursion(exc):
        app.logger.warning("recursion: input nested too deeply")
        return answer(400, _("The input is nested too deeply."), "bad_request")
