"""Issue 13 at the till: a product-only code never chooses between lots (409 choose_lot with
candidates), a blocked lot is refused naming the recall, an expired or blocked lot is not
restocked by a refund, and a client_ref reused with another cart is a 409."""
from datetime import timedelta

from tests.shop.shop_helpers import FIGUIG, JERADA, TAOURIRT, gs1, product, sale_body, user

from extensions import db
from models.clock import today as local_today
from models.ledger import integrity_mismatches
from models.stock_blocks import block_lot, unblock_lot


def scan(client, headers, shop, code):
    """GET the scan endpoint."""
    return client.get(f"/api/v1/shops/{shop.id}/scan", query_string={"code": code}, headers=headers)


def test_ean13_of_two_cooperatives_lots_answers_choose_lot(client, cashier_headers, airport, make_lot,
                                                          open_till):
    early = make_lot("HUI-EV-1L", TAOURIRT, 2, best_before=local_today() + timedelta(days=30))
    other = make_lot("HUI-EV-1L", JERADA, 2, best_before=local_today() + timedelta(days=60))
    gtin = product("HUI-EV-1L").gtin
    for code in (gtin, "0" + gtin, f"]C1010{gtin}17{other.best_before:%y%m%d}"):
        r = scan(client, cashier_headers, airport, code)
        assert r.status_code == 409, r.get_json()
        error = r.get_json()["error"]
        assert error["code"] == "choose_lot"
        assert [c["lot_id"] for c in error["fields"]["candidates"]] == [early.id, other.id]
        assert error["fields"]["candidates"][0]["cooperative_fr"]
        assert error["fields"]["candidates"][0]["best_before"] == early.best_before.isoformat()
    # The lot-bearing code takes that lot.
    r = scan(client, cashier_headers, airport, gs1(gtin, other.code, other.best_before))
    assert r.status_code == 200 and r.get_json()["lot_id"] == other.id
    # A sale line by product-only barcode is refused the same way; by lot id it sells.
    body = sale_body(airport.id, [{"barcode": gtin, "quantity": "1"}],
                     [{"method": "cash", "amount": "200"}], client_ref="pick-1")
    r = client.post("/api/v1/sales", json=body, headers=cashier_headers)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "choose_lot"
    body["lines"] = [{"lot_id": other.id, "quantity": "1"}]
    r = client.post("/api/v1/sales", json=body, headers=cashier_headers)
    assert r.status_code == 201
    assert r.get_json()["lines"][0]["lot_id"] == other.id


def test_single_lot_is_taken_directly(client, cashier_headers, airport, make_lot):
    only = make_lot("MIE-TH-250", JERADA, 2)
    make_lot("MIE-TH-250", JERADA, 2, shop="STAND-OUJDA")
    r = scan(client, cashier_headers, airport, product("MIE-TH-250").gtin)
    assert r.status_code == 200 and r.get_json()["lot_id"] == only.id


def test_blocked_lot_is_refused_at_the_till_naming_the_recall(client, auth, cashier_headers, airport,
                                                             make_lot, open_till):
    lot = make_lot("DAT-AZ-500", FIGUIG, 5)
    h = auth.headers("operateur")
    r = client.post(f"/api/v1/lots/{lot.id}/block", json={"reason": "Rappel aflatoxines",
                                                          "descendants": True}, headers=h)
    assert r.status_code == 201, r.get_json()
    assert client.post(f"/api/v1/lots/{lot.id}/block", json={"reason": "again"},
                       headers=h).status_code == 409
    r = scan(client, cashier_headers, airport, lot.code)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "lot_blocked"
    assert lot.code in r.get_json()["error"]["message"]
    assert "Rappel aflatoxines" in r.get_json()["error"]["message"]
    body = sale_body(airport.id, [{"lot_id": lot.id, "quantity": "1"}],
                     [{"method": "cash", "amount": "100"}], client_ref="blocked-1")
    r = client.post("/api/v1/sales", json=body, headers=cashier_headers)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "lot_blocked"
    # A cashier may not block; unblocking needs a reason; then it sells.
    assert client.post(f"/api/v1/lots/{lot.id}/unblock", json={"reason": "x"},
                       headers=cashier_headers).status_code == 403
    assert client.post(f"/api/v1/lots/{lot.id}/unblock", json={}, headers=h).status_code == 422
    r = client.post(f"/api/v1/lots/{lot.id}/unblock", json={"reason": "Analyse conforme"}, headers=h)
    assert r.status_code == 201 and r.get_json()["action"] == "unblock"
    assert client.post("/api/v1/sales", json=body, headers=cashier_headers).status_code == 201
    assert integrity_mismatches() == []


def test_blocked_lot_is_not_restocked_by_a_refund(client, cashier_headers, airport, make_lot, open_till):
    lot = make_lot("DAT-AZ-500", FIGUIG, 5)
    body = sale_body(airport.id, [{"lot_id": lot.id, "quantity": "2"}],
                     [{"method": "cash", "amount": "200"}], client_ref="refund-blocked")
    sale = client.post("/api/v1/sales", json=body, headers=cashier_headers).get_json()
    block_lot(lot.id, "Rappel", user_id=user("operateur").id)
    db.session.commit()
    line = sale["lines"][0]["id"]
    r = client.post(f"/api/v1/sales/{sale['id']}/refunds", headers=cashier_headers, json={
        "reason": "retour client", "lines": [{"sale_line_id": line, "quantity": "1", "restock": True}]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "lot_blocked"
    r = client.post(f"/api/v1/sales/{sale['id']}/refunds", headers=cashier_headers, json={
        "reason": "retour client", "lines": [{"sale_line_id": line, "quantity": "1", "restock": False}]})
    assert r.status_code == 201
    unblock_lot(lot.id, "fin", user_id=user("operateur").id)


def test_same_client_ref_with_another_cart_is_a_conflict(client, cashier_headers, airport, shop_stock,
                                                       open_till):
    body = sale_body(airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "1"}],
                     [{"method": "cash", "amount": "100"}], client_ref="cart-7")
    first = client.post("/api/v1/sales", json=body, headers=cashier_headers)
    assert first.status_code == 201
    again = client.post("/api/v1/sales", json=body, headers=cashier_headers)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    body["lines"].append({"lot_id": shop_stock["honey"].id, "quantity": "1"})
    r = client.post("/api/v1/sales", json=body, headers=cashier_headers)
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert error["code"] == "client_ref_conflict"
    assert error["fields"]["sale_id"] == first.get_json()["id"]
    assert first.get_json()["number"] in error["message"]
