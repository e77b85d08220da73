"""The reports' pages and API: admins and the observer read them (no personal data), nobody
else does; the observer writes nothing; CSV in the reader's locale; the map's eight provinces
with a French and Arabic legend; bad input is a 4xx."""
import re

import pytest

from auth.access import PUBLIC, view_access
from demo.data import COOPERATIVES, USERS
from tests.auth.test_access import routes

PAGES = ["/reports/", "/reports/sales", "/reports/sales?by=product", "/reports/sales?by=cooperative",
         "/reports/sales?by=province", "/reports/sales?by=outlet", "/reports/sales?by=month",
         "/reports/volumes", "/reports/stock", "/reports/stock?by=cooperative", "/reports/revenue",
         "/reports/revenue?by=province", "/reports/value-chain", "/reports/sell-through",
         "/reports/map", "/reports/map?measure=members", "/reports/map?measure=revenue_per_inhabitant"]
API = ["/api/v1/reports/sales?by=month", "/api/v1/reports/volumes", "/api/v1/reports/stock",
       "/api/v1/reports/revenue?by=province", "/api/v1/reports/value-chain",
       "/api/v1/reports/sell-through", "/api/v1/reports/provinces?measure=members"]


@pytest.fixture
def activity(app):
    from demo import seed_demo
    from extensions import db

    seed_demo(activity=True)
    db.session.commit()


@pytest.mark.parametrize("username", ["admin", "observatoire"])
def test_readers_see_every_report_without_personal_data(app, auth, activity, username):
    client = auth.client_for(username)
    names = [full for u, full, _r, _l, _s, _c in USERS if u != username]  # the navbar names oneself
    banks = [c.get("payout_account") for c in COOPERATIVES if c.get("payout_account")]
    for url in PAGES:
        for lang in ("fr", "ar"):
            with client.session_transaction() as s:
                s["lang"] = lang
            response = client.get(url)
            assert response.status_code == 200, (url, lang)
            html = response.get_data(as_text=True)
            leaked = [n for n in names + banks if n in html]
            assert not leaked, (url, leaked)
            assert not re.search(r"\b(AIR|OUJ|BER|NAD)-\d{6}\b", html), url  # no receipt numbers
    headers = auth.headers(username)
    for url in API:
        response = app.test_client().get(url, headers=headers)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert not [n for n in names + banks if n in body], url


def test_decimals_are_strings_in_json(app, auth, activity):
    data = app.test_client().get("/api/v1/reports/sales", headers=auth.headers("admin")).get_json()
    assert isinstance(data["totals"]["gross"], str) and re.fullmatch(r"-?\d+\.\d{2}", data["totals"]["gross"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["from"])


@pytest.mark.parametrize("role_user", ["operateur", "caissier", "coop.figuig"])
def test_other_roles_are_refused(auth, role_user):
    client = auth.client_for(role_user)
    for url in PAGES:
        assert client.get(url).status_code == 403, url


def test_the_observer_writes_nothing(app):
    """Walking the URL map: the observer's only non-GET routes are its own account's (signing
    out, its password, its sessions and tokens); every page or API with personal data is closed
    to it (test_access checks the 403s)."""
    writes = sorted({e for e, _u, m in routes(app) if m not in ("GET",)
                     and (view_access(e) is not PUBLIC) and "observer" in view_access(e)})
    assert writes == ["auth.end_my_sessions", "auth.logout", "auth.revoke_token", "auth.security",
                      "tokens.revoke_by_id", "tokens.revoke_current"]
    reads = sorted({e for e, _u, m in routes(app) if m == "GET" and view_access(e) is not PUBLIC
                    and "observer" in view_access(e)})
    assert all(e.startswith(("reports", "auth", "tokens.")) for e in reads), reads


def test_csv_in_the_readers_locale(auth, activity):
    client = auth.client_for("admin")
    response = client.get("/reports/sales?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    header, *rows = text.lstrip("\ufeff").splitlines()
    assert header.startswith("Famille de produits;") or ";" in header
    assert any(re.search(r";\d+,\d{2};", r) for r in rows), rows[:3]  # French decimal comma


def test_map_draws_the_eight_provinces_with_a_bilingual_legend(auth, activity):
    html = auth.client_for("observatoire").get("/reports/map?measure=members").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert svg.count("<path") == 8
    for name in ("Oujda-Angad", "Berkane", "Nador", "Driouch", "Taourirt", "Jerada", "Guercif", "Figuig"):
        assert name in svg
    assert "بركان" in svg and "فجيج" in svg
    assert "Adhérents" in svg and "الأعضاء" in svg  # the legend's title in French and Arabic


@pytest.mark.parametrize("url", ["/reports/sales?from=2026-13-01", "/reports/sales?by=nothing",
                                 "/reports/sales?from=2026-05-01&to=2026-01-01",
                                 "/reports/map?measure=x"])
def test_bad_filters_are_a_400(auth, url):
    assert auth.client_for("admin").get(url).status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/reports/sales?by=nothing", "/api/v1/reports/sales?from=x",
                                 "/api/v1/reports/volumes?from=2026-05-01&to=2020-01-01",
                                 "/api/v1/open-data/sales-monthly?from=1999-01-01&to=2026-01-01"])
def test_bad_api_arguments_are_4xx(app, auth, url):
    response = app.test_client().get(url, headers=auth.headers("admin"))
    assert response.status_code in (400, 422), (url, response.status_code)
    assert "error" in response.get_json()


def test_open_data_is_public(client):
    assert client.get("/api/v1/open-data/datapackage.json").status_code == 200
    assert client.get("/api/v1/open-data/sales-monthly").status_code == 200
    assert client.get("/reports/open-data").status_code == 200
