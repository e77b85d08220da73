"""Dates on pages are validated like the API's: a clear message and a 422, never a silent
default period; business dates within a sane range."""
import re

import pytest
from flask import g

from tests.shop.shop_helpers import FIGUIG, coop


def forget():
    g.pop("_login_user", None)
    g.pop("auth_via", None)


def messages(html):
    return re.findall(r'invalid-feedback[^>]*>([^<]*)<', html)


@pytest.mark.parametrize("page", ["statement", "sales"])
@pytest.mark.parametrize("query", ["from=2026-13-45", "from=abc&to=2026-01-01", "to=31/01/2026",
                                   "from=0001-01-01", "to=9999-12-31"])
def test_period_pages_say_what_is_wrong(app, auth, page, query):
    client = auth.client_for("admin")
    forget()
    response = client.get(f"/portal/cooperatives/{coop(FIGUIG).id}/{page}?{query}")
    assert response.status_code == 422
    shown = messages(response.get_data(as_text=True))
    assert shown and all(m.strip() for m in shown), shown


@pytest.mark.parametrize("paid_on", ["abc", "2026-02-30"])
def test_unreadable_payout_date_is_not_called_missing(app, auth, paid_on):
    client = auth.client_for("admin")
    forget()
    response = client.post("/portal/admin/payouts/new", data={
        "cooperative_id": coop(FIGUIG).id, "amount": "1,00", "paid_on": paid_on, "method": "cash"})
    assert response.status_code in (400, 422)
    shown = messages(response.get_data(as_text=True))
    assert shown and "requis" not in " ".join(shown), shown


def test_api_and_pages_agree_on_the_range(app, auth):
    headers = auth.headers("admin")
    forget()
    coop_id = coop(FIGUIG).id
    api = app.test_client().get(f"/api/v1/cooperatives/{coop_id}/statement?from=1899-12-31", headers=headers)
    assert api.status_code == 422 and "1900-01-01" in str(api.get_json()["error"]["fields"])
    client = auth.client_for("admin")
    forget()
    page = client.get(f"/portal/cooperatives/{coop_id}/statement?from=1899-12-31")
    assert page.status_code == 422 and "1900-01-01" in " ".join(messages(page.get_data(as_text=True)))
