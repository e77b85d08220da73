"""The statement API in cursor pages: pages concatenated are the whole statement, the
running balance runs on across pages, cursors are signed and tied to one cooperative and
period, and a cooperative cannot page another's statement."""
import pytest

from tests.portal.conftest import story  # noqa: F401 - the portal's consignment story

PERIOD = "from=2026-03-01&to=2026-03-31"


def _pages(client, headers, coop, limit):
    """Every page of March, following next_cursor."""
    pages, cursor = [], None
    while True:
        url = f"/api/v1/cooperatives/{coop}/statement/entries?{PERIOD}&limit={limit}"
        r = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert r.status_code == 200, r.get_json()
        pages.append(r.get_json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 20


@pytest.mark.parametrize("limit", [1, 2, 3, 500])
def test_pages_concatenated_are_the_whole_statement(client, auth, story, limit):  # noqa: F811
    headers = auth.headers("coop.figuig")
    whole = client.get(f"/api/v1/cooperatives/{story['figuig']}/statement?{PERIOD}", headers=headers).get_json()
    assert len(whole["entries"]) == 5
    pages = _pages(client, headers, story["figuig"], limit)
    assert [e for p in pages for e in p["entries"]] == whole["entries"]
    assert len(pages) == -(-5 // limit)
    assert all(len(p["entries"]) <= limit for p in pages)
    assert [p["has_more"] for p in pages] == [True] * (len(pages) - 1) + [False]
    # Balances run on: each page opens where the previous closed, and on its own entries.
    assert pages[0]["opening_balance"] == whole["opening_balance"]
    assert pages[-1]["closing_balance"] == whole["closing_balance"]
    for before, after in zip(pages, pages[1:]):
        assert after["opening_balance"] == before["closing_balance"]
    for p in pages:
        assert p["entries"][-1]["running_balance"] == p["closing_balance"]
        for k in ("cooperative_id", "from", "to", "start", "end"):
            assert p[k] == whole[k]


def test_an_empty_period_is_one_page(client, auth, story):  # noqa: F811
    r = client.get(f"/api/v1/cooperatives/{story['figuig']}/statement/entries?from=2020-01-01&to=2020-01-31",
                   headers=auth.headers("admin")).get_json()
    assert r["entries"] == [] and r["next_cursor"] is None and r["opening_balance"] == r["closing_balance"]


def test_a_cooperative_cannot_page_another_statement(client, auth, story):  # noqa: F811
    taourirt = auth.headers("coop.taourirt")
    url = f"/api/v1/cooperatives/{story['figuig']}/statement/entries?{PERIOD}&limit=2"
    assert client.get(url, headers=taourirt).status_code == 404
    # Not even with a cursor of the other cooperative's statement.
    cursor = client.get(url, headers=auth.headers("coop.figuig")).get_json()["next_cursor"]
    assert client.get(url + f"&cursor={cursor}", headers=taourirt).status_code == 404
    own = f"/api/v1/cooperatives/{story['taourirt']}/statement/entries?{PERIOD}&limit=2"
    r = client.get(own + f"&cursor={cursor}", headers=taourirt)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "bad_cursor"


def test_cursors_are_tied_to_their_period_and_cannot_be_forged(client, auth, story):  # noqa: F811
    admin = auth.headers("admin")
    base = f"/api/v1/cooperatives/{story['figuig']}/statement/entries"
    cursor = client.get(f"{base}?{PERIOD}&limit=2", headers=admin).get_json()["next_cursor"]
    other_period = client.get(f"{base}?from=2026-03-01&to=2026-04-30&limit=2&cursor={cursor}", headers=admin)
    assert other_period.status_code == 422 and other_period.get_json()["error"]["code"] == "bad_cursor"
    forged = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    for bad in (forged, "garbage", "x" * 900):
        r = client.get(f"{base}?{PERIOD}&cursor={bad}", headers=admin)
        assert r.status_code == 422 and r.get_json()["error"]["code"] == "bad_cursor", bad
    for limit in ("0", "2001", "abc"):
        assert client.get(f"{base}?{PERIOD}&limit={limit}", headers=admin).status_code == 422


def test_pages_are_the_documented_way(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/api/v1/cooperatives/{coop_id}/statement/entries"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"from", "to", "cursor", "limit"} <= names
    assert "next_cursor" in spec["components"]["schemas"]["StatementPage"]["properties"]
    whole = spec["paths"]["/api/v1/cooperatives/{coop_id}/statement"]["get"]
    assert "statement/entries" in whole["description"]


def test_csv_read_in_chunks_is_the_whole_statement(client, auth, story, monkeypatch):  # noqa: F811
    import csv
    import io

    import portal.statement_csv

    headers = auth.headers("coop.figuig")
    whole = client.get(f"/api/v1/cooperatives/{story['figuig']}/statement?{PERIOD}", headers=headers).get_json()
    monkeypatch.setattr(portal.statement_csv, "CHUNK", 2)  # 5 entries: chunks of 2, 2, 1
    r = client.get(f"/api/v1/cooperatives/{story['figuig']}/statement?{PERIOD}&format=csv", headers=headers)
    assert r.status_code == 200 and r.is_streamed
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [int(x[0]) for x in rows[2:-1]] == [e["id"] for e in whole["entries"]]
    assert [x[-1] for x in rows[2:-1]] == [e["running_balance"] for e in whole["entries"]]
    assert rows[1][-1] == whole["opening_balance"] and rows[-1][-1] == whole["closing_balance"]
