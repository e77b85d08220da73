"""Sales made offline reach the server: devices and their receipt blocks, exactly once per
client reference, device numbers gapless, stock short at the shop taken from UNRECONCILED
(listed for the operator), lots blocked since flagged, the Z report's late sales, and the
close page's warning about sales still waiting on a device."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.cooperatives import utcnow
from models.ledger import available, integrity_mismatches
from models.masterdata import virtual_location
from models.sales import Sale
from models.sales_offline import OfflineSale, OfflineSaleIssue
from models.stock_blocks import block_lot


@pytest.fixture
def device(client, cashier_headers, airport, open_till):
    """A registered device with a block of receipt numbers, bound to the open till."""
    r = client.post(f"/api/v1/shops/{airport.id}/devices", json={}, headers=cashier_headers)
    assert r.status_code == 201, r.get_json()
    dev = r.get_json()
    r = client.post(f"/api/v1/devices/{dev['id']}/receipt-blocks", json={"size": 10},
                    headers=cashier_headers)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["first"] == 1 and r.get_json()["last"] == 10
    assert r.get_json()["prefix"] == f"AIR-{dev['code']}"
    return dev


def offline_body(airport, device, session, seq, lot, qty="1", ref=None, sold_at=None, cash="500"):
    return {"location_id": airport.id, "client_ref": ref or f"off-{device['id']}-{seq}",
            "device_id": device["id"], "device_seq": seq, "cash_session_id": session["id"],
            "sold_at": (sold_at or utcnow() - timedelta(minutes=30)).isoformat() + "Z",
            "lines": [{"lot_id": lot.id, "quantity": qty}],
            "payments": [{"method": "cash", "amount": cash}]}


def test_an_offline_sale_is_recorded_once_with_its_device_number(client, cashier_headers, airport,
                                                                  open_till, device, shop_stock):
    lot = shop_stock["dates"]
    sold_at = utcnow().replace(microsecond=0) - timedelta(hours=1)
    body = offline_body(airport, device, open_till, 1, lot, qty="2", sold_at=sold_at)
    first = client.post("/api/v1/offline-sales", json=body, headers=cashier_headers)
    assert first.status_code == 201, first.get_json()
    sale = first.get_json()
    assert sale["device_number"] == f"AIR-{device['code']}-000001"
    assert sale["issues"] == []
    again = client.post("/api/v1/offline-sales", json=body, headers=cashier_headers)
    assert again.status_code == 200 and again.get_json()["id"] == sale["id"]
    assert db.session.execute(select(Sale).where(Sale.client_ref == body["client_ref"])).scalars().all()
    recorded = db.session.get(Sale, sale["id"])
    assert recorded.created_at == sold_at and recorded.cash_session_id == open_till["id"]
    assert available(lot.id, airport.id) == Decimal(8)
    assert db.session.execute(select(OfflineSale).where(OfflineSale.sale_id == sale["id"])).scalar()
    assert integrity_mismatches() == []


def test_device_numbers_are_refused_when_never_reserved_or_used_twice(client, cashier_headers, airport,
                                                                        open_till, device, shop_stock):
    lot = shop_stock["oil"]
    r = client.post("/api/v1/offline-sales", json=offline_body(airport, device, open_till, 11, lot),
                    headers=cashier_headers)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "number_not_reserved"
    assert client.post("/api/v1/offline-sales", json=offline_body(airport, device, open_till, 1, lot),
                       headers=cashier_headers).status_code == 201
    r = client.post("/api/v1/offline-sales", json=offline_body(airport, device, open_till, 1, lot, ref="other"),
                    headers=cashier_headers)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "device_number_used"


def test_the_device_time_is_checked_against_the_server_clock(client, cashier_headers, airport,
                                                              open_till, device, shop_stock):
    lot = shop_stock["oil"]
    ahead = offline_body(airport, device, open_till, 1, lot, sold_at=utcnow() + timedelta(hours=2))
    r = client.post("/api/v1/offline-sales", json=ahead, headers=cashier_headers)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "sold_at_future"
    old = offline_body(airport, device, open_till, 1, lot, sold_at=utcnow() - timedelta(days=30))
    r = client.post("/api/v1/offline-sales", json=old, headers=cashier_headers)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "sold_at_too_old"
    bad = offline_body(airport, device, open_till, 1, lot)
    bad["lines"][0]["quantity"] = "0.5"  # pieces are sold whole: refused for good
    assert client.post("/api/v1/offline-sales", json=bad, headers=cashier_headers).status_code == 422


def test_a_sale_beyond_the_book_stock_is_recorded_and_listed_to_settle(
        client, cashier_headers, airport, open_till, device, shop_stock, auth, runner):
    lot = shop_stock["oil"]  # 5 on hand
    r = client.post("/api/v1/offline-sales", json=offline_body(airport, device, open_till, 1, lot, qty="7",
                                                               cash="800"),
                    headers=cashier_headers)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["issues"] == ["shortfall"]
    assert available(lot.id, airport.id) == Decimal(0)
    assert available(lot.id, virtual_location("UNRECONCILED").id) == Decimal(-2)
    issue = db.session.execute(select(OfflineSaleIssue)).scalar_one()
    assert issue.kind == "shortfall" and issue.quantity == Decimal(2)
    assert integrity_mismatches() == []
    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 0 and "ok" in result.output, result.output
    page = auth.client_for("operateur").get("/shop/offline-issues")
    assert page.status_code == 200
    assert lot.code in page.get_data(as_text=True)


def test_a_lot_blocked_since_still_sells_and_is_flagged(client, cashier_headers, airport, open_till,
                                                        device, shop_stock):
    lot = shop_stock["honey"]
    block_lot(lot.id, "Recall while the till was offline")
    db.session.commit()
    r = client.post("/api/v1/offline-sales", json=offline_body(airport, device, open_till, 1, lot),
                    headers=cashier_headers)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["issues"] == ["lot_blocked"]
    assert available(lot.id, airport.id) == Decimal(7)
    assert integrity_mismatches() == []


def test_close_warns_of_queued_sales_and_the_z_report_shows_late_ones(client, cashier_headers, airport,
                                                                      open_till, device, shop_stock, auth):
    r = client.post(f"/api/v1/devices/{device['id']}/status",
                    json={"cash_session_id": open_till["id"], "queued": 3}, headers=cashier_headers)
    assert r.status_code == 200, r.get_json()
    browser = auth.login(client, "caissier")
    page = browser.get(f"/shop/sessions/{open_till['id']}/close").get_data(as_text=True)
    assert "3" in page and device["code"] in page and 'id="queued-warning"' in page
    body = offline_body(airport, device, open_till, 1, shop_stock["dates"])
    assert client.post("/api/v1/offline-sales", json=body, headers=cashier_headers).status_code == 201
    z = browser.get(f"/shop/sessions/{open_till['id']}/z").get_data(as_text=True)
    assert 'id="z-offline"' in z


def test_a_sale_posted_online_whose_answer_was_lost_keeps_its_device_number(
        client, cashier_headers, airport, open_till, device, shop_stock):
    lot = shop_stock["dates"]
    online = {"location_id": airport.id, "client_ref": "lost-answer",
              "lines": [{"lot_id": lot.id, "quantity": "1"}],
              "payments": [{"method": "cash", "amount": "100"}]}
    first = client.post("/api/v1/sales", json=online, headers=cashier_headers)
    assert first.status_code == 201
    body = offline_body(airport, device, open_till, 1, lot, ref="lost-answer", cash="100")
    again = client.post("/api/v1/offline-sales", json=body, headers=cashier_headers)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["device_number"] == f"AIR-{device['code']}-000001"
    assert available(lot.id, airport.id) == Decimal(9)
