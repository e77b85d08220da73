"""The API base: tokens, the error format, the OpenAPI document, master data and stock."""
import base64
from decimal import Decimal

from openapi_spec_validator import validate
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.ledger import move
from models.masterdata import virtual_location
from models.stock import Location, Lot
from models.users import ApiToken
from tests.conftest import PASSWORDS


def basic(username, password):
    """An HTTP Basic header."""
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_no_token_is_401_in_the_error_format(client):
    response = client.get("/api/v1/products")
    assert response.status_code == 401
    body = response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "unauthorized"


def test_bad_token_is_401(client):
    assert client.get("/api/v1/products", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_token_is_stored_hashed_and_revocable(client, auth):
    token = auth.token("operateur")
    assert db.session.execute(select(ApiToken.token_hash)).scalars().all() != [token]
    assert token not in db.session.execute(select(ApiToken.token_hash)).scalars().all()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/products", headers=headers).status_code == 200
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/products", headers=headers).status_code == 401


def test_token_refused_for_wrong_password_and_missing_basic(client):
    assert client.post("/api/v1/tokens", headers=basic("admin", "wrong")).status_code == 401
    assert client.post("/api/v1/tokens").status_code == 401


def test_token_calls_set_no_session_cookie(client, auth):
    response = client.get("/api/v1/products", headers=auth.headers("admin"))
    assert "session=" not in response.headers.get("Set-Cookie", "")


def test_openapi_document_validates(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/stock" in spec["paths"] and "/api/v1/tokens" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_is_served_from_local_files(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_405_carries_allow(client, auth):
    response = client.delete("/api/v1/products", headers=auth.headers("admin"))
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_unknown_api_path_is_404_json(client, auth):
    response = client.get("/api/v1/nothing-here", headers=auth.headers("admin"))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


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


def _stock(coop, product, qty, code):
    """Put `qty` of a new lot into the warehouse."""
    lot = Lot(code=code, product=product, cooperative=coop)
    db.session.add(lot)
    db.session.flush()
    wh = db.session.execute(select(Location).where(Location.code == "WH-STOCK")).scalar_one()
    move(lot.id, Decimal(qty), virtual_location("SUPPLIERS").id, wh.id, kind="reception")
    return lot


def test_stock_is_filtered_paginated_and_scoped(client, auth):
    from tests.conftest import PASSWORDS  # noqa: F401  (demo users exist)

    figuig = db.session.execute(select(Cooperative).where(Cooperative.province == "Figuig")).scalars().first()
    from models.users import User

    coop_user = db.session.execute(select(User).where(User.username == "coop.figuig")).scalar_one()
    own = db.session.get(Cooperative, coop_user.cooperative_id)
    other = db.session.execute(select(Cooperative).where(Cooperative.id != own.id)).scalars().first()
    product = db.session.execute(select(Product)).scalars().first()
    mine = _stock(own, product, "12.5", "L-OWN")
    theirs = _stock(other, product, "3", "L-OTHER")
    db.session.commit()
    assert figuig is not None

    body = client.get("/api/v1/stock?per_page=1", headers=auth.headers("admin")).get_json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["per_page"] == 1
    item = client.get(f"/api/v1/stock?lot_id={mine.id}", headers=auth.headers("admin")).get_json()["items"][0]
    assert item["quantity"] == "12.500" and item["cooperative_id"] == own.id and item["lot_code"] == "L-OWN"

    coop_headers = auth.headers("coop.figuig")
    seen = client.get("/api/v1/stock", headers=coop_headers).get_json()["items"]
    assert [i["lot_id"] for i in seen] == [mine.id]
    assert client.get(f"/api/v1/stock?cooperative_id={other.id}", headers=coop_headers).status_code == 403
    assert client.get(f"/api/v1/lots/{theirs.id}", headers=coop_headers).status_code == 404
    assert client.get(f"/api/v1/cooperatives/{other.id}", headers=coop_headers).status_code == 404
    listed = client.get("/api/v1/cooperatives", headers=coop_headers).get_json()["items"]
    assert [c["id"] for c in listed] == [own.id]
    # A cashier sees only the shops they work at (nothing is at the airport shop yet).
    assert client.get("/api/v1/stock", headers=auth.headers("caissier")).get_json()["items"] == []


def test_bad_query_arguments_are_422(client, auth):
    headers = auth.headers("admin")
    for query in ("per_page=0", "per_page=100000", "page=-1", "location_id=abc"):
        response = client.get(f"/api/v1/stock?{query}", headers=headers)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["code"] == "validation_error"


def test_locations_api_refuses_virtual_kinds(client, auth):
    body = {"code": "X", "name_fr": "x", "name_ar": "س", "kind": "customer"}
    assert client.post("/api/v1/locations", json=body, headers=auth.headers("admin")).status_code == 422
    virtual = virtual_location("LOSS")
    assert client.patch(f"/api/v1/locations/{virtual.id}", json={"name_fr": "y"},
                        headers=auth.headers("admin")).status_code == 409


def test_admin_creates_a_lot_and_corrects_dates(client, auth):
    coop = db.session.execute(select(Cooperative)).scalars().first()
    product = db.session.execute(select(Product)).scalars().first()
    headers = auth.headers("admin")
    body = {"code": "L-MAN-1", "product_id": product.id, "cooperative_id": coop.id,
            "harvest_date": "2026-10-01", "best_before": "2027-10-01"}
    response = client.post("/api/v1/lots", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    lot_id = response.get_json()["id"]
    bad = client.patch(f"/api/v1/lots/{lot_id}", json={"best_before": "2026-01-01"}, headers=headers)
    assert bad.status_code == 422 and "best_before" in bad.get_json()["error"]["fields"]
    assert client.patch(f"/api/v1/lots/{lot_id}", json={"best_before": "2027-12-31"},
                        headers=headers).get_json()["best_before"] == "2027-12-31"
    assert client.post("/api/v1/lots", json={**body, "best_before": "not-a-date"},
                       headers=headers).status_code == 422


def test_passwords_fixture_is_complete():
    assert {"admin", "operateur", "caissier", "coop.figuig"} <= set(PASSWORDS)
