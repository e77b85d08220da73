"""The transfers pages: who may open them, and the form flows a person goes through."""
from decimal import Decimal

import pytest

from models.ledger import available


@pytest.mark.parametrize("url", ["/transfers/", "/transfers/new", "/transfers/requests",
                                 "/transfers/shop-stock", "/transfers/counts",
                                 "/transfers/cooperative-returns"])
def test_staff_pages_open(auth, url, stock):
    assert auth.client_for("operateur").get(url).status_code == 200


@pytest.mark.parametrize("url, status", [("/transfers/", 403), ("/transfers/cooperative-returns", 403),
                                         ("/transfers/requests", 200), ("/transfers/shop-stock", 200),
                                         ("/transfers/counts", 200), ("/transfers/new", 200)])
def test_cashier_pages(auth, url, status):
    assert auth.client_for("caissier").get(url).status_code == status


def test_cooperative_users_are_refused(auth):
    client = auth.client_for("coop.figuig")
    for url in ("/transfers/", "/transfers/requests", "/transfers/shop-stock", "/transfers/counts"):
        assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/transfers/shop-stock")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_draft_dispatch_and_receive_through_pages(auth, stock, ids):
    operator = auth.client_for("operateur")
    bad = operator.post("/transfers/new", data={
        "from_location_id": ids["WH-STOCK"], "to_location_id": ids["SHOP-AIRPORT"], "kind": "",
        "lines-0-lot_code": "NO-SUCH-LOT", "lines-0-quantity": "3"})
    assert bad.status_code == 422 and "is-invalid" in bad.get_data(as_text=True)
    short = operator.post("/transfers/new", data={
        "from_location_id": ids["WH-STOCK"], "to_location_id": ids["SHOP-AIRPORT"], "kind": "",
        "lines-0-lot_code": "DAT-L-001", "lines-0-quantity": "500"})
    assert short.status_code == 422 and "DAT-L-001" in short.get_data(as_text=True)
    created = operator.post("/transfers/new", data={
        "from_location_id": ids["WH-STOCK"], "to_location_id": ids["SHOP-AIRPORT"], "kind": "",
        "lines-0-lot_code": "DAT-L-001", "lines-0-quantity": "12", "lines-3-lot_code": "DAT-L-002",
        "lines-3-quantity": "2"})
    assert created.status_code == 302, created.get_data(as_text=True)[-3000:]
    url = created.headers["Location"]
    tid = int(url.rstrip("/").split("/")[-1])
    page = operator.get(url).get_data(as_text=True)
    assert "DAT-L-001" in page and "delivery-note.pdf" in page
    edit = operator.get(f"/transfers/{tid}/edit").get_data(as_text=True)
    assert 'value="DAT-L-002"' in edit
    assert operator.post(f"/transfers/{tid}/edit", data={
        "from_location_id": ids["WH-STOCK"], "to_location_id": ids["SHOP-AIRPORT"], "kind": "transfer",
        "lines-0-lot_code": "DAT-L-001", "lines-0-quantity": "10"}).status_code == 302
    assert operator.post(f"/transfers/{tid}/dispatch").status_code == 302
    assert available(stock["early"], ids["TRANSIT"]) == Decimal("10")
    again = operator.post(f"/transfers/{tid}/dispatch", follow_redirects=True)
    assert "already been dispatched" in again.get_data(as_text=True) or "déjà" in again.get_data(as_text=True)
    assert available(stock["early"], ids["TRANSIT"]) == Decimal("10")
    cashier = auth.client_for("caissier")
    assert 'name="received-' in cashier.get(f"/transfers/{tid}").get_data(as_text=True)
    no_reason = cashier.post(f"/transfers/{tid}/receive", data={f"received-{stock['early']}": "9"})
    assert no_reason.status_code == 303
    assert available(stock["early"], ids["SHOP-AIRPORT"]) == 0
    ok = cashier.post(f"/transfers/{tid}/receive", data={f"received-{stock['early']}": "9",
                                                         f"reason-{stock['early']}": "Cassé"})
    assert ok.status_code == 302
    assert available(stock["early"], ids["SHOP-AIRPORT"]) == Decimal("9")
    assert auth.client_for("caissier.stand").post(f"/transfers/{tid}/receive").status_code == 403


