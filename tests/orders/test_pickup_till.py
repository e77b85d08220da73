"""A traveller's pre-order paid at the till belongs to the cashier's day: its payment is in the
cashier's open cash session at that shop (the expected cash at close counts it, the Z report
page and PDF list it with its order number and the totals by method), and it is refused
without an open till, as a sale is. One scan of the order number at the till opens it."""
import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from extensions import db
from models.errors import DomainError
from models.orders import BuyerPayment
from models.orders_check import order_problems
from models.orders_invoices import buyer_balance
from models.orders_pickup import amount_due, find_pickup, hand_over_at_till
from models.orders_drafts import create_order
from models.orders_posting import confirm_order
from models.sales_cash_sessions import close_session, open_session, z_report
from models.ledger import integrity_mismatches
from tests.orders.conftest import HONEY, JERADA, buyer
from tests.shop.shop_helpers import loc, product, user


def _preorder(quantity="2"):
    order = create_order(buyer_id=buyer("Samir").id, location_id=loc("SHOP-AIRPORT").id,
                         fulfilment="pickup",
                         lines=[{"product_id": product(HONEY).id, "quantity": quantity}])
    confirm_order(order.id)
    db.session.commit()
    return order


def _open_till(float_="200"):
    session = open_session(location_id=loc("SHOP-AIRPORT").id, cashier_id=user("caissier").id,
                           opening_float=float_)
    db.session.commit()
    return session


def test_refused_without_an_open_till_nothing_written(app, make_lot):
    make_lot(HONEY, JERADA, 5, at="SHOP-AIRPORT")
    order = _preorder()
    with pytest.raises(DomainError) as caught:
        hand_over_at_till(order.id, location_id=loc("SHOP-AIRPORT").id,
                          cashier_id=user("caissier").id, method="cash")
    assert caught.value.code == "no_open_session"
    db.session.rollback()
    db.session.expire_all()
    assert order.state == "confirmed"
    assert db.session.execute(select(func.count(BuyerPayment.id))).scalar() == 0


def test_one_scan_from_confirmed_pays_into_the_session_and_the_z_report(app, make_lot):
    make_lot(HONEY, JERADA, 5, at="SHOP-AIRPORT")
    order = _preorder("2")
    card_order = _preorder("1")
    session = _open_till("200")
    due = amount_due(order)
    assert due > 0
    assert find_pickup("]C0" + order.number.lower()).id == order.id
    _o, invoice, payment = hand_over_at_till(order.id, location_id=loc("SHOP-AIRPORT").id,
                                             cashier_id=user("caissier").id, method="cash")
    db.session.commit()
    assert invoice.total == due and payment.cash_session_id == session.id
    hand_over_at_till(card_order.id, location_id=loc("SHOP-AIRPORT").id,
                      cashier_id=user("caissier").id, method="card")
    db.session.commit()
    db.session.expire_all()
    assert order.state == "invoiced" and card_order.state == "invoiced"
    assert buyer_balance(order.buyer_id)["balance"] == 0
    report = z_report(session)
    assert [p["order_number"] for p in report["preorders"]] == [order.number, card_order.number]
    assert report["preorders_by_method"]["cash"] == invoice.total
    assert report["preorders_by_method"]["card"] == amount_due_after(card_order)
    assert report["expected_cash"] == Decimal("200") + invoice.total  # card is not in the drawer
    assert report["sales_count"] == 0  # pre-orders are not till sales
    # The cash counted at close matches: no difference.
    closed = close_session(session_id=session.id, counted_cash=str(Decimal("200") + invoice.total))
    db.session.commit()
    assert closed.difference == 0
    assert order_problems() == [] and integrity_mismatches() == []


def amount_due_after(order):
    """The invoiced total of a handed-over order."""
    from models.orders import Invoice

    return db.session.execute(select(Invoice.total).where(Invoice.order_id == order.id)).scalar()


