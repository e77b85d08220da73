"""Price lists: the admin's pages submitted as a person would (decimal commas, grouped
thousands, Arabic digits, blank rows, bad input refused with nothing written), a buyer given
its list on its own page, orders at the list's prices, the API, and the audit log."""
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models.audit import AuditEntry
from models.orders import Buyer, PriceList, PriceListItem
from models.orders_drafts import create_order
from tests.orders.conftest import HONEY, OIL, buyer
from tests.shop.shop_helpers import loc, product

D = Decimal


def _items(price_list_id):
    return dict(db.session.execute(select(PriceListItem.product_id, PriceListItem.unit_price).where(
        PriceListItem.price_list_id == price_list_id)).all())


def _new_list(client, name):
    r = client.post("/orders/price-lists", data={"name": name})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return db.session.execute(select(PriceList).where(PriceList.name == name)).scalar_one()


def test_admin_creates_a_list_types_prices_and_gives_it_to_a_buyer(auth):
    admin = auth.client_for("admin")
    assert "Listes de prix" in admin.get("/orders/buyers").get_data(as_text=True)  # the tab
    price_list = _new_list(admin, "Hôtels d'Oujda")
    page = admin.get(f"/orders/price-lists/{price_list.id}")
    assert page.status_code == 200 and f'name="price-{product(HONEY).id}"' in page.get_data(as_text=True)
    honey, oil = product(HONEY), product(OIL)
    r = admin.post(f"/orders/price-lists/{price_list.id}", data={
        "name": "Hôtels de l'Oriental", f"price-{honey.id}": "12,5", f"price-{oil.id}": "1 234,50",
        f"price-{product('DAT-AZ-500').id}": "   "})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    db.session.expire_all()
    assert price_list.name == "Hôtels de l'Oriental"
    assert _items(price_list.id) == {honey.id: D("12.50"), oil.id: D("1234.50")}
    # The page shows the prices back in French; saving them unchanged changes nothing.
    text = admin.get(f"/orders/price-lists/{price_list.id}").get_data(as_text=True)
    assert "12,50" in text and "1\u202f234,50" in text
    # The buyer's own edit page gives it the list; the list shows its buyer.
    hotel = buyer("Hôtel")
    form = {"kind": hotel.kind, "name": hotel.name, "ice": hotel.ice or "", "address": hotel.address or "",
            "payment_terms_days": str(hotel.payment_terms_days), "price_list_id": str(price_list.id),
            "active": "y"}
    r = admin.post(f"/orders/buyers/{hotel.id}/edit", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    db.session.expire_all()
    assert hotel.price_list_id == price_list.id
    assert hotel.name in admin.get(f"/orders/price-lists/{price_list.id}").get_data(as_text=True)
    assert admin.get("/orders/price-lists").get_data(as_text=True).count(">1</td>") >= 1
    # Its orders take the list's price; a product off the list keeps its retail price.
    order = create_order(buyer_id=hotel.id, location_id=loc("WH-STOCK").id, lines=[
        {"product_id": honey.id, "quantity": "2"}, {"product_id": product("DAT-AZ-500").id, "quantity": "1"}])
    prices = {line.product_id: line.unit_price for line in order.lines}
    assert prices[honey.id] == D("12.50") and prices[product("DAT-AZ-500").id] == product("DAT-AZ-500").retail_price
    db.session.rollback()
    # A blank price takes the product off the list.
    r = admin.post(f"/orders/price-lists/{price_list.id}", data={
        "name": "Hôtels de l'Oriental", f"price-{honey.id}": "", f"price-{oil.id}": "1 234,50"})
    assert r.status_code == 302
    assert _items(price_list.id) == {oil.id: D("1234.50")}
    # Every edit is in the audit log, on the list's own page and in the admin's filters.
    entries = db.session.execute(select(AuditEntry).where(
        AuditEntry.object_type == "price_list", AuditEntry.object_id == str(price_list.id))
        .order_by(AuditEntry.id)).scalars().all()
    assert [e.action for e in entries] == ["create", "update", "update"]
    assert entries[1].after_data[f"price {HONEY}"] == "12.5"
    assert entries[1].before_data["name"] == "Hôtels d'Oujda"
    assert entries[2].before_data[f"price {HONEY}"] == "12.5" and f"price {HONEY}" not in entries[2].after_data
    assert "Historique" in admin.get(f"/orders/price-lists/{price_list.id}").get_data(as_text=True)
    audit = admin.get("/admin/audit?object_type=price_list").get_data(as_text=True)
    assert "Liste de prix" in audit and f"price {HONEY}" in audit
    buyer_log = admin.get(f"/admin/audit?object_type=buyer&object_id={hotel.id}").get_data(as_text=True)
    assert "Liste de prix" in buyer_log and "price_list_id" not in buyer_log


def test_bad_prices_are_named_and_nothing_is_written(auth):
    admin = auth.client_for("admin")
    price_list = _new_list(admin, "Épiciers")
    honey, oil = product(HONEY), product(OIL)
    admin.post(f"/orders/price-lists/{price_list.id}", data={"name": "Épiciers", f"price-{oil.id}": "99"})
    assert _items(price_list.id) == {oil.id: D("99.00")}
    logged = db.session.execute(select(func.count(AuditEntry.id))).scalar()
    for bad in ("douze", "-3", "12,345", "1e9", "12 5", "99999999"):
        r = admin.post(f"/orders/price-lists/{price_list.id}", data={
            "name": "Épiciers en gros", f"price-{honey.id}": bad, f"price-{oil.id}": "15"})
        assert r.status_code == 422, bad
        text = r.get_data(as_text=True)
        assert f'id="price-{honey.id}-error"' in text and 'aria-invalid="true"' in text
        assert bad.strip() in text  # what was typed is shown back
    db.session.expire_all()
    assert price_list.name == "Épiciers" and _items(price_list.id) == {oil.id: D("99.00")}
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar() == logged
    # A name taken by another list (whatever the case), or none: refused on the field.
    _new_list(admin, "Exportateurs")
    for name in ("exportateurs", ""):
        r = admin.post(f"/orders/price-lists/{price_list.id}", data={"name": name})
        assert r.status_code == 422
    assert admin.post("/orders/price-lists", data={"name": "EXPORTATEURS"}).status_code == 422
    assert admin.post("/orders/price-lists", data={"name": "x" * 121}).status_code == 422
    assert db.session.execute(select(func.count(PriceList.id))).scalar() == 2
    # Only admins keep price lists.
    operator = auth.client_for("operateur")
    assert operator.get("/orders/price-lists").status_code == 403
    assert operator.post(f"/orders/price-lists/{price_list.id}", data={"name": "x"}).status_code == 403
    assert "price-lists" not in operator.get("/orders/buyers").get_data(as_text=True)
    assert admin.get("/orders/price-lists/999999").status_code == 404


def test_the_price_list_page_in_arabic(auth):
    admin = auth.client_for("admin")
    admin.post("/lang/ar")
    price_list = _new_list(admin, "فنادق وجدة")
    honey = product(HONEY)
    r = admin.post(f"/orders/price-lists/{price_list.id}", data={
        "name": "فنادق وجدة", f"price-{honey.id}": "١٢٫٥"})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    assert _items(price_list.id) == {honey.id: D("12.50")}
    text = admin.get(f"/orders/price-lists/{price_list.id}").get_data(as_text=True)
    assert 'dir="rtl"' in text and "الثمن في هذه اللائحة" in text and "12,50" in text
    r = admin.post(f"/orders/price-lists/{price_list.id}", data={
        "name": "فنادق وجدة", f"price-{honey.id}": "اثنا عشر"})
    assert r.status_code == 422 and "المرجو تصحيح الأثمان" in r.get_data(as_text=True)


def test_price_lists_over_the_api(client, auth):
    h = auth.headers("admin")
    honey, oil = product(HONEY), product(OIL)
    r = client.post("/api/v1/price-lists", headers=h, json={
        "name": "Export", "prices": [{"product_id": honey.id, "unit_price": "40.00"}]})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["prices"] == [{"product_id": honey.id, "unit_price": "40.00"}] and body["buyer_ids"] == []
    pl = body["id"]
    r = client.put(f"/api/v1/price-lists/{pl}", headers=h, json={
        "name": "Export 2027", "prices": [{"product_id": honey.id, "unit_price": None},
                                          {"product_id": oil.id, "unit_price": "95.5"}]})
    assert r.status_code == 200 and r.get_json()["name"] == "Export 2027"
    assert r.get_json()["prices"] == [{"product_id": oil.id, "unit_price": "95.50"}]
    for bad in ({"name": "Export 2027", "prices": [{"product_id": 999999, "unit_price": "1"}]},
                {"prices": [{"product_id": oil.id, "unit_price": "-1"}]},
                {"prices": [{"product_id": oil.id, "unit_price": "12,5"}]},
                {"prices": [{"product_id": oil.id, "unit_price": 12.5}]}):
        assert client.put(f"/api/v1/price-lists/{pl}", headers=h, json=bad).status_code == 422, bad
    assert client.post("/api/v1/price-lists", headers=h, json={"name": "export 2027"}).status_code == 422
    assert _items(pl) == {oil.id: D("95.50")}
    hotel = buyer("Hôtel")
    assert client.patch(f"/api/v1/buyers/{hotel.id}", headers=h,
                        json={"price_list_id": 999999}).status_code == 422
    r = client.patch(f"/api/v1/buyers/{hotel.id}", headers=h, json={"price_list_id": pl})
    assert r.status_code == 200 and r.get_json()["price_list_id"] == pl
    assert client.get(f"/api/v1/price-lists/{pl}", headers=h).get_json()["buyer_ids"] == [hotel.id]
    listed = client.get("/api/v1/price-lists?q=export", headers=h).get_json()
    assert listed["total"] == 1
    assert client.get("/api/v1/price-lists", headers=auth.headers("operateur")).status_code == 403
    assert client.get("/api/v1/price-lists", headers=auth.headers("acheteur.hotel")).status_code == 403
    assert client.get("/api/v1/price-lists/999999", headers=h).status_code == 404
    assert db.session.get(Buyer, hotel.id).price_list_id == pl
