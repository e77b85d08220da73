"""Every form POST route of the app, for every role, with every field a form of the app has
filled as an attacker fills it (numbers past 2^63, 1e400, dates at 9999-12-31 and year one,
lone surrogates, Arabic digits, NUL bytes, junk rows): nothing answers 5xx. New routes and
fields are attacked without touching this file. (The JSON API is fuzzed by test_fuzz_api.)"""
import re
from urllib.parse import quote

import pytest
from flask import g
from flask_wtf import FlaskForm

from tests.trust.test_every_route_bad_query import HUGE, ID, ROLES

SKIP = re.compile(r"^/api/|^/(static|bootstrap)/|/logout$|^/login$|/lang/")
# Sent percent-encoded as a browser would; %ED%A0%80 is a lone surrogate (not UTF-8).
VALUES = (HUGE, "1e400", "-1", "9999-12-31", "0001-01-01", "%ED%A0%80", quote("١٢٫٥"), "a%00b", "abc", "")
# Fields read from request.form by hand, besides the forms' own.
EXTRA = ("add_counted", "add_lot_code", "back", "descendants", "from", "next", "note", "partial",
         "reason", "which")


def _field_names():
    """Every field name of every form class of the app (rows of list fields as lines-0-x and
    lines-1-x)."""
    names, seen = set(EXTRA), set()
    todo = list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        if form in seen:
            continue
        seen.add(form)
        todo.extend(form.__subclasses__())
        for attr in dir(form):
            unbound = getattr(form, attr, None)
            field_class = getattr(unbound, "field_class", None)
            if field_class is None:
                continue
            if field_class.__name__ == "FieldList":
                inner = unbound.args[0] if unbound.args else None
                sub = getattr(inner, "args", None)
                row_form = sub[0] if sub else None
                row_names = [a for a in dir(row_form) if getattr(getattr(row_form, a, None), "field_class", None)] \
                    if row_form else []
                for i in (0, 1):
                    names.update(f"{attr}-{i}-{n}" for n in row_names)
            names.add(attr)
    names.discard("csrf_token")
    return sorted(names)


def post_routes(app):
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "POST" in rule.methods and not SKIP.search(rule.rule)})


@pytest.mark.parametrize("username", ROLES)
def test_no_form_post_answers_5xx_to_hostile_fields(app, auth, username):
    client = auth.client_for(username) if username else app.test_client()
    names = _field_names()
    assert len(names) > 50, names
    failures, handled = [], 0
    for rule in post_routes(app):
        for path in (ID.sub("1", rule), ID.sub(HUGE, rule)):
            for value in VALUES:
                g.pop("_login_user", None)
                g.pop("auth_via", None)
                body = "&".join(f"{name}={value}" for name in names)
                response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
                handled += response.status_code in (200, 400, 409, 413, 422)
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {path} = {value!r}")
    assert not failures, f"{len(failures)} 5xx as {username}:\n" + "\n".join(failures[:40])
    if username == "admin":  # the forms themselves answered, not only the access check
        assert handled > 60, handled