def test_another_shop_or_a_closed_till_is_refused(app, make_lot):
    make_lot(HONEY, JERADA, 5, at="SHOP-AIRPORT")
    order = _preorder()
    session = _open_till()
    with pytest.raises(DomainError) as caught:
        hand_over_at_till(order.id, location_id=loc("WH-STOCK").id,
                          cashier_id=user("caissier").id, method="cash")
    assert caught.value.code == "wrong_shop"
    db.session.rollback()
    close_session(session_id=session.id, counted_cash="200")
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        hand_over_at_till(order.id, location_id=loc("SHOP-AIRPORT").id,
                          cashier_id=user("caissier").id, method="cash")
    assert caught.value.code == "no_open_session"
    db.session.rollback()


def test_scan_at_the_till_opens_the_order_then_one_key_hands_it_over(auth, make_lot, tmp_path):
    make_lot(HONEY, JERADA, 5, at="SHOP-AIRPORT")
    order = _preorder("2")
    session = _open_till("150")
    cashier = auth.client_for("caissier")
    pos = cashier.get(f"/shop/{loc('SHOP-AIRPORT').id}/pos").get_data(as_text=True)
    assert 'data-pickup-url="/orders/pickups"' in pos and 'id="pos-pickups"' in pos
    page = cashier.get(f"/orders/pickups?back=till&number={order.number}").get_data(as_text=True)
    assert 'id="pickup-opened"' in page and 'id="hand-over"' in page and "Samir" in page
    assert 'name="back" type="hidden" value="till"' in page
    unknown = cashier.get("/orders/pickups?number=CMD-999999", follow_redirects=True)
    assert unknown.status_code == 200 and 'id="pickup-opened"' not in unknown.get_data(as_text=True)
    response = cashier.post("/orders/pickups", data={"number": order.number, "method": "cash",
                                                     "back": "till"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/shop/{loc('SHOP-AIRPORT').id}/pos")
    db.session.expire_all()
    assert order.state == "invoiced"
    total = amount_due_after(order)
    z_page = cashier.get(f"/shop/sessions/{session.id}/z").get_data(as_text=True)
    assert 'id="z-preorders"' in z_page and order.number in z_page
    expected = Decimal("150") + total
    assert z_report(db.session.get(type(session), session.id))["expected_cash"] == expected
    pdf = cashier.get(f"/api/v1/cash-sessions/{session.id}/z.pdf")
    assert pdf.status_code == 200
    path = tmp_path / "z.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True).stdout
    assert order.number in text and "Précommandes retirées (1)" in text
    api = cashier.get(f"/api/v1/cash-sessions/{session.id}").get_json()
    assert api["preorders_count"] == 1 and api["preorders_by_method"]["cash"] == str(total)
    assert api["expected_cash"] == str(expected)


def test_bad_input_on_the_pickup_page_is_never_a_500(auth, make_lot):
    make_lot(HONEY, JERADA, 5, at="SHOP-AIRPORT")
    order = _preorder()
    _open_till()
    cashier = auth.client_for("caissier")
    for number in ("", "CMD-", "x" * 500, "١٢٣", "CMD-99999999999999", "🍯"):
        assert cashier.get("/orders/pickups", query_string={"number": number}).status_code == 200
        assert cashier.post("/orders/pickups", data={"number": number,
                                                     "method": "cash"}).status_code in (200, 302, 422)
    assert cashier.post("/orders/pickups", data={"number": order.number,
                                                 "method": "cheque"}).status_code in (200, 422)
    db.session.expire_all()
    assert order.state == "confirmed"


def test_the_api_hands_over_at_the_callers_till(auth, make_lot):
    make_lot(HONEY, JERADA, 5, at="SHOP-AIRPORT")
    order = _preorder("1")
    headers = {"Authorization": f"Bearer {auth.token('caissier')}"}
    client = auth.app.test_client()
    url = f"/api/v1/orders/{order.id}/pickup"
    closed = client.post(url, json={"method": "cash"}, headers=headers)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "no_open_session"
    assert client.post(url, json={"method": "cheque"}, headers=headers).status_code == 422
    stand = {"Authorization": f"Bearer {auth.token('caissier.stand')}"}
    assert client.post(url, json={"method": "cash"}, headers=stand).status_code == 403
    session = _open_till("50")
    answer = client.post(url, json={"method": "card"}, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["outstanding"] == "0.00"
    report = z_report(session)
    assert report["preorders_by_method"]["card"] == Decimal(answer.get_json()["total"])
    again = client.post(url, json={"method": "card"}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "wrong_state"
