"""Admin pages manage cooperatives, products, locations and users; bad input is explained."""
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.stock import Location
from models.users import User


def test_admin_pages_render(auth):
    client = auth.client_for("admin")
    for url in ("/admin/", "/admin/cooperatives", "/admin/products", "/admin/locations", "/admin/users",
                "/admin/cooperatives/new", "/admin/products/new", "/admin/locations/new", "/admin/users/new"):
        assert client.get(url).status_code == 200, url


def test_create_cooperative_through_the_form(auth):
    client = auth.client_for("admin")
    response = client.post("/admin/cooperatives/new", data={
        "name_fr": "Coopérative Nakhil Bouarfa", "name_ar": "تعاونية نخيل بوعرفة",
        "registration_number": "ODCO-2026-9999", "province": "Figuig", "members_total": "24",
        "members_women": "20", "members_youth": "6", "commission_rate": "0.12", "active": "y"})
    assert response.status_code == 302
    coop = db.session.execute(select(Cooperative).where(Cooperative.registration_number == "ODCO-2026-9999")).scalar_one()
    assert coop.name_ar == "تعاونية نخيل بوعرفة" and str(coop.commission_rate) == "0.1200"


def test_cooperative_form_refuses_more_women_than_members(auth):
    client = auth.client_for("admin")
    response = client.post("/admin/cooperatives/new", data={
        "name_fr": "X", "name_ar": "س", "registration_number": "R-1", "province": "Nador",
        "members_total": "3", "members_women": "5"})
    assert response.status_code == 422
    assert db.session.execute(select(Cooperative).where(Cooperative.registration_number == "R-1")).first() is None


def test_product_form_refuses_a_wrong_gtin_check_digit(auth):
    client = auth.client_for("admin")
    data = {"sku": "HUI-250", "name_fr": "Huile 25 cl", "name_ar": "زيت", "category": "olive_oil",
            "kind": "unit", "uom": "pc", "net_content": "0.25", "content_uom": "l",
            "gtin": "6111234567890", "retail_price": "45"}
    response = client.post("/admin/products/new", data=data)
    assert response.status_code == 422
    assert "GTIN" in response.get_data(as_text=True)
    assert db.session.execute(select(Product).where(Product.sku == "HUI-250")).first() is None
    response = client.post("/admin/products/new", data={**data, "gtin": "6111234567895"})
    assert response.status_code == 302
    assert db.session.execute(select(Product.gtin).where(Product.sku == "HUI-250")).scalar() == "6111234567895"


def test_create_location_and_cashier(auth):
    client = auth.client_for("admin")
    response = client.post("/admin/locations/new", data={
        "code": "STAND-JERADA", "name_fr": "Stand solidaire Jerada", "name_ar": "الرواق التضامني جرادة",
        "kind": "shop", "province": "Jerada", "active": "y"})
    assert response.status_code == 302
    stand = db.session.execute(select(Location).where(Location.code == "STAND-JERADA")).scalar_one()
    response = client.post("/admin/users/new", data={
        "username": "fatima", "full_name": "Fatima Z.", "role": "cashier", "locale": "ar",
        "shops": [str(stand.id)], "cooperative_id": "0", "password": "longpassword", "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    user = db.session.execute(select(User).where(User.username == "fatima")).scalar_one()
    assert [s.code for s in user.shops] == ["STAND-JERADA"] and user.locale == "ar"


def test_user_form_refuses_cashier_without_shop(auth):
    client = auth.client_for("admin")
    response = client.post("/admin/users/new", data={
        "username": "nobody", "role": "cashier", "locale": "fr", "cooperative_id": "0",
        "password": "longpassword"})
    assert response.status_code == 422
    assert db.session.execute(select(User).where(User.username == "nobody")).first() is None


def test_virtual_locations_cannot_be_edited(auth):
    loss = db.session.execute(select(Location).where(Location.code == "LOSS")).scalar_one()
    assert auth.client_for("admin").get(f"/admin/locations/{loss.id}").status_code == 404
