"""The shop pages: tills, POS screen, receipt (copy on reprint), refund form, close, Z report;
and who may open them."""
from decimal import Decimal

from tests.shop.shop_helpers import loc, sale_body
from sqlalchemy import select

from extensions import db
from models.documents import document_labels
from models.sales import CashSession


def test_cashier_opens_the_till_and_reaches_the_pos(auth, airport):
    client = auth.client_for("caissier")
    html = client.get("/shop/").get_data(as_text=True)
    assert "Boutique aéroport" in html and "opening_float" in html
    assert client.get(f"/shop/{airport.id}/pos").status_code == 302  # no till yet
    r = client.post(f"/shop/{airport.id}/open", data={"opening_float": "200"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/shop/{airport.id}/pos")
    html = client.get(f"/shop/{airport.id}/pos").get_data(as_text=True)
    assert "js/pos.js" in html and 'id="scan"' in html and "pos-messages" in html
    assert 'data-max-discount-rate="0.20"' in html
    session = db.session.execute(select(CashSession)).scalar_one()
    assert session.opening_float == Decimal("200.00")
    r = client.post(f"/shop/{airport.id}/open", data={"opening_float": "200"})  # already open: said, no second till
    assert db.session.execute(select(CashSession)).scalars().all() == [session]


def test_pages_refuse_other_shops_and_roles(auth, airport):
    stand = auth.client_for("caissier.stand")
    assert stand.get(f"/shop/{airport.id}/pos").status_code == 403
    assert stand.post(f"/shop/{airport.id}/open", data={"opening_float": "1"}).status_code == 403
    assert stand.get(f"/shop/{airport.id}/sales").status_code == 403
    assert auth.client_for("operateur").get("/shop/").status_code == 403
    assert auth.client_for("coop.figuig").get("/shop/").status_code == 403
    assert auth.app.test_client().get("/shop/").status_code == 302  # to the login page
    assert auth.client_for("admin").get("/shop/").status_code == 200


def test_receipt_refund_close_and_z_pages(client, auth, cashier_headers, airport, shop_stock, open_till):
    sale = client.post("/api/v1/sales", headers=cashier_headers, json=sale_body(
        airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "2"},
                     {"lot_id": shop_stock["honey"].id, "quantity": "1"}],
        [{"method": "cash", "amount": "200"}])).get_json()
    web = auth.client_for("caissier")
    first = web.get(f"/shop/sales/{sale['id']}/receipt").get_data(as_text=True)
    assert sale["number"] in first and "195,00" in first and "DUPLICATA" not in first
    assert "DUPLICATA" in web.get(f"/shop/sales/{sale['id']}/receipt").get_data(as_text=True)
    assert auth.client_for("caissier.stand").get(f"/shop/sales/{sale['id']}/receipt").status_code == 403
    labels = document_labels("sale", [sale["id"]])
    assert labels[sale["id"]]["number"] == sale["number"]

    refund_page = f"/shop/sales/{sale['id']}/refund"
    assert web.get(refund_page).status_code == 200
    honey_line = sale["lines"][1]["id"]
    assert web.post(refund_page, data={"reason": "", "method": "cash", f"qty-{honey_line}": "1"}).status_code == 422
    assert web.post(refund_page, data={"reason": "x", "method": "cash"}).status_code == 422
    assert web.post(refund_page, data={"reason": "x", "method": "cash", f"qty-{honey_line}": "2"}).status_code == 422
    r = web.post(refund_page, data={"reason": "Pot fêlé", "method": "cash", f"qty-{honey_line}": "1"})
    assert r.status_code == 302
    assert "Pot fêlé" in web.get(f"/shop/sales/{sale['id']}/receipt").get_data(as_text=True)

    close = f"/shop/sessions/{open_till['id']}/close"
    assert web.get(close).status_code == 200
    assert web.post(close, data={"counted_cash": "abc"}).status_code == 422
    r = web.post(close, data={"counted_cash": "120"})  # 200 + 200 − 5 − 85 = 310 expected
    assert r.status_code == 302
    z = web.get(f"/shop/sessions/{open_till['id']}/z").get_data(as_text=True)
    assert 'data-z="expected_cash">310,00' in z and 'data-z="difference">-190,00' in z
    assert auth.client_for("caissier.stand").get(f"/shop/sessions/{open_till['id']}/z").status_code == 403
    assert web.get(f"/shop/{airport.id}/sales").status_code == 200


def test_arabic_pos_is_right_to_left(auth):
    stand = auth.client_for("caissier.stand")  # an Arabic-speaking cashier
    shop = loc("STAND-OUJDA")
    stand.post(f"/shop/{shop.id}/open", data={"opening_float": "0"})
    html = stand.get(f"/shop/{shop.id}/pos").get_data(as_text=True)
    assert 'dir="rtl"' in html and 'data-locale="ar"' in html


def test_demo_activity_sells_where_there_is_stock(app, make_lot):
    from shop.demo import BASKETS, seed
    from tests.shop.shop_helpers import FIGUIG, JERADA, TAOURIRT

    from models.ledger import integrity_mismatches

    summary = {}
    seed(summary)
    assert summary["sales"] == 0  # no stock in shops: nothing happens
    for sku, coop_reg in (("DAT-AZ-500", FIGUIG), ("HUI-EV-1L", TAOURIRT), ("MIE-TH-250", JERADA)):
        make_lot(sku, coop_reg, 20)
    seed(summary)
    db.session.commit()
    assert summary["sales"] == 2 * len(BASKETS)  # a closed till yesterday, an open one today
    sessions = db.session.execute(select(CashSession).order_by(CashSession.id)).scalars().all()
    assert [s.closed_at is None for s in sessions] == [False, True]
    assert sessions[0].difference == Decimal("-5.00")
    assert integrity_mismatches() == []
