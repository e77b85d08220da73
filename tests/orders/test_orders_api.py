"""The orders API: buyers, orders with transitions as actions, invoices; JSON decimals as
strings; a buyer's token sees only its own; business refusals are 409 with a code."""
from decimal import Decimal

from tests.orders.conftest import HONEY, JERADA, OIL, TAOURIRT, buyer
from tests.shop.shop_helpers import loc, product


def test_the_whole_flow_over_the_api(app, auth, make_lot):
    make_lot(HONEY, JERADA, 25, code="LO-API-MIEL")
    make_lot(OIL, TAOURIRT, 10)
    staff = auth.headers("operateur")
    client = app.test_client()
    hotel = auth.headers("acheteur.hotel")
    response = client.post("/api/v1/orders", headers=hotel, json={"lines": [
        {"product_id": product(HONEY).id, "quantity": "20"},
        {"product_id": product(OIL).id, "quantity": "12"}]})
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert order["state"] == "draft" and order["buyer_id"] == buyer().id
    assert order["lines"][0]["quantity"] == "20.000"
    url = f"/api/v1/orders/{order['id']}"
    assert client.post(f"{url}/confirm", headers=hotel, json={}).status_code == 403
    short = client.post(f"{url}/confirm", headers=staff, json={})
    assert short.status_code == 409 and short.get_json()["error"]["code"] == "shortage"
    assert "1" in short.get_json()["error"]["fields"]["lines"]
    confirmed = client.post(f"{url}/confirm", headers=staff, json={"partial": True}).get_json()
    assert confirmed["state"] == "confirmed" and confirmed["backorder"]["lines"][0]["quantity"] == "2.000"
    packed = client.post(f"{url}/pack", headers=staff, json={"code": "LO-API-MIEL", "quantity": "20"})
    assert packed.status_code == 200, packed.get_json()
    assert client.post(f"{url}/pack", headers=staff, json={"quantity": "1"}).status_code == 422
    assert client.post(f"{url}/prepare", headers=staff).status_code == 200
    assert client.post(f"{url}/ship", headers=staff).status_code == 200
    assert client.get(f"{url}/delivery-note", headers=hotel).mimetype == "application/pdf"
    honey_line = confirmed["lines"][0]["id"]
    delivered = client.post(f"{url}/deliver", headers=staff,
                            json={"lines": [{"line_id": honey_line, "quantity": "19"}]}).get_json()
    assert delivered["state"] == "delivered"
    assert delivered["lines"][0]["delivered_quantity"] == "19.000"
    invoice = client.post(f"{url}/invoice", headers=staff)
    assert invoice.status_code == 201
    invoice = invoice.get_json()
    assert invoice["number"].startswith("FA-") and Decimal(invoice["outstanding"]) == Decimal(invoice["total"])
    paid = client.post(f"/api/v1/invoices/{invoice['id']}/payments", headers=staff,
                       json={"amount": "100.00", "method": "cheque"}).get_json()
    assert Decimal(paid["outstanding"]) == Decimal(invoice["total"]) - 100
    over = client.post(f"/api/v1/invoices/{invoice['id']}/payments", headers=staff,
                       json={"amount": invoice["total"], "method": "cash"})
    assert over.status_code == 409 and over.get_json()["error"]["code"] == "overpayment"
    me = client.get(f"/api/v1/buyers/{buyer().id}", headers=hotel).get_json()
    assert Decimal(me["balance"]) == Decimal(invoice["total"]) - 100
    listing = client.get("/api/v1/invoices", headers=hotel).get_json()
    assert [i["number"] for i in listing["items"]] == [invoice["number"]]
    note = client.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", headers=staff,
                       json={"reason": "cassé", "restock": False,
                             "lines": [{"line_id": honey_line, "quantity": "1"}]})
    assert note.status_code == 201 and note.get_json()["number"].startswith("AV-")
    assert client.get(f"/api/v1/invoices/{invoice['id']}/pdf", headers=staff).status_code == 200


def test_a_buyers_token_sees_only_its_own(app, auth, make_lot):
    client = app.test_client()
    staff = auth.headers("admin")
    other = client.post("/api/v1/orders", headers=staff, json={
        "buyer_id": buyer("Samir").id, "location_id": loc("SHOP-AIRPORT").id,
        "fulfilment": "pickup", "lines": [{"product_id": product(HONEY).id, "quantity": "1"}]})
    assert other.status_code == 201, other.get_json()
    other = other.get_json()
    hotel = auth.headers("acheteur.hotel")
    assert client.get(f"/api/v1/orders/{other['id']}", headers=hotel).status_code == 404
    assert client.post(f"/api/v1/orders/{other['id']}/cancel", headers=hotel,
                       json={"reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/buyers/{buyer('Samir').id}", headers=hotel).status_code == 404
    assert [b["id"] for b in client.get("/api/v1/buyers", headers=hotel).get_json()["items"]] == [buyer().id]
    assert client.get("/api/v1/orders", headers=hotel).get_json()["total"] == 0
    assert client.post("/api/v1/orders", headers=hotel, json={
        "buyer_id": buyer("Samir").id, "lines": [{"product_id": product(HONEY).id,
                                                   "quantity": "1"}]}).status_code == 403
    assert client.post("/api/v1/buyers", headers=hotel, json={"name": "x"}).status_code == 403
    for username in ("caissier", "coop.figuig", "observatoire"):
        assert client.get("/api/v1/orders", headers=auth.headers(username)).status_code == 403
    created = client.post("/api/v1/buyers", headers=staff, json={
        "name": "Riad Zellige – رياض الزليج", "ice": "001122334000055", "payment_terms_days": 15})
    assert created.status_code == 201 and created.get_json()["balance"] == "0.00"
    bad = client.post("/api/v1/buyers", headers=staff, json={"name": "x", "ice": "12"})
    assert bad.status_code == 422
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/buyers", "/api/v1/orders", "/api/v1/orders/{order_id}/confirm",
                 "/api/v1/invoices", "/api/v1/invoices/{invoice_id}/payments"):
        assert path in spec["paths"], path
