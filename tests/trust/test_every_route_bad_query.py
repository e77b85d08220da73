"""Every GET route of the app, for every role, with ids and query strings as an attacker types
them (ids past 2^63, dates at 9999-12-31 and in year one, lone surrogates, Arabic digits, junk):
nothing answers 5xx. New routes are attacked without touching this file."""
import re
from urllib.parse import quote

import pytest
from flask import g

HUGE = str(2 ** 63)
# Each query parameter a view or an API schema reads (grep of request.args and the query
# schemas), with the values that broke pages before.
PARAMS = ("page", "per_page", "limit", "cursor", "date_from", "date_to", "start", "days", "q", "code",
          "number", "lot", "lot_id", "location_id", "cooperative_id", "shop_id", "buyer_id", "user_id",
          "object_id", "object_type", "state", "status", "sort", "dir", "by", "format", "measure",
          "layout", "copies", "price", "sheet", "next", "back", "expiring", "sold_out", "print")
VALUES = (HUGE, "-1", "9999-12-31", "0001-01-01", "abc", "%ED%A0%80", "%00", "١٢", "1e400")
ID = re.compile(r"<(?:(?:int|string|path|\w+):)?(\w+)>")
SKIP = re.compile(r"^/(static|bootstrap)/|/logout$|/lang/")
ROLES = ("admin", "operateur", "caissier", "coop.figuig", "observatoire", "acheteur.hotel", None)


def get_routes(app):
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not SKIP.search(rule.rule):
            rules.append(rule.rule)
    return sorted(set(rules))


def _paths(rule):
    """The route with its variables as 1 (a real-looking id) and as a number past 2^63."""
    if not ID.search(rule):
        return [rule]
    return [ID.sub("1", rule), ID.sub(HUGE, rule), ID.sub("%ED%A0%80", rule)]


@pytest.mark.parametrize("username", ROLES)
def test_no_get_route_answers_5xx_to_hostile_ids_and_query_strings(app, auth, username):
    if username:
        client = auth.client_for(username)
        headers = auth.headers(username)
    else:
        client, headers = app.test_client(), {}
    failures = []
    for rule in get_routes(app):
        for path in _paths(rule):
            for value in VALUES:
                query = "&".join(f"{name}={value}" for name in PARAMS)
                url = f"{path}?{query}"
                g.pop("_login_user", None)
                g.pop("auth_via", None)
                extra = headers if path.startswith("/api/") else {}
                response = client.get(url, headers=extra)
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {url[:160]}")
    assert not failures, f"{len(failures)} 5xx as {username}:\n" + "\n".join(failures[:40])
