"""Lots and stock on hand over the API."""
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.ledger import move
from models.masterdata import virtual_location
from models.stock import Location, Lot


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
