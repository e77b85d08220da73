"""Write-offs: goods broken, spoiled or lost leave the stock for LOSS through the ledger, with
a numbered document; damaged or lost goods open a compensation proposal for the cooperative,
expired or defective goods are the cooperative's loss; a cashier writes off only at their own
shops; the page takes what a person types (French comma, Arabic reason, a scanned label);
nothing is half-written; the rows are sealed."""
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from extensions import db
from models.books_check import books_problems
from models.clock import today as local_today
from models.compensations import Compensation
from models.consignment_rates import commission_rate_for
from models.ledger import available, integrity_mismatches, move
from models.masterdata import virtual_location
from models.stock import Lot, StockMovement
from models.stock_writeoffs import WriteOff
from tests.warehouse.conftest import FIGUIG, client_as, coop, loc, product

_codes = itertools.count(1)


def lot_at(place, sku, qty, best_before=None):
    """A lot of Figuig's with `qty` brought to `place` from SUPPLIERS."""
    lot = Lot(code=f"WO-T-{next(_codes):03d}", product=product(sku), cooperative=coop(FIGUIG),
              best_before=best_before or local_today() + timedelta(days=120))
    db.session.add(lot)
    db.session.flush()
    move(lot.id, Decimal(qty), virtual_location("SUPPLIERS").id, loc(place).id, kind="reception")
    db.session.commit()
    return lot


def post(client, headers, **body):
    return client.post("/api/v1/write-offs", json=body, headers=headers)


def test_damaged_goods_leave_for_loss_and_the_cooperative_is_proposed_their_value(app, client, auth):
    lot = lot_at("WH-STOCK", "DAT-AZ-500", 10)
    shelf = loc("WH-STOCK").id
    r = post(client, auth.headers("operateur"), lot_id=lot.id, location_id=shelf, quantity="2",
             cause="damaged", reason="Carton écrasé au déchargement")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["number"] == f"WO-{body['id']:06d}" and body["quantity"] == "2.000"
    assert body["compensation_status"] == "proposed"
    assert available(lot.id, shelf) == Decimal("8")
    moved = db.session.execute(select(StockMovement).where(
        StockMovement.document_type == "write_off", StockMovement.document_id == body["id"])).scalar_one()
    assert (moved.kind, moved.quantity, moved.to_location_id) == ("loss", Decimal("2"), virtual_location("LOSS").id)
    comp = db.session.get(Compensation, body["compensation_id"])
    price = product("DAT-AZ-500").retail_price
    rate = commission_rate_for(coop(FIGUIG).id, product("DAT-AZ-500").category)
    assert comp.loss_kind == "write_off" and comp.amount == (price * (1 - rate)).quantize(Decimal("0.01")) * 2
    assert integrity_mismatches() == [] and books_problems() == []


@pytest.mark.parametrize("cause", ["expired", "defect"])
def test_expired_or_defective_goods_are_the_cooperatives_loss(app, client, auth, cause):
    lot = lot_at("WH-STOCK", "DAT-AZ-500", 4, best_before=local_today() - timedelta(days=3))
    r = post(client, auth.headers("operateur"), lot_id=lot.id, location_id=loc("WH-STOCK").id,
             quantity="4", cause=cause, reason="Date dépassée")
    assert r.status_code == 201, r.get_json()  # an expired lot may always be written off
    comp = db.session.get(Compensation, r.get_json()["compensation_id"])
    assert (comp.status, comp.loss_kind) == ("borne", "write_off_borne")
    assert available(lot.id, loc("WH-STOCK").id) == 0


def test_more_than_on_hand_is_refused_and_nothing_is_written(app, client, auth):
    lot = lot_at("WH-STOCK", "DAT-AZ-500", 3)
    before = db.session.execute(select(func.count()).select_from(WriteOff)).scalar()
    r = post(client, auth.headers("operateur"), lot_id=lot.id, location_id=loc("WH-STOCK").id,
             quantity="5", cause="lost", reason="Introuvable")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "insufficient_stock"
    assert db.session.execute(select(func.count()).select_from(WriteOff)).scalar() == before
    assert db.session.execute(select(func.count()).select_from(Compensation)
                              .where(Compensation.lot_id == lot.id)).scalar() == 0
    assert available(lot.id, loc("WH-STOCK").id) == 3


@pytest.mark.parametrize("body, field", [
    ({"quantity": "0"}, "quantity"), ({"quantity": "1.5"}, "quantity"),  # whole pieces only
    ({"cause": "stolen"}, "cause"), ({"reason": ""}, "reason"), ({"location_id": None}, "location_id"),
])
def test_bad_input_is_a_422_naming_the_field(app, client, auth, body, field):
    lot = lot_at("WH-STOCK", "DAT-AZ-500", 3)
    full = {"lot_id": lot.id, "location_id": loc("WH-STOCK").id, "quantity": "1", "cause": "damaged",
            "reason": "x"}
    full.update(body)
    if full["location_id"] is None:
        full["location_id"] = virtual_location("LOSS").id  # not a place goods are written off at
    r = post(client, auth.headers("operateur"), **full)
    assert r.status_code == 422, r.get_json()
    assert field in str(r.get_json()["error"]), r.get_json()


