"""A cooperative in the browser: it reads its balance on the portal (the figure the API gives)
and cannot open another cooperative's pages."""
from decimal import Decimal

from tests.e2e.helpers import amount, api_get, api_send, api_token, login


def own_cooperative_id(page):
    """The cooperative of the signed-in user, from its portal tabs."""
    href = page.get_attribute("ul.nav a[href*='/portal/cooperatives/']", "href")
    return int(href.split("/portal/cooperatives/")[1].split("/")[0])


def test_cooperative_reads_its_balance(page, live_server):
    login(page, "coop.figuig")
    page.goto("/portal/")
    coop_id = own_cooperative_id(page)
    stats = [amount(t) for t in page.locator(".card-stat .fw-bold").all_inner_texts()]
    owed, fees, paid, shown_balance = stats
    figures = api_get(live_server, f"/api/v1/cooperatives/{coop_id}/balance",
                      api_token(live_server, "coop.figuig"))
    assert shown_balance == Decimal(figures["balance"])
    assert (owed, fees, paid) == tuple(Decimal(figures[k]) for k in ("owed", "fees", "paid"))
    assert owed > 0, "the demo sold Figuig dates: something is owed"
    # The statement page of the same cooperative opens too.
    response = page.goto(f"/portal/cooperatives/{coop_id}/statement")
    assert response.status == 200


def test_cooperative_is_refused_another_cooperatives_pages(page, live_server):
    login(page, "coop.figuig")
    page.goto("/portal/")
    own = own_cooperative_id(page)
    cooperatives = api_get(live_server, "/api/v1/cooperatives?per_page=100",
                           api_token(live_server, "admin"))["items"]
    other_id = next(c["id"] for c in cooperatives if c["id"] != own)
    for path in ("/", "/stock", "/receptions", "/sales", "/statement", "/payouts"):
        response = page.goto(f"/portal/cooperatives/{other_id}{path}")
        assert response.status in (403, 404), (path, response.status)
    status, _body = api_send(live_server, "GET", f"/api/v1/cooperatives/{other_id}/balance",
                             api_token(live_server, "coop.figuig"))
    assert status in (403, 404)
