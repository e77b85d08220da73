"""Master data over the API: products, cooperatives, locations."""
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.masterdata import virtual_location



def test_admin_creates_and_edits_a_product_with_decimal_strings(client, auth):
    headers = auth.headers("admin")
    body = {"sku": "MIEL-CAR-500", "name_fr": "Miel de caroube – pot 500 g", "name_ar": "عسل الخروب – 500 غ",
            "category": "honey", "kind": "unit", "uom": "pc", "net_content": "0.500",
            "content_uom": "kg", "gtin": "6111234567895", "retail_price": "120.50"}
    response = client.post("/api/v1/products", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["retail_price"] == "120.50" and created["net_content"] == "0.500"
    response = client.patch(f"/api/v1/products/{created['id']}", json={"retail_price": "99.90"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["retail_price"] == "99.90"
    assert db.session.get(Product, created["id"]).retail_price == Decimal("99.90")


def test_wrong_gtin_check_digit_is_refused(client, auth):
    body = {"sku": "X-1", "name_fr": "x", "name_ar": "س", "category": "honey", "kind": "unit",
            "uom": "pc", "net_content": "0.25", "content_uom": "kg", "gtin": "6111234567890"}
    response = client.post("/api/v1/products", json=body, headers=auth.headers("admin"))
    assert response.status_code == 422
    assert "gtin" in response.get_json()["error"]["fields"]
    assert db.session.execute(select(Product).where(Product.sku == "X-1")).first() is None


def test_invalid_input_gets_field_errors(client, auth):
    response = client.post("/api/v1/cooperatives", json={"name_fr": ""}, headers=auth.headers("admin"))
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"province", "registration_number", "name_ar"} <= set(fields)


def test_duplicate_is_409(client, auth):
    coop = db.session.execute(select(Cooperative)).scalars().first()
    body = {"name_fr": "Autre", "name_ar": "أخرى", "registration_number": coop.registration_number,
            "province": "Nador"}
    response = client.post("/api/v1/cooperatives", json=body, headers=auth.headers("admin"))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "duplicate"


def test_payout_details_are_admins_alone(client, auth):
    coop = db.session.execute(select(Cooperative).where(Cooperative.payout_account.isnot(None))).scalars().first()
    as_admin = client.get(f"/api/v1/cooperatives/{coop.id}", headers=auth.headers("admin")).get_json()
    as_operator = client.get(f"/api/v1/cooperatives/{coop.id}", headers=auth.headers("operateur")).get_json()
    assert as_admin["payout_account"] == coop.payout_account
    assert "payout_account" not in as_operator and "payout_bank" not in as_operator


def test_locations_api_refuses_virtual_kinds(client, auth):
    body = {"code": "X", "name_fr": "x", "name_ar": "س", "kind": "customer"}
    assert client.post("/api/v1/locations", json=body, headers=auth.headers("admin")).status_code == 422
    virtual = virtual_location("LOSS")
    assert client.patch(f"/api/v1/locations/{virtual.id}", json={"name_fr": "y"},
                        headers=auth.headers("admin")).status_code == 409
