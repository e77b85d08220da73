"""The statement page shows a page of entries at a time (a year can be 58,000) with the
period's balances; the CSV stays complete (streamed) and equals the statement line by line."""
import csv
import io
from decimal import Decimal

import pytest

from models.consignment_statement_pages import paged_statement
from models.consignment_statements import statement
from tests.portal.conftest import story  # noqa: F401 - the portal's consignment story


@pytest.fixture
def small_pages(monkeypatch):
    """Two entries per page."""
    import portal.views

    monkeypatch.setattr(portal.views, "STATEMENT_PAGE", 2)


def test_paged_statement_keeps_the_period_figures(app, story):  # noqa: F811
    from datetime import date

    full = statement(story["figuig"], date(2026, 3, 1), date(2026, 3, 31))
    pages = [paged_statement(story["figuig"], date(2026, 3, 1), date(2026, 3, 31), p, 2) for p in (1, 2, 3, 4)]
    assert [len(p["entries"]) for p in pages] == [2, 2, 1, 0]
    got = [(e["id"], e["amount"], e["running_balance"], e["gross"], e["commission"], e["quantity"],
            e["commission_rate"], e["lot_code"], e["location_fr"]) for p in pages for e in p["entries"]]
    assert got == [(e["id"], e["amount"], e["running_balance"], e["gross"], e["commission"], e["quantity"],
                    e["commission_rate"], e["lot_code"], e["location_fr"]) for e in full["entries"]]
    for key in ("opening_balance", "closing_balance", "totals", "gross", "commission"):
        assert pages[2][key] == full[key], key
    # The same Decimals to the exponent (read as driver tuples, each value's Decimal made once),
    # times as datetimes, and the running balance in centimes beside its Decimal (the PDF's).
    def texts(e):
        return tuple(str(e[k]) for k in ("amount", "running_balance", "gross", "commission", "quantity",
                                         "commission_rate")) + (e["created_at"],)

    assert [texts(e) for p in pages for e in p["entries"]] == [texts(e) for e in full["entries"]]
    assert all(Decimal(e["running_cents"]).scaleb(-2) == e["running_balance"] for p in pages for e in p["entries"])
    assert pages[0]["total_entries"] == 5


def test_statement_page_is_paginated(auth, story, small_pages):  # noqa: F811
    client = auth.client_for("coop.figuig")
    base = f"/portal/cooperatives/{story['figuig']}/statement?from=2026-03-01&to=2026-03-31"
    first = client.get(base).get_data(as_text=True)
    assert "Solde d&#39;ouverture" in first or "Solde d'ouverture" in first
    assert "page=3" in first and "Solde de clôture" not in first
    last = client.get(base + "&page=3").get_data(as_text=True)
    assert "Solde de clôture" in last and "276,64" in last.replace("\u202f", "").replace("\xa0", "")
    assert client.get(base + "&page=99").status_code == 200


def test_statement_csv_is_complete_and_streamed(app, auth, story):  # noqa: F811
    client = auth.client_for("coop.figuig")
    r = client.get(f"/portal/cooperatives/{story['figuig']}/statement?from=2026-03-01&to=2026-03-31&format=csv")
    assert r.status_code == 200 and r.is_streamed and r.mimetype == "text/csv"
    # A page's CSV: the French spreadsheet dialect (";" between fields, decimal comma).
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    from datetime import date

    full = statement(story["figuig"], date(2026, 3, 1), date(2026, 3, 31))
    assert rows[1][1] == "Solde d'ouverture" and rows[1][-1] == str(full["opening_balance"]).replace(".", ",")
    body = rows[2:-1]
    assert [int(x[0]) for x in body] == [e["id"] for e in full["entries"]]
    assert [(Decimal(x[11].replace(",", ".")), Decimal(x[12].replace(",", "."))) for x in body] == [(e["amount"], e["running_balance"])
                                                               for e in full["entries"]]
    assert body[1][4] == "L-FIG-1" and body[1][6] == "Boutique aéroport Oujda-Angad"
    assert body[1][9] == "0,1200" and body[1][7] == str(full["entries"][1]["quantity"]).replace(".", ",")
    assert rows[-1][1] == "Solde de clôture" and rows[-1][-1] == "276,64"
