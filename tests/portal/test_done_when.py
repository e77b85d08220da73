"""The issue's "done when", as a new user would try it over HTTP: sales at two outlets, a
refund and a payout; each balance equals sales less commission, fees, refunds and payouts to
the centime; the statement explains it line by line; a cooperative sees only its own."""
from decimal import Decimal

D = Decimal


def test_balances_statements_and_isolation_over_http(client, auth, story):
    admin = auth.headers("admin")
    # The admin pays Figuig 100 MAD by bank transfer.
    r = client.post("/api/v1/payouts", headers=admin, json={
        "cooperative_id": story["figuig"], "amount": "100.00", "method": "bank_transfer",
        "reference": "VIR-0001"})
    assert r.status_code == 201

    # Figuig: sales 165.00 + 110.00 + 100.05 at the airport shop and the Oujda stand, a
    # refund of 55.00, all at 12 %; a packaging fee of 5.00; a payout of 100.00.
    gross = D("165.00") + D("110.00") + D("100.05")
    refund = D("55.00")
    commission = D("19.80") + D("13.20") + D("12.01") - D("6.60")
    expected = gross - refund - commission - D("5.00") - D("100.00")
    assert expected == D("176.64")

    figuig = auth.headers("coop.figuig")
    balance = client.get(f"/api/v1/cooperatives/{story['figuig']}/balance", headers=figuig).get_json()
    assert D(balance["balance"]) == expected
    assert balance == {"cooperative_id": story["figuig"], "owed": "281.64", "fees": "5.00",
                       "paid": "100.00", "adjustments": "0.00", "balance": "176.64"}
    # Taourirt: 440.00 at 10 %, nothing else.
    taourirt = auth.headers("coop.taourirt")
    assert client.get(f"/api/v1/cooperatives/{story['taourirt']}/balance",
                      headers=taourirt).get_json()["balance"] == "396.00"

    # The statement from the beginning explains the balance line by line.
    stmt = client.get(f"/api/v1/cooperatives/{story['figuig']}/statement?from=2026-01-01&to=2028-12-31",
                      headers=figuig).get_json()
    assert stmt["opening_balance"] == "0.00"
    total = D(stmt["opening_balance"])
    for entry in stmt["entries"]:
        total += D(entry["amount"])
        assert D(entry["running_balance"]) == total
        if entry["kind"] in ("sale", "refund"):
            assert D(entry["gross"]) - D(entry["commission"]) == D(entry["amount"])
    assert [e["kind"] for e in stmt["entries"]] == ["fee", "sale", "sale", "sale", "refund", "payout"]
    assert {e["location"] for e in stmt["entries"] if e["kind"] == "sale"} == {
        "Boutique aéroport Oujda-Angad", "Stand solidaire – Oujda centre"}
    assert stmt["entries"][-1]["document"].startswith("PAY-")
    assert stmt["closing_balance"] == balance["balance"]

    # The page shows the same, and the cooperative gets 404 on the other's ids.
    pages = auth.client_for("coop.figuig")
    html = pages.get(f"/portal/cooperatives/{story['figuig']}/statement?from=2026-01-01&to=2028-12-31").get_data(as_text=True)
    assert "176.64" in html.replace("\u202f", "").replace(" ", "").replace(",", ".")
    assert pages.get(f"/portal/cooperatives/{story['taourirt']}/statement").status_code == 404
    assert client.get(f"/api/v1/cooperatives/{story['taourirt']}/balance", headers=figuig).status_code == 404
    assert client.get(f"/api/v1/cooperatives/{story['taourirt']}/statement", headers=figuig).status_code == 404
    assert client.get(f"/api/v1/lots/{story['oil_lot']}", headers=figuig).status_code == 404
