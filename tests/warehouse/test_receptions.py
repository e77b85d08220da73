"""Receptions: lots from accepted lines, every bad input refused with field errors and
nothing written, through the service, the API and the page."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from extensions import db
from models.errors import ValidationFailed
from models.ledger import available, integrity_mismatches
from models.masterdata import virtual_location
from models.warehouse_receptions import receive
from models.stock import Lot, StockMovement
from models.warehouse import Reception
from tests.warehouse.conftest import client_as, forget_user


def line(ids, **kw):
    """A valid line of 10 kg of dates, overridden by `kw`."""
    base = {"product_id": ids["dates"], "quantity_delivered": "10", "quantity_accepted": "10",
            "quantity_rejected": "0"}
    base.update(kw)
    return base


def counts():
    """(receptions, lots, movements) in the database."""
    return tuple(db.session.execute(select(func.count()).select_from(t)).scalar()
                 for t in (Reception, Lot, StockMovement))


def test_accepted_lines_become_lots_moved_from_suppliers(app, ids):
    rec = receive(cooperative_id=ids["figuig"], location_id=ids["reception"], lines=[
        line(ids, quantity_delivered="100", quantity_accepted="98", quantity_rejected="2",
             rejection_reason="abîmées", harvest_date="2026-10-01"),
        line(ids, product_id=ids["oil"], quantity_delivered="20", quantity_accepted="0",
             quantity_rejected="20", rejection_reason="acidité trop forte")])
    db.session.commit()
    dates, oil = rec.lines
    assert dates.lot.cooperative_id == ids["figuig"] and dates.lot.origin_type == "reception"
    assert dates.lot.best_before == date(2026, 10, 1) + timedelta(days=365)
    assert oil.lot is None  # everything rejected: no lot
    assert available(dates.lot_id, ids["reception"]) == Decimal("98.000")
    assert available(dates.lot_id, virtual_location("SUPPLIERS").id) == Decimal("-98.000")
    mv = db.session.execute(select(StockMovement).where(StockMovement.lot_id == dates.lot_id)).scalar_one()
    assert (mv.kind, mv.document_type, mv.document_id) == ("reception", "reception", rec.id)
    assert integrity_mismatches() == []


def test_lot_codes_are_readable_and_unique(app, ids):
    rec = receive(cooperative_id=ids["figuig"], location_id=ids["reception"],
                  lines=[line(ids), line(ids), line(ids, product_id=ids["oil"])])
    codes = [ln.lot.code for ln in rec.lines]
    assert len(set(codes)) == 3
    assert codes[0].startswith("DAT-") and codes[2].startswith("HUI-")


BAD_LINES = [
    ({"quantity_delivered": "0", "quantity_accepted": "0"}, "lines.0.quantity_delivered"),
    ({"quantity_delivered": "-5", "quantity_accepted": "-5"}, "lines.0.quantity_delivered"),
    ({"quantity_accepted": "-1", "quantity_rejected": "11", "rejection_reason": "x"}, "lines.0.quantity_accepted"),
    ({"quantity_accepted": "9", "quantity_rejected": "0"}, "lines.0.quantity_rejected"),
    ({"quantity_accepted": "8", "quantity_rejected": "2"}, "lines.0.rejection_reason"),
    ({"product_id": 999999}, "lines.0.product_id"),
    ({"harvest_date": "31/12/2026"}, "lines.0.harvest_date"),
    ({"best_before": "soon"}, "lines.0.best_before"),
    ({"harvest_date": "2026-10-01", "best_before": "2026-09-01"}, "lines.0.best_before"),
    ({"quantity_delivered": "abc"}, "lines.0.quantity_delivered"),
    ({"quantity_delivered": "1.0001", "quantity_accepted": "1.0001"}, "lines.0.quantity_delivered"),
]


@pytest.mark.parametrize("bad,field", BAD_LINES)
def test_bad_lines_are_refused_and_nothing_written(app, ids, bad, field):
    before = counts()
    with pytest.raises(ValidationFailed) as err:
        receive(cooperative_id=ids["figuig"], location_id=ids["reception"], lines=[line(ids, **bad)])
    db.session.rollback()
    assert field in err.value.fields, err.value.fields
    assert counts() == before


@pytest.mark.parametrize("kw,field", [
    ({"cooperative_id": 999999}, "cooperative_id"),
    ({"location_id": 999999}, "location_id"),
    ({"location_id": "shop"}, "location_id"),
    ({"lines": []}, "lines"),
])
def test_bad_header_is_refused(app, ids, kw, field):
    args = {"cooperative_id": ids["figuig"], "location_id": ids["reception"], "lines": [line(ids)]}
    args.update(kw)
    if args["location_id"] == "shop":
        args["location_id"] = ids["shop"]  # a shop is no warehouse
    with pytest.raises(ValidationFailed) as err:
        receive(**args)
    assert field in err.value.fields


def test_packaged_units_are_received_in_whole_pieces(app, ids):
    with pytest.raises(ValidationFailed) as err:
        receive(cooperative_id=ids["figuig"], location_id=ids["reception"],
                lines=[line(ids, product_id=ids["box500"], quantity_delivered="2.5", quantity_accepted="2.5")])
    assert "lines.0.quantity_delivered" in err.value.fields


def test_api_answers_422_with_fields_and_writes_nothing(app, auth, ids):
    before = counts()
    r = app.test_client().post("/api/v1/receptions", headers=auth.headers("operateur"), json={
        "cooperative_id": ids["figuig"], "location_id": ids["reception"],
        "lines": [line(ids, quantity_accepted="8", quantity_rejected="2")]})
    assert r.status_code == 422
    assert "lines.0.rejection_reason" in r.get_json()["error"]["fields"]
    r = app.test_client().post("/api/v1/receptions", headers=auth.headers("operateur"), json={
        "cooperative_id": ids["figuig"], "location_id": ids["reception"],
        "lines": [line(ids, harvest_date="yesterday")]})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "validation_error"
    assert counts() == before


def test_api_roles(app, auth, ids):
    body = {"cooperative_id": ids["figuig"], "location_id": ids["reception"], "lines": [line(ids)]}
    for user in ("caissier", "coop.figuig"):
        headers = auth.headers(user)
        forget_user()
        r = app.test_client().post("/api/v1/receptions", headers=headers, json=body)
        assert r.status_code == 403
    forget_user()
    assert app.test_client().post("/api/v1/receptions", json=body).status_code == 401
    headers = auth.headers("admin")
    forget_user()
    r = app.test_client().post("/api/v1/receptions", headers=headers, json=body)
    assert r.status_code == 201


def test_reception_page_and_receipt(app, auth, ids):
    client = client_as(auth, "operateur")
    assert client.get("/warehouse/receptions/new").status_code == 200
    form = {"cooperative_id": ids["figuig"], "location_id": ids["reception"],
            "lines-0-product_id": ids["dates"], "lines-0-quantity_delivered": "100",
            "lines-0-quantity_accepted": "98", "lines-0-quantity_rejected": "2",
            "lines-0-rejection_reason": "", "lines-0-harvest_date": "2026-10-15"}
    r = client.post("/warehouse/receptions/new", data=form)
    assert r.status_code == 422 and "Indiquez pourquoi la marchandise a été refusée." in r.get_data(as_text=True)
    form["lines-0-rejection_reason"] = "Dattes abîmées"
    r = client.post("/warehouse/receptions/new", data=form)
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "DAT-" in page and "Dattes abîmées" in page
    rec = db.session.execute(select(Reception).order_by(Reception.id.desc())).scalars().first()
    pdf = client.get(f"/warehouse/receptions/{rec.id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    coop_client = client_as(auth, "coop.taourirt")
    assert coop_client.get(f"/api/v1/receptions/{rec.id}/receipt.pdf").status_code == 404
    assert coop_client.get("/warehouse/receptions/new").status_code == 403
    own = client_as(auth, "coop.figuig")
    assert own.get(f"/api/v1/receptions/{rec.id}/receipt.pdf").status_code == 200
