"""Refunds (never more than sold, restock or write-off, consignment reversed at the frozen
rate) and cash sessions (one open per cashier and shop, expected cash, Z report)."""
from decimal import Decimal

import pytest
from tests.shop.shop_helpers import FIGUIG, coop, loc, sale_body
from sqlalchemy import func, select

from extensions import db
from models.consignment import ConsignmentEntry
from models.ledger import available, integrity_mismatches
from models.stock import StockMovement


@pytest.fixture
def sold(client, cashier_headers, airport, shop_stock, open_till):
    """A sale of 3 date boxes (165.00) and 1 oil (110.00) paid 300 cash."""
    r = client.post("/api/v1/sales", headers=cashier_headers, json=sale_body(
        airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "3"},
                     {"lot_id": shop_stock["oil"].id, "quantity": "1"}], [{"method": "cash", "amount": "300"}]))
    assert r.status_code == 201
    return r.get_json()


def refund(client, headers, sale, lines, reason="abîmé", **extra):
    """POST a refund."""
    return client.post(f"/api/v1/sales/{sale['id']}/refunds", headers=headers,
                       json={"lines": lines, "reason": reason, **extra})


def test_never_more_than_sold_across_refunds(client, cashier_headers, sold):
    dates_line = sold["lines"][0]["id"]
    r = refund(client, cashier_headers, sold, [{"sale_line_id": dates_line, "quantity": "2"}])
    assert r.status_code == 201 and r.get_json()["total"] == "110.00"
    r = refund(client, cashier_headers, sold, [{"sale_line_id": dates_line, "quantity": "2"}])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "refund_exceeds_sale"
    r = refund(client, cashier_headers, sold, [{"sale_line_id": dates_line, "quantity": "1"},
                                               {"sale_line_id": dates_line, "quantity": "1", "restock": False}])
    assert r.status_code == 409
    assert refund(client, cashier_headers, sold, [{"sale_line_id": dates_line, "quantity": "1"}]).status_code == 201
    assert refund(client, cashier_headers, sold, [{"sale_line_id": dates_line, "quantity": "1"}]).status_code == 409


def test_bad_refunds(client, cashier_headers, auth, sold):
    line = sold["lines"][0]["id"]
    assert refund(client, cashier_headers, sold, [{"sale_line_id": 99999, "quantity": "1"}]).status_code == 422
    assert refund(client, cashier_headers, sold, [{"sale_line_id": line, "quantity": "0.5"}]).status_code == 422
    assert refund(client, cashier_headers, sold, [{"sale_line_id": line, "quantity": "1"}], reason="  ").status_code == 422
    assert refund(client, cashier_headers, sold, []).status_code == 422
    assert refund(client, auth.headers("caissier.stand"), sold, [{"sale_line_id": line, "quantity": "1"}]).status_code == 403
    assert refund(client, auth.headers("operateur"), sold, [{"sale_line_id": line, "quantity": "1"}]).status_code == 403
    assert client.post("/api/v1/sales/99999/refunds", headers=cashier_headers,
                       json={"lines": [{"sale_line_id": line, "quantity": "1"}], "reason": "x"}).status_code == 404


def test_damaged_goods_are_written_off_and_consignment_reversed_at_frozen_rate(
        client, cashier_headers, airport, shop_stock, sold):
    figuig = coop(FIGUIG)
    figuig.commission_rate = Decimal("0.50")  # changed after the sale: the refund keeps 12 %
    db.session.commit()
    before = available(shop_stock["dates"].id, airport.id)
    r = refund(client, cashier_headers, sold, [{"sale_line_id": sold["lines"][0]["id"], "quantity": "1", "restock": False}],
               reason="Boîte écrasée")
    assert r.status_code == 201
    assert available(shop_stock["dates"].id, airport.id) == before
    mv = db.session.execute(select(StockMovement).where(StockMovement.document_type == "refund")).scalar_one()
    assert (mv.kind, mv.from_location_id, mv.to_location_id) == ("loss", loc("CUSTOMERS").id, loc("LOSS").id)
    entry = db.session.execute(select(ConsignmentEntry).where(ConsignmentEntry.kind == "refund")).scalar_one()
    assert (entry.gross, entry.commission_rate, entry.amount) == (Decimal("-55.00"), Decimal("0.1200"), Decimal("-48.40"))
    assert integrity_mismatches() == []


