"""The statement JSON written without marshmallow says exactly what StatementSchema dumped:
same keys, decimals with their column's scale, UTC times, receipt labels of sales and
refunds, registry labels of the rest, running and closing balances."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.clock import today as local_today
from models.consignment import set_packaging_fee
from models.consignment_posting import charge_packaging_fee
from models.cooperatives import Cooperative
from models.ledger import move
from models.masterdata import virtual_location
from models.consignment_statements import statement
from models.stock import Location, Lot
from portal.helpers import entry_document_labels
from portal.schemas import StatementSchema


def _reference(coop_id, date_from, date_to):
    """What the API answered before: statement() dumped through StatementSchema."""
    stmt = statement(coop_id, date_from, date_to)
    labels = entry_document_labels(stmt["entries"])
    utc = lambda t: t.replace(tzinfo=timezone.utc)  # noqa: E731
    for e in stmt["entries"]:
        e["created_at"] = utc(e["created_at"])
        e["product"], e["location"] = e.get("product_fr"), e.get("location_fr")
        e["document"] = labels.get((e["document_type"], e["document_id"]))
    stmt.update(date_from=date_from, date_to=date_to, start=utc(stmt["start"]), end=utc(stmt["end"]))
    return StatementSchema().dump(stmt)


def test_statement_json_matches_the_schema_dump(app, client, auth):
    shop = db.session.execute(select(Location).where(Location.code == "SHOP-AIRPORT")).scalar_one()
    dates = db.session.execute(select(Product).where(Product.sku == "DAT-AZ-500")).scalar_one()
    figuig = db.session.execute(select(Cooperative).where(Cooperative.registration_number == "ODCO-2008-0412")).scalar_one()
    lot = Lot(code="AZ-PERF-1", product=dates, cooperative=figuig, best_before=local_today() + timedelta(days=90))
    db.session.add(lot)
    db.session.flush()
    move(lot.id, Decimal(10), virtual_location("SUPPLIERS").id, shop.id, kind="reception")
    set_packaging_fee(Decimal("0.25"), user_id=None)
    charge_packaging_fee(cooperative_id=figuig.id, units=3, document_id=4242)  # a fee, no document row
    db.session.commit()
    cashier = auth.headers("caissier")
    assert client.post("/api/v1/cash-sessions", json={"location_id": shop.id, "opening_float": "100"},
                       headers=cashier).status_code == 201
    sale = client.post("/api/v1/sales", headers=cashier, json={
        "location_id": shop.id, "client_ref": "perf-1",
        "lines": [{"lot_id": lot.id, "quantity": "3", "discount": "1.10"}],
        "payments": [{"method": "cash", "amount": "200"}]}).get_json()
    r = client.post(f"/api/v1/sales/{sale['id']}/refunds", headers=cashier,
                    json={"lines": [{"sale_line_id": sale["lines"][0]["id"], "quantity": "1"}], "reason": "abîmé"})
    assert r.status_code == 201, r.get_json()
    today = datetime.now(timezone.utc).date()
    url = f"/api/v1/cooperatives/{figuig.id}/statement?from={today - timedelta(days=2)}&to={today + timedelta(days=1)}"
    got = client.get(url, headers=auth.headers("admin"))
    assert got.status_code == 200 and got.mimetype == "application/json"
    body = got.get_json()
    assert [e["kind"] for e in body["entries"]] == ["fee", "sale", "refund"]
    assert body["entries"][1]["document"].endswith(sale["number"])
    assert body["entries"][2]["document"].endswith(sale["number"])
    assert body["entries"][1]["quantity"] == "3.000" and body["entries"][1]["commission_rate"] == "0.1200"
    with app.test_request_context():
        expected = _reference(figuig.id, today - timedelta(days=2), today + timedelta(days=1))
    assert body == expected
    # French labels follow the user's locale like every other answer.
    assert client.get(url, headers=auth.headers("coop.figuig")).get_json() == body
