"""The consignment API: balances, statements (JSON, PDF, CSV), sales, payouts, rates."""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.consignment_payouts import Payout

D = Decimal


def test_balance_as_decimal_strings(client, auth, story):
    r = client.get(f"/api/v1/cooperatives/{story['figuig']}/balance", headers=auth.headers("admin"))
    assert r.status_code == 200
    assert r.get_json() == {"cooperative_id": story["figuig"], "owed": "281.64", "fees": "5.00",
                            "paid": "0.00", "adjustments": "0.00", "balance": "276.64"}


def test_statement_json(client, auth, story):
    url = f"/api/v1/cooperatives/{story['figuig']}/statement?from=2026-03-01&to=2026-03-31"
    body = client.get(url, headers=auth.headers("coop.figuig")).get_json()
    assert body["opening_balance"] == "0.00" and body["closing_balance"] == "276.64"
    assert body["from"] == "2026-03-01" and body["to"] == "2026-03-31"
    assert body["start"] == "2026-03-01T00:00:00+00:00"  # Ramadan 2026: Morocco on UTC+0
    kinds = [(e["kind"], e["amount"], e["running_balance"]) for e in body["entries"]]
    assert kinds == [("fee", "-5.00", "-5.00"), ("sale", "145.20", "140.20"),
                     ("sale", "96.80", "237.00"), ("sale", "88.04", "325.04"),
                     ("refund", "-48.40", "276.64")]
    sale = body["entries"][1]
    assert sale["gross"] == "165.00" and sale["commission"] == "19.80" and sale["commission_rate"] == "0.1200"
    assert sale["lot_code"] == "L-FIG-1" and sale["location"] == "Boutique aéroport Oujda-Angad"
    assert sale["created_at"].endswith("+00:00")


def test_statements_reconcile_over_the_api(client, auth, story):
    h = auth.headers("admin")
    base = f"/api/v1/cooperatives/{story['figuig']}/statement"
    march = client.get(base + "?from=2026-03-01&to=2026-03-15", headers=h).get_json()
    later = client.get(base + "?from=2026-03-16&to=2026-04-30", headers=h).get_json()
    assert march["closing_balance"] == later["opening_balance"] == "237.00"
    assert march["end"] == later["start"]


def test_statement_pdf_and_csv(client, auth, story):
    h = auth.headers("coop.figuig")
    base = f"/api/v1/cooperatives/{story['figuig']}/statement?from=2026-03-01&to=2026-03-31"
    pdf = client.get(base + "&format=pdf", headers=h)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    csv = client.get(base + "&format=csv", headers=h)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("entry_id,kind,time") and len(lines) == 1 + 1 + 5 + 1
    assert lines[-1].endswith("276.64") and "closing_balance" in lines[-1]


@pytest.mark.parametrize("query", ["from=2026-04-02&to=2026-04-01", "from=2026-13-01", "format=xls",
                                   "from=2019-01-01&to=2026-01-01"])
def test_statement_bad_input(client, auth, story, query):
    r = client.get(f"/api/v1/cooperatives/{story['figuig']}/statement?{query}", headers=auth.headers("admin"))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "validation_error"


def test_sales_list_filters(client, auth, story):
    h = auth.headers("coop.figuig")
    base = f"/api/v1/cooperatives/{story['figuig']}/sales"
    body = client.get(base, headers=h).get_json()
    assert body["total"] == 4
    assert body["items"][0]["kind"] == "refund" and body["items"][0]["owed"] == "-48.40"
    stand = client.get(f"{base}?location_id={story['stand']}", headers=h).get_json()
    assert stand["total"] == 2 and {i["unit_price"] for i in stand["items"]} == {"55.00", "33.35"}
    early = client.get(f"{base}?from=2026-03-01&to=2026-03-10", headers=h).get_json()
    assert early["total"] == 1 and early["items"][0]["gross"] == "165.00"