def test_request_page_flow(auth, stock, ids):
    cashier = auth.client_for("caissier")
    bad = cashier.post("/transfers/requests", data={"shop_id": ids["SHOP-AIRPORT"],
                                                    "lines-0-product_id": ids["dates"], "lines-0-quantity": "0"})
    assert bad.status_code == 422
    other = cashier.post("/transfers/requests", data={"shop_id": ids["STAND-OUJDA"],
                                                      "lines-0-product_id": ids["dates"], "lines-0-quantity": "1"})
    assert other.status_code == 422  # not one of the choices offered to this cashier
    assert cashier.post("/transfers/requests", data={"shop_id": ids["SHOP-AIRPORT"],
                        "lines-0-product_id": ids["dates"], "lines-0-quantity": "5"}).status_code == 302
    operator = auth.client_for("operateur")
    page = operator.get("/transfers/requests").get_data(as_text=True)
    assert "RR-" in page and "/fulfil" in page
    from sqlalchemy import select

    from extensions import db
    from models.transfers import ReplenishmentRequest

    rid = db.session.execute(select(ReplenishmentRequest.id)).scalar()
    assert cashier.post(f"/transfers/requests/{rid}/fulfil").status_code == 403
    done = operator.post(f"/transfers/requests/{rid}/fulfil")
    assert done.status_code == 302 and "/transfers/" in done.headers["Location"]
    assert operator.post(f"/transfers/requests/{rid}/fulfil").status_code == 303


def test_count_pages_scanner_and_post(auth, stock, ids):
    operator = auth.client_for("operateur")
    started = operator.post("/transfers/counts", data={"location_id": ids["WH-STOCK"]})
    assert started.status_code == 302
    url = started.headers["Location"]
    page = operator.get(url).get_data(as_text=True)
    assert 'id="scan"' in page and 'data-lot-code="DAT-L-001"' in page
    cid = int(url.rstrip("/").split("/")[-1])
    saved = operator.post(url, data={f"counted-{stock['early']}": "49,5", "add_lot_code": "NOPE"},
                          follow_redirects=True)
    assert "NOPE" in saved.get_data(as_text=True)
    report = operator.get(f"/transfers/counts/{cid}/differences").get_data(as_text=True)
    assert "-0,5" in report or "-0.5" in report
    assert operator.post(f"/transfers/counts/{cid}/differences", data={"reason": ""}).status_code == 422
    assert operator.post(f"/transfers/counts/{cid}/differences", data={"reason": "Contrôle"}).status_code == 302
    assert available(stock["early"], ids["WH-STOCK"]) == Decimal("49.5")
    assert auth.client_for("caissier").get(url).status_code == 403


def test_coop_return_page(auth, stock, ids):
    operator = auth.client_for("operateur")
    wrong = operator.post("/transfers/cooperative-returns", data={
        "cooperative_id": ids["figuig"], "location_id": ids["WH-STOCK"], "reason": "Invendu",
        "lines-0-lot_code": "HUI-L-001", "lines-0-quantity": "1"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert "another cooperative" in html or "autre coopérative" in html
    ok = operator.post("/transfers/cooperative-returns", data={
        "cooperative_id": ids["figuig"], "location_id": ids["WH-STOCK"], "reason": "Invendu",
        "lines-0-lot_code": "DAT-L-002", "lines-0-quantity": "4"})
    assert ok.status_code == 302
    assert "slip.pdf" in operator.get(ok.headers["Location"]).get_data(as_text=True)


def test_arabic_pages_render_right_to_left(auth, stock, ids):
    client = auth.client_for("caissier.stand")
    html = client.get("/transfers/shop-stock").get_data(as_text=True)
    assert 'dir="rtl"' in html