def test_a_cashier_writes_off_only_at_their_own_shops(app, client, auth):
    mine = lot_at("SHOP-AIRPORT", "DAT-AZ-500", 3)
    theirs = lot_at("STAND-OUJDA", "DAT-AZ-500", 3)
    headers = auth.headers("caissier")
    r = post(client, headers, lot_id=mine.id, location_id=loc("SHOP-AIRPORT").id, quantity="1",
             cause="damaged", reason="Tombé du rayon")
    assert r.status_code == 201, r.get_json()
    r = post(client, headers, lot_id=theirs.id, location_id=loc("STAND-OUJDA").id, quantity="1",
             cause="damaged", reason="x")
    assert r.status_code == 403
    other = post(client, auth.headers("caissier.stand"), lot_id=theirs.id,
                 location_id=loc("STAND-OUJDA").id, quantity="1", cause="lost", reason="Volé")
    assert other.status_code == 201
    listed = client.get("/api/v1/write-offs", headers=headers).get_json()["items"]
    assert {i["location_id"] for i in listed} == {loc("SHOP-AIRPORT").id}
    assert client.get(f"/api/v1/write-offs/{other.get_json()['id']}", headers=headers).status_code == 403
    assert client.get("/api/v1/write-offs", headers=auth.headers("coop.figuig")).status_code == 403
    assert post(client, auth.headers("coop.figuig"), lot_id=mine.id, location_id=loc("SHOP-AIRPORT").id,
                quantity="1", cause="damaged", reason="x").status_code == 403


def test_the_page_takes_a_french_comma_a_scanned_label_and_an_arabic_reason(app, auth):
    bulk = lot_at("WH-STOCK", "DAT-AZ-VRAC", "30")
    page = client_as(auth, "operateur")
    form = page.get("/warehouse/write-offs/new")
    assert form.status_code == 200 and b'name="quantity"' in form.data
    r = page.post("/warehouse/write-offs/new", data={
        "location_id": loc("WH-STOCK").id, "lot_code": f"]C110{bulk.code}", "quantity": "2,5",
        "cause": "damaged", "reason": "\u2067كيس ممزق\u2069 — sac déchiré"})
    assert r.status_code == 302, r.data.decode()[:2000]
    row = db.session.execute(select(WriteOff).where(WriteOff.lot_id == bulk.id)).scalar_one()
    assert row.quantity == Decimal("2.5") and "كيس" in row.reason
    shown = page.get(r.headers["Location"])
    assert shown.status_code == 200 and row.number.encode() in shown.data
    assert "2,5".encode() in shown.data  # the quantity in French, as typed
    history = page.get(f"/warehouse/lots/{bulk.id}")
    assert row.number.encode() in history.data  # the lot's history names the document


def test_the_page_explains_what_is_wrong_and_writes_nothing(app, auth):
    lot = lot_at("WH-STOCK", "DAT-AZ-500", 2)
    page = client_as(auth, "operateur")
    before = db.session.execute(select(func.count()).select_from(WriteOff)).scalar()
    for data in ({"location_id": loc("WH-STOCK").id, "lot_code": "", "quantity": "", "cause": "damaged",
                  "reason": ""},
                 {"location_id": loc("WH-STOCK").id, "lot_code": lot.code, "quantity": "1,5",
                  "cause": "damaged", "reason": "x"},
                 {"location_id": loc("WH-STOCK").id, "lot_code": lot.code, "quantity": "9",
                  "cause": "damaged", "reason": "x"},
                 {"location_id": loc("WH-STOCK").id, "lot_code": "NO-SUCH-LOT", "quantity": "1",
                  "cause": "damaged", "reason": "x"}):
        r = page.post("/warehouse/write-offs/new", data=data)
        assert r.status_code == 422, data
        assert b"invalid-feedback" in r.data or b"alert-danger" in r.data, data
    assert db.session.execute(select(func.count()).select_from(WriteOff)).scalar() == before


def test_a_cashiers_page_offers_only_their_shops(app, auth):
    page = client_as(auth, "caissier")
    form = page.get("/warehouse/write-offs/new").data.decode()
    assert f'value="{loc("SHOP-AIRPORT").id}"' in form and f'value="{loc("STAND-OUJDA").id}"' not in form
    lot = lot_at("STAND-OUJDA", "DAT-AZ-500", 2)
    r = page.post("/warehouse/write-offs/new", data={
        "location_id": loc("STAND-OUJDA").id, "lot_code": lot.code, "quantity": "1", "cause": "damaged",
        "reason": "x"})
    assert r.status_code in (403, 422)
    assert available(lot.id, loc("STAND-OUJDA").id) == 2
    assert client_as(auth, "coop.figuig").get("/warehouse/write-offs").status_code == 403


def test_write_offs_are_sealed(app, client, auth):
    lot = lot_at("WH-STOCK", "DAT-AZ-500", 2)
    r = post(client, auth.headers("operateur"), lot_id=lot.id, location_id=loc("WH-STOCK").id,
             quantity="1", cause="damaged", reason="x")
    wid = r.get_json()["id"]
    for sql in ("UPDATE write_offs SET quantity = 0.5 WHERE id = :id", "DELETE FROM write_offs WHERE id = :id"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(sql), {"id": wid})
            db.session.flush()
        db.session.rollback()
    assert db.session.get(WriteOff, wid).quantity == Decimal("1")
