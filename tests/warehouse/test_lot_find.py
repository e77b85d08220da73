"""Issue 11, finding things: the navbar's lot search (a lot code, a GTIN, any label scan; sold-out
and consumed lots included) and the stock page's "sold-out lots too"."""
from decimal import Decimal

from extensions import db
from models.catalogue import Product
from models.ledger import move
from models.masterdata import virtual_location
from models.stock_codes import build_gs1
from models.stock_traceability import stock_rows
from models.warehouse_packaging import package
from models.warehouse_receptions import receive
from models import clock
from tests.warehouse.conftest import client_as, forget_user


def _lots(ids):
    """A bulk lot of dates packaged whole into 500 g boxes (the bulk lot is consumed), and the
    boxes partly sold out of the shop (one lot of boxes sold out entirely)."""
    from datetime import timedelta

    today = clock.today()
    rec = receive(cooperative_id=ids["figuig"], location_id=ids["pack"], lines=[
        {"product_id": ids["dates"], "quantity_delivered": "10", "quantity_accepted": "10",
         "best_before": (today + timedelta(days=200)).isoformat()}])
    bulk = rec.lines[0].lot_id
    run = package(location_id=ids["pack"], inputs=[{"lot_id": bulk, "quantity": "10"}],
                  output_product_id=ids["box500"], output_units=20)
    customers = virtual_location("CUSTOMERS").id
    move(run.output_lot_id, 20, ids["pack"], ids["shop"], kind="dispatch")
    move(run.output_lot_id, 20, ids["shop"], customers, kind="sale", document_type="sale", document_id=91)
    db.session.commit()
    return rec.lines[0].lot, run.output_lot


def test_find_opens_a_sold_out_or_consumed_lot_by_code_gtin_or_scan(app, auth, ids):
    bulk, boxes = _lots(ids)
    client = client_as(auth, "operateur")
    # The lot code, as typed or as a scanner types it (lower case, spaces around).
    for code in (boxes.code, f"  {boxes.code.lower()} "):
        answer = client.get("/warehouse/lots/find", query_string={"code": code})
        assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/warehouse/lots/{boxes.id}")
    # The consumed bulk lot too.
    answer = client.get("/warehouse/lots/find", query_string={"code": bulk.code})
    assert answer.headers["Location"].endswith(f"/warehouse/lots/{bulk.id}")
    # A GS1-128 label scan, with and without the ]C1 symbology prefix, and human-readable.
    gtin = db.session.get(Product, ids["box500"]).gtin
    assert gtin
    values = {"01": "0" + gtin, "17": boxes.best_before, "10": boxes.code}
    for scanned in (build_gs1(values), "]C1" + build_gs1(values).lstrip("\xf1"),
                    build_gs1(values, parentheses=True)):
        answer = client.get("/warehouse/lots/find", query_string={"code": scanned})
        assert answer.status_code == 302, scanned
        assert answer.headers["Location"].endswith(f"/warehouse/lots/{boxes.id}")
    # The lot page of a sold-out lot opens with its history.
    html = client.get(f"/warehouse/lots/{boxes.id}").get_data(as_text=True)
    assert boxes.code in html and "sale #91" in html


def test_find_lists_several_lots_and_says_when_none_matches(app, auth, ids):
    bulk, boxes = _lots(ids)
    client = client_as(auth, "operateur")
    # An EAN-13 names a product: each of its lots (sold out included) when there are several.
    gtin = db.session.get(Product, ids["box500"]).gtin
    rec = receive(cooperative_id=ids["figuig"], location_id=ids["pack"], lines=[
        {"product_id": ids["dates"], "quantity_delivered": "4", "quantity_accepted": "4"}])
    run = package(location_id=ids["pack"], inputs=[{"lot_id": rec.lines[0].lot_id, "quantity": "4"}],
                  output_product_id=ids["box500"], output_units=8)
    db.session.commit()
    html = client.get("/warehouse/lots/find", query_string={"code": gtin}).get_data(as_text=True)
    assert boxes.code in html and run.output_lot.code in html
    assert 'class="badge text-bg-secondary"' in html  # the sold-out lot says so
    # Part of a code: the lots whose code holds it.
    common = boxes.code[:4]
    answer = client.get("/warehouse/lots/find", query_string={"code": common})
    assert answer.status_code in (200, 302)
    # Nothing: a message beside the box, in French, and no 500 on wildcards.
    for nothing in ("ZZZ-NOPE", "%", "_", "6111234567890"):
        answer = client.get("/warehouse/lots/find", query_string={"code": nothing})
        assert answer.status_code == 200
        assert 'id="find-none"' in answer.get_data(as_text=True)
    assert "Aucun lot" in client.get("/warehouse/lots/find?code=ZZZ").get_data(as_text=True)


def test_the_search_box_is_for_operators_and_admins_only(app, auth, ids):
    client = client_as(auth, "operateur")
    assert 'id="nav-lot-code"' in client.get("/warehouse/stock").get_data(as_text=True)
    admin = client_as(auth, "admin")
    assert 'id="nav-lot-code"' in admin.get("/admin/").get_data(as_text=True)
    for username in ("caissier", "coop.figuig"):
        other = client_as(auth, username)
        home = other.get("/", follow_redirects=True).get_data(as_text=True)
        assert 'id="nav-lot-code"' not in home
        assert other.get("/warehouse/lots/find?code=X").status_code in (302, 403)
    forget_user()


def test_stock_page_finds_sold_out_lots_when_asked(app, auth, ids):
    bulk, boxes = _lots(ids)
    client = client_as(auth, "operateur")
    html = client.get("/warehouse/stock", query_string={"q": boxes.code}).get_data(as_text=True)
    assert boxes.code not in html.split("<tbody>")[1]
    html = client.get("/warehouse/stock", query_string={"q": boxes.code, "sold_out": "1"}).get_data(as_text=True)
    body = html.split("<tbody>")[1]
    assert boxes.code in body and "text-bg-secondary" in body
    # The consumed bulk lot too; a lot with stock keeps its one row per place.
    html = client.get("/warehouse/stock", query_string={"q": bulk.code, "sold_out": "1"}).get_data(as_text=True)
    assert bulk.code in html.split("<tbody>")[1]
    rows, total = stock_rows({"sold_out": True, "lot_id": boxes.id})
    assert total == 1 and rows[0]["location_id"] is None and rows[0]["quantity"] == Decimal(0)
    assert rows[0]["expiry"] is None
    held, _n = stock_rows({"sold_out": True})
    plain, _m = stock_rows({})
    assert {(r["lot_id"], r["location_id"]) for r in plain} <= {(r["lot_id"], r["location_id"]) for r in held}
