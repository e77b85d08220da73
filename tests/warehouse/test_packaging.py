"""Packaging runs: inputs consumed, waste written off, output lot with parents and owner,
best-before capped; every 422 and the 409 naming the lot; the page and the fee hook."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from extensions import db
from models.clock import today as local_today
from models.consignment import ConsignmentEntry
from models.errors import InsufficientStock, ValidationFailed
from models.ledger import available, integrity_mismatches
from models.masterdata import virtual_location
from models.warehouse_packaging import package
from models.warehouse_receptions import receive
from models.stock import StockMovement, lot_parents
from models.warehouse import PackagingRun
from tests.warehouse.conftest import client_as


def received(ids, coop="figuig", product="dates", qty="100", best_before=None, location="pack"):
    """A lot received and committed; returns its id."""
    rec = receive(cooperative_id=ids[coop], location_id=ids[location], lines=[{
        "product_id": ids[product], "quantity_delivered": qty, "quantity_accepted": qty,
        "best_before": best_before}])
    db.session.commit()
    return rec.lines[0].lot_id


def test_run_consumes_inputs_writes_waste_and_makes_the_output_lot(app, ids):
    a = received(ids, best_before="2027-03-01")
    b = received(ids, qty="10", best_before="2027-01-31")
    run = package(location_id=ids["pack"], inputs=[{"lot_id": a, "quantity": "50"}, {"lot_id": b, "quantity": "2"}],
                  output_product_id=ids["box500"], output_units=100, waste_quantity="1.5")
    db.session.commit()
    out = run.output_lot
    assert out.cooperative_id == ids["figuig"] and out.origin_type == "packaging_run" and out.origin_id == run.id
    assert out.best_before == date(2027, 1, 31)  # the earliest input's
    assert available(a, ids["pack"]) == Decimal("50.000") and available(b, ids["pack"]) == Decimal("8.000")
    assert available(out.id, ids["pack"]) == Decimal("100.000")
    parents = dict(db.session.execute(select(lot_parents.c.parent_lot_id, lot_parents.c.quantity)
                                      .where(lot_parents.c.child_lot_id == out.id)).all())
    assert parents == {a: Decimal("50.000"), b: Decimal("2.000")}
    kinds = sorted((m.kind, m.quantity) for m in db.session.execute(
        select(StockMovement).where(StockMovement.document_type == "packaging_run",
                                    StockMovement.document_id == run.id)).scalars())
    assert kinds == [("packaging_input", Decimal("2.000")), ("packaging_input", Decimal("50.000")),
                     ("packaging_output", Decimal("100.000")), ("waste", Decimal("1.500"))]
    assert available(a, virtual_location("LOSS").id) == Decimal("1.500")
    assert run.packed_quantity == Decimal("50.000")
    assert round(run.yield_rate, 4) == Decimal("0.9901")  # 50 packed of 50.5 net consumed
    assert integrity_mismatches() == []


def test_default_best_before_is_capped_by_shelf_life(app, ids):
    a = received(ids, best_before="2030-01-01")
    run = package(location_id=ids["pack"], inputs=[{"lot_id": a, "quantity": "5"}],
                  output_product_id=ids["bf500"], output_units=10)
    assert run.best_before == local_today() + timedelta(days=270)


def test_more_than_available_is_409_naming_the_lot(app, auth, ids):
    a = received(ids, qty="10")
    from models.stock import Lot

    code = db.session.get(Lot, a).code
    with pytest.raises(InsufficientStock) as err:
        package(location_id=ids["pack"], inputs=[{"lot_id": a, "quantity": "11"}],
                output_product_id=ids["box500"], output_units=20)
    db.session.rollback()
    assert err.value.lot_code == code
    r = app.test_client().post("/api/v1/packaging-runs", headers=auth.headers("operateur"), json={
        "location_id": ids["pack"], "inputs": [{"lot_id": a, "quantity": "11"}],
        "output_product_id": ids["box500"], "output_units": 20})
    assert r.status_code == 409 and code in r.get_json()["error"]["message"]
    assert r.get_json()["error"]["code"] == "insufficient_stock"
    # Stock at another warehouse location does not count.
    r = app.test_client().post("/api/v1/packaging-runs", headers=auth.headers("operateur"), json={
        "location_id": ids["stock"], "inputs": [{"lot_id": a, "quantity": "1"}],
        "output_product_id": ids["box500"], "output_units": 2})
    assert r.status_code == 409
    assert db.session.execute(select(func.count()).select_from(PackagingRun)).scalar() == 0


def _bad_cases(ids, lots):
    """(kwargs override, field expected) for each bad input."""
    a, oil, box = lots
    return [
        ({"inputs": [{"lot_id": a, "quantity": "5"}, {"lot_id": oil, "quantity": "5"}],
          "output_product_id": ids["box500"]}, "inputs"),
        ({"inputs": []}, "inputs"),
        ({"inputs": [{"lot_id": 999999, "quantity": "5"}]}, "inputs.0.lot_id"),
        ({"inputs": [{"lot_id": a, "quantity": "0"}]}, "inputs.0.quantity"),
        ({"inputs": [{"lot_id": a, "quantity": "-1"}]}, "inputs.0.quantity"),
        ({"inputs": [{"lot_id": a, "quantity": "2"}, {"lot_id": a, "quantity": "2"}]}, "inputs.1.lot_id"),
        ({"inputs": [{"lot_id": box, "quantity": "2"}]}, "inputs.0.lot_id"),
        ({"output_product_id": ids["dates"]}, "output_product_id"),
        ({"output_product_id": ids["bottle"]}, "output_product_id"),
        ({"output_product_id": 999999}, "output_product_id"),
        ({"output_units": 0}, "output_units"),
        ({"output_units": "2.5"}, "output_units"),
        ({"output_units": 11}, "output_units"),  # 11 × 0.5 kg > 5 kg
        ({"waste_quantity": "5"}, "waste_quantity"),
        ({"waste_quantity": "-1"}, "waste_quantity"),
        ({"best_before": "2099-01-01"}, "best_before"),
        ({"best_before": "tomorrow"}, "best_before"),
        ({"location_id": ids["shop"]}, "location_id"),
    ]


def test_every_bad_input_is_422_and_writes_nothing(app, ids):
    a = received(ids, best_before="2027-05-01")
    oil = received(ids, coop="taourirt", product="oil")
    box = received(ids, product="box500", qty="10")
    base = {"location_id": ids["pack"], "inputs": [{"lot_id": a, "quantity": "5"}],
            "output_product_id": ids["box500"], "output_units": 10}
    before = db.session.execute(select(func.count()).select_from(StockMovement)).scalar()
    for override, field in _bad_cases(ids, (a, oil, box)):
        with pytest.raises(ValidationFailed) as err:
            package(**{**base, **override})
        db.session.rollback()
        assert field in err.value.fields, (override, err.value.fields)
    assert db.session.execute(select(func.count()).select_from(StockMovement)).scalar() == before


def test_api_422_for_several_cooperatives(app, auth, ids):
    a = received(ids)
    oil = received(ids, coop="taourirt")
    r = app.test_client().post("/api/v1/packaging-runs", headers=auth.headers("operateur"), json={
        "location_id": ids["pack"], "inputs": [{"lot_id": a, "quantity": "1"}, {"lot_id": oil, "quantity": "1"}],
        "output_product_id": ids["box500"], "output_units": 2})
    assert r.status_code == 422 and "inputs" in r.get_json()["error"]["fields"]


def test_packaging_fee_is_charged(app, ids):
    app.config["PACKAGING_FEE_PER_UNIT"] = Decimal("0.50")
    a = received(ids)
    run = package(location_id=ids["pack"], inputs=[{"lot_id": a, "quantity": "10"}],
                  output_product_id=ids["box500"], output_units=20)
    fee = db.session.execute(select(ConsignmentEntry).where(ConsignmentEntry.document_id == run.id)).scalar_one()
    assert (fee.kind, fee.amount, fee.cooperative_id) == ("fee", Decimal("-10.00"), ids["figuig"])


def test_packaging_page(app, auth, ids):
    a = received(ids)
    client = client_as(auth, "operateur")
    assert client.get(f"/warehouse/packaging/new?lot_id={a}").status_code == 200
    form = {"location_id": ids["pack"], "inputs-0-lot_id": a, "inputs-0-quantity": "200",
            "output_product_id": ids["box500"], "output_units": "100", "waste_quantity": "0"}
    r = client.post("/warehouse/packaging/new", data=form)
    assert r.status_code == 409 or r.status_code == 422
    form["inputs-0-quantity"] = "50"
    r = client.post("/warehouse/packaging/new", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "100,00" in page or "100.00" in page  # yield shown
    assert client.get("/warehouse/packaging").status_code == 200
