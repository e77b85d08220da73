"""A buyer sees the catalogue and its own orders, invoices and balance, and nothing else:
another buyer's order or invoice looks like one that does not exist (404); staff pages,
other areas and other buyers' data are refused. Staff keep the buyers and their users."""
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.orders import Buyer, Order
from models.orders_invoices import invoice_order
from models.orders_drafts import create_order
from models.orders_posting import confirm_order, deliver_order, prepare_order, ship_order
from models.users import User
from tests.orders.conftest import HONEY, JERADA, OIL, TAOURIRT, buyer
from tests.shop.shop_helpers import loc, product


def _other_buyers_invoiced_order(make_lot):
    make_lot(HONEY, JERADA, 10)
    order = create_order(buyer_id=buyer("Samir").id, location_id=loc("WH-STOCK").id,
                         lines=[{"product_id": product(HONEY).id, "quantity": "2"}])
    confirm_order(order.id)
    prepare_order(order.id)
    ship_order(order.id)
    deliver_order(order.id)
    invoice = invoice_order(order.id)
    db.session.commit()
    return order, invoice


def test_hotel_buyer_orders_on_a_phone_in_french(auth, make_lot):
    make_lot(HONEY, JERADA, 25)
    make_lot(OIL, TAOURIRT, 15)
    client = auth.client_for("acheteur.hotel")
    page = client.get("/orders/catalogue")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'inputmode="decimal"' in text and 'type="number"' not in text
    response = client.post("/orders/catalogue", data={f"qty-{product(HONEY).id}": "20",
                                                      f"qty-{product(OIL).id}": "10,0",
                                                      "note": "Livraison avant 10 h"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    order = db.session.execute(select(Order).order_by(Order.id.desc())).scalars().first()
    assert order.buyer.name.startswith("Hôtel") and order.state == "draft"
    assert sorted(line.quantity for line in order.lines) == [Decimal(10), Decimal(20)]
    assert client.get(f"/orders/{order.id}").status_code == 200
    assert order.number in client.get("/orders/mine").get_data(as_text=True)
    # Reserved stock no longer shows as available to another buyer's catalogue.
    confirm_order(order.id)
    db.session.commit()
    bad = client.post("/orders/catalogue", data={f"qty-{product(HONEY).id}": "عشرون"})
    assert bad.status_code == 422


def test_a_buyer_never_sees_another_buyers_order_or_invoice(auth, make_lot):
    order, invoice = _other_buyers_invoiced_order(make_lot)
    client = auth.client_for("acheteur.hotel")
    for url in (f"/orders/{order.id}", f"/orders/{order.id}/delivery-note.pdf",
                f"/orders/invoices/{invoice.id}", f"/orders/invoices/{invoice.id}.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/orders/{order.id}/cancel", data={"reason": "x"}).status_code in (403, 404)
    listing = client.get("/orders/invoices").get_data(as_text=True)
    assert invoice.number not in listing
    assert order.number not in client.get("/orders/mine").get_data(as_text=True)
    for url in ("/orders/", "/orders/new", "/orders/buyers", f"/orders/buyers/{buyer().id}",
                "/admin/", "/warehouse/", "/transfers/", "/reports/"):
        assert client.get(url).status_code in (403, 404), url
    for url in (f"/orders/{order.id}/confirm", f"/orders/{order.id}/deliver",
                f"/orders/invoices/{invoice.id}/payments"):
        assert client.post(url).status_code == 403, url


def test_staff_keep_buyers_and_their_users(auth):
    client = auth.client_for("admin")
    assert client.get("/orders/buyers").status_code == 200
    assert client.get("/orders/buyers/new").status_code == 200
    response = client.post("/orders/buyers/new", data={
        "kind": "business", "name": "Épicerie fine Al Amal – بقالة الأمل", "ice": "123",
        "payment_terms_days": "30", "price_list_id": "0", "active": "y"})
    assert response.status_code == 422 and "15" in response.get_data(as_text=True)
    response = client.post("/orders/buyers/new", data={
        "kind": "business", "name": "Épicerie fine Al Amal – بقالة الأمل",
        "ice": "٠٠١٢٣٤٥٦٧٠٠٠٠٩٩", "payment_terms_days": "٤٥", "price_list_id": "0", "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    new = db.session.execute(select(Buyer).where(Buyer.name.startswith("Épicerie"))).scalar_one()
    assert new.ice == "001234567000099" and new.payment_terms_days == 45
    response = client.post(f"/orders/buyers/{new.id}", data={
        "username": "amal", "full_name": "أمل", "locale": "ar", "password": "long-enough-1"})
    assert response.status_code == 302
    user = db.session.execute(select(User).where(User.username == "amal")).scalar_one()
    assert user.role == "buyer" and user.buyer_id == new.id
    # The admin's user form refuses a buyer user without a buyer.
    response = client.post("/admin/users/new", data={"username": "nobody", "role": "buyer",
                                                     "locale": "fr", "cooperative_id": "0",
                                                     "password": "long-enough-1", "active": "y"})
    assert response.status_code in (200, 422)
    assert db.session.execute(select(User).where(User.username == "nobody")).scalar() is None


def test_travellers_preorder_is_paid_and_handed_over_at_the_airport_till(auth, make_lot):
    make_lot(HONEY, JERADA, 4, at="SHOP-AIRPORT")
    traveller = buyer("Samir")
    order = create_order(buyer_id=traveller.id, location_id=loc("SHOP-AIRPORT").id,
                         fulfilment="pickup",
                         lines=[{"product_id": product(HONEY).id, "quantity": "2"}])
    confirm_order(order.id)
    prepare_order(order.id)
    ship_order(order.id)
    db.session.commit()
    cashier = auth.client_for("caissier")
    screen = cashier.get("/shop/").get_data(as_text=True)
    assert "/orders/pickups" in screen
    page = cashier.get("/orders/pickups").get_data(as_text=True)
    assert order.number in page and "Samir" in page
    # The stand cashier does not work at the airport: refused.
    stand = auth.client_for("caissier.stand")
    assert order.number not in stand.get("/orders/pickups").get_data(as_text=True)
    assert stand.post("/orders/pickups", data={"number": order.number,
                                               "method": "cash"}).status_code == 403
    # No till open at the airport: refused, nothing written (as a till sale would be).
    refused = cashier.post("/orders/pickups", data={"number": order.number, "method": "card"},
                           follow_redirects=True)
    assert "Ouvrez la caisse" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert order.state == "ready_for_pickup"
    from models.sales_cash_sessions import open_session
    from tests.shop.shop_helpers import user

    open_session(location_id=loc("SHOP-AIRPORT").id, cashier_id=user("caissier").id,
                 opening_float="100")
    db.session.commit()
    response = cashier.post("/orders/pickups", data={"number": order.number.lower(),
                                                     "method": "card"})
    assert response.status_code == 302
    db.session.expire_all()
    assert order.state == "invoiced" and order.lines[0].delivered_quantity == 2
    from models.orders_invoices import buyer_balance

    assert buyer_balance(traveller.id)["balance"] == 0
    again = cashier.post("/orders/pickups", data={"number": order.number, "method": "cash"},
                         follow_redirects=True)
    assert again.status_code == 200