def test_create_payout(client, auth, story):
    h = auth.headers("admin")
    r = client.post("/api/v1/payouts", headers=h, json={
        "cooperative_id": story["figuig"], "amount": "100.00", "method": "bank_transfer",
        "reference": "VIR-2026-04"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["amount"] == "100.00" and body["balance_before"] == "276.64" and body["balance_after"] == "176.64"
    bal = client.get(f"/api/v1/cooperatives/{story['figuig']}/balance", headers=h).get_json()
    assert bal["paid"] == "100.00" and bal["balance"] == "176.64"
    listed = client.get(f"/api/v1/payouts?cooperative_id={story['figuig']}", headers=h).get_json()
    assert listed["total"] == 1 and listed["items"][0]["number"] == body["number"]
    assert client.get(f"/api/v1/payouts/{body['id']}", headers=h).get_json()["reference"] == "VIR-2026-04"


def test_payout_over_balance_409_then_override(client, auth, story):
    h = auth.headers("admin")
    payload = {"cooperative_id": story["taourirt"], "amount": "400.00", "method": "cash"}
    r = client.post("/api/v1/payouts", headers=h, json=payload)
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "exceeds_balance" and err["fields"]["balance"] == ["396.00"]
    assert db.session.execute(select(Payout)).first() is None
    r = client.post("/api/v1/payouts", headers=h, json={**payload, "override_reason": "Advance"})
    assert r.status_code == 201 and r.get_json()["override_reason"] == "Advance"


@pytest.mark.parametrize("payload,status", [
    ({"amount": "10", "method": "cash"}, 422),
    ({"cooperative_id": 1, "amount": "-1", "method": "cash"}, 422),
    ({"cooperative_id": 1, "amount": "abc", "method": "cash"}, 422),
    ({"cooperative_id": 1, "amount": "NaN", "method": "cash"}, 422),
    ({"cooperative_id": 1, "amount": "10", "method": "gold"}, 422),
    ({"cooperative_id": 1, "amount": "10.001", "method": "cash"}, 422),
    ({"cooperative_id": 1, "amount": "10", "method": "cheque"}, 422),
    ({"cooperative_id": 999999, "amount": "10", "method": "cash"}, 404),
    ({"cooperative_id": 1, "amount": "10", "method": "cash", "paid_on": "2999-01-01"}, 422),
])
def test_payout_bad_input(client, auth, story, payload, status):
    r = client.post("/api/v1/payouts", headers=auth.headers("admin"), json=payload)
    assert r.status_code == status, r.get_json()
    assert "error" in r.get_json()
    assert db.session.execute(select(Payout)).first() is None


@pytest.mark.parametrize("user", ["coop.figuig", "operateur", "caissier"])
def test_only_admins_record_payouts(client, auth, story, user):
    r = client.post("/api/v1/payouts", headers=auth.headers(user), json={
        "cooperative_id": story["figuig"], "amount": "1", "method": "cash"})
    assert r.status_code == 403


@pytest.mark.parametrize("user", ["operateur", "caissier"])
def test_staff_other_than_admin_cannot_read_balances(client, auth, story, user):
    h = auth.headers(user)
    assert client.get(f"/api/v1/cooperatives/{story['figuig']}/balance", headers=h).status_code == 403
    assert client.get("/api/v1/payouts", headers=h).status_code == 403


def test_unauthenticated_is_401(client, story):
    assert client.get(f"/api/v1/cooperatives/{story['figuig']}/balance").status_code == 401
    assert client.post("/api/v1/payouts", json={}).status_code == 401


def test_overview_api(client, auth, story):
    body = client.get("/api/v1/consignment/balances?sort=balance&dir=desc",
                      headers=auth.headers("admin")).get_json()
    assert body["items"][0]["cooperative_id"] == story["taourirt"]
    assert body["totals"]["balance"] == "672.64"
    assert client.get("/api/v1/consignment/balances?sort=nope", headers=auth.headers("admin")).status_code == 422
    assert client.get("/api/v1/consignment/balances", headers=auth.headers("coop.figuig")).status_code == 403


def test_commission_rates_api(client, auth, story):
    h = auth.headers("admin")
    r = client.put("/api/v1/commission-rates", headers=h, json={"category": "honey", "rate": "0.17"})
    assert r.status_code == 200
    assert {"id": r.get_json()["rules"][0]["id"], "cooperative_id": None, "category": "honey",
            "channel": None, "rate": "0.1700"} in r.get_json()["rules"]
    r = client.put("/api/v1/commission-rates", headers=h,
                   json={"category": "honey", "channel": "delivery", "rate": "0.12"})
    assert r.status_code == 200
    assert {"cooperative_id": None, "category": "honey", "channel": "delivery", "rate": "0.1200"} \
        in [{k: v for k, v in x.items() if k != "id"} for x in r.get_json()["rules"]]
    assert client.put("/api/v1/commission-rates", headers=h,
                      json={"channel": "web", "rate": "0.1"}).status_code == 422
    r = client.put("/api/v1/commission-rates", headers=h, json={"cooperative_id": story["figuig"], "rate": None})
    assert all(x["cooperative_id"] != story["figuig"] for x in r.get_json()["rules"])
    assert client.put("/api/v1/commission-rates", headers=h, json={"rate": "1.5"}).status_code == 422
    assert client.put("/api/v1/commission-rates", headers=h,
                      json={"cooperative_id": 999999, "rate": "0.1"}).status_code == 404
    r = client.put("/api/v1/commission-rates/packaging-fee", headers=h, json={"packaging_fee_per_unit": "0.75"})
    assert r.get_json()["packaging_fee_per_unit"] == "0.75"
    assert client.get("/api/v1/commission-rates", headers=auth.headers("coop.figuig")).status_code == 403


def test_openapi_documents_the_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/payouts", "/api/v1/cooperatives/{coop_id}/balance",
                 "/api/v1/cooperatives/{coop_id}/statement", "/api/v1/consignment/balances"):
        assert path in spec["paths"], path
    assert "409" in spec["paths"]["/api/v1/payouts"]["post"]["responses"]


def test_two_payouts_at_once_cannot_both_pass(app, story):
    """Each asks for the whole balance: the cooperative row lock lets exactly one through."""
    from models.errors import DomainError
    from models.consignment_payouts import record_payout

    coop_id = story["taourirt"]
    db.session.remove()
    barrier = threading.Barrier(4)
    results = []

    def pay():
        with app.app_context():
            barrier.wait()
            try:
                record_payout(cooperative_id=coop_id, amount=D("396.00"), method="cash")
                db.session.commit()
                results.append("ok")
            except DomainError as exc:
                db.session.rollback()
                results.append(exc.code)
            except Exception as exc:  # noqa: BLE001 - any other failure is a bug
                db.session.rollback()
                results.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pay) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["exceeds_balance"] * 3 + ["ok"], results
    from models.consignment import balance

    assert balance(coop_id)["balance"] == D("0.00")