def test_partial_refunds_never_refund_a_centime_too_many(client, cashier_headers, airport, make_lot, open_till):
    lot = make_lot("DAT-AZ-500", FIGUIG, 5)
    r = client.post("/api/v1/sales", headers=cashier_headers, json=sale_body(
        airport.id, [{"lot_id": lot.id, "quantity": "3", "discount": "10.01"}], [{"method": "cash", "amount": "200"}]))
    sale = r.get_json()
    assert sale["total"] == "154.99"
    totals = [refund(client, cashier_headers, sale, [{"sale_line_id": sale["lines"][0]["id"], "quantity": "1"}]).get_json()["total"]
              for _ in range(3)]
    assert sum(Decimal(t) for t in totals) == Decimal("154.99")
    owed = db.session.execute(select(func.sum(ConsignmentEntry.amount))).scalar()
    assert owed == Decimal("0.00")


def test_cash_refund_needs_an_open_till_and_lowers_expected_cash(client, cashier_headers, sold, open_till):
    r = client.post(f"/api/v1/cash-sessions/{open_till['id']}/close", json={"counted_cash": "365"}, headers=cashier_headers)
    z = r.get_json()
    assert (z["expected_cash"], z["difference"]) == ("475.00", "-110.00")  # 200 + 300 − 25 change
    line = sold["lines"][1]["id"]
    r = refund(client, cashier_headers, sold, [{"sale_line_id": line, "quantity": "1"}])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_open_session"
    new = client.post("/api/v1/cash-sessions", json={"location_id": sold["location_id"], "opening_float": "100"},
                      headers=cashier_headers).get_json()
    assert refund(client, cashier_headers, sold, [{"sale_line_id": line, "quantity": "1"}]).status_code == 201
    z = client.get(f"/api/v1/cash-sessions/{new['id']}", headers=cashier_headers).get_json()
    assert (z["sales_count"], z["refunds_by_method"]["cash"], z["expected_cash"]) == (0, "110.00", "-10.00")


def test_one_open_till_per_cashier_and_shop(client, cashier_headers, airport, open_till, auth):
    r = client.post("/api/v1/cash-sessions", json={"location_id": airport.id, "opening_float": "50"}, headers=cashier_headers)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "session_already_open"
    other = auth.headers("caissier.stand")
    assert client.post("/api/v1/cash-sessions", json={"location_id": airport.id, "opening_float": "0"}, headers=other).status_code == 403
    assert client.get(f"/api/v1/cash-sessions/{open_till['id']}", headers=other).status_code == 403
    assert client.post(f"/api/v1/cash-sessions/{open_till['id']}/close", json={"counted_cash": "1"}, headers=other).status_code == 403
    assert client.post("/api/v1/cash-sessions", json={"location_id": loc("WH-STOCK").id, "opening_float": "0"},
                       headers=auth.headers("admin")).status_code == 404
    assert client.post("/api/v1/cash-sessions", json={"location_id": airport.id, "opening_float": "-1"},
                       headers=cashier_headers).status_code == 422
    assert client.post(f"/api/v1/cash-sessions/{open_till['id']}/close", json={"counted_cash": "200"},
                       headers=cashier_headers).get_json()["difference"] == "0.00"
    r = client.post(f"/api/v1/cash-sessions/{open_till['id']}/close", json={"counted_cash": "200"}, headers=cashier_headers)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "session_closed"
    # Closed: selling needs a new till.
    assert client.post("/api/v1/cash-sessions", json={"location_id": airport.id, "opening_float": "0"},
                       headers=cashier_headers).status_code == 201
    assert client.post(f"/api/v1/cash-sessions/{open_till['id']}/close", json={"counted_cash": "x"},
                       headers=cashier_headers).status_code == 422
