"""Stock views (FEFO, filters, expiry warnings, CSV), the lot page and the recall forward to
every unit, place and sale, and back to the reception."""
from datetime import timedelta
from decimal import Decimal

from extensions import db
from models.clock import today as local_today
from models.documents import register_document_type
from models.ledger import move
from models.masterdata import virtual_location
from models.warehouse_packaging import package
from models.warehouse_receptions import receive
from tests.warehouse.conftest import client_as, forget_user


def _setup(ids):
    """Dates received and packaged into two box lots; some boxes dispatched, in transit, sold."""
    today = local_today()
    rec = receive(cooperative_id=ids["figuig"], location_id=ids["pack"], lines=[
        {"product_id": ids["dates"], "quantity_delivered": "100", "quantity_accepted": "100",
         "best_before": (today + timedelta(days=200)).isoformat()},
        {"product_id": ids["oil"], "quantity_delivered": "30", "quantity_accepted": "30",
         "best_before": (today + timedelta(days=10)).isoformat()},
        {"product_id": ids["dates"], "quantity_delivered": "5", "quantity_accepted": "5",
         "best_before": (today - timedelta(days=1)).isoformat()}])
    bulk = rec.lines[0].lot_id
    run1 = package(location_id=ids["pack"], inputs=[{"lot_id": bulk, "quantity": "20"}],
                   output_product_id=ids["box500"], output_units=40)
    run2 = package(location_id=ids["pack"], inputs=[{"lot_id": bulk, "quantity": "10"}],
                   output_product_id=ids["bf500"], output_units=20)
    shop, transit, customers = ids["shop"], virtual_location("TRANSIT").id, virtual_location("CUSTOMERS").id
    move(run1.output_lot_id, 10, ids["pack"], shop, kind="dispatch")
    move(run1.output_lot_id, 5, ids["pack"], transit, kind="dispatch")
    move(run1.output_lot_id, 3, shop, customers, kind="sale", document_type="sale", document_id=77)
    move(run2.output_lot_id, 2, ids["pack"], shop, kind="dispatch")
    move(run2.output_lot_id, 1, shop, customers, kind="sale", document_type="sale", document_id=78)
    db.session.commit()
    return rec, run1, run2


def test_stock_page_fefo_filters_warnings_and_csv(app, auth, ids):
    rec, run1, _run2 = _setup(ids)
    client = client_as(auth, "operateur")
    html = client.get("/warehouse/stock").get_data(as_text=True)
    expired, oil, bulk = (ln.lot.code for ln in (rec.lines[2], rec.lines[1], rec.lines[0]))
    assert html.index(expired) < html.index(oil) < html.index(bulk)  # first-expired first
    assert 'class="expired"' in html and 'class="expiring"' in html
    html = client.get("/warehouse/stock?days=5").get_data(as_text=True)
    assert 'class="expiring"' not in html  # 10 days away is not "soon" with a 5-day warning
    html = client.get(f"/warehouse/stock?location_id={ids['shop']}").get_data(as_text=True)
    assert run1.output_lot.code in html and bulk not in html
    html = client.get(f"/warehouse/stock?product_id={ids['oil']}").get_data(as_text=True)
    assert oil in html and bulk not in html
    html = client.get(f"/warehouse/stock?cooperative_id={ids['taourirt']}").get_data(as_text=True)
    assert bulk not in html
    html = client.get("/warehouse/stock?expiring=1").get_data(as_text=True)
    assert expired in html and oil in html and bulk not in html
    # A page's CSV is a French spreadsheet: ";" between fields, decimal comma, French headers.
    csv_text = client.get("/warehouse/stock?format=csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffLot;Référence;Produit;")
    assert f"{bulk};DAT-AZ-VRAC" in csv_text and "WH-PACK;70,000;kg" in csv_text
    assert "TRANSIT" in csv_text  # real locations include transit
    # The data dialect on request (what the API gives).
    data = client.get("/warehouse/stock?format=csv&sheet=0").get_data(as_text=True)
    assert data.startswith("\ufefflot,product_sku,") and "WH-PACK,70.000,kg" in data
    assert client.get("/warehouse/").status_code == 200
    forget_user()
    assert client_as(auth, "caissier").get("/warehouse/stock").status_code == 403


def test_lot_page_shows_genealogy_and_history(app, auth, ids):
    rec, run1, run2 = _setup(ids)
    client = client_as(auth, "operateur")
    html = client.get(f"/warehouse/lots/{rec.lines[0].lot_id}").get_data(as_text=True)
    assert run1.output_lot.code in html and run2.output_lot.code in html
    assert rec.number in html and run1.number in html
    html = client.get(f"/warehouse/lots/{run1.output_lot_id}").get_data(as_text=True)
    assert rec.lines[0].lot.code in html and "sale #77" in html
    assert client.get("/warehouse/lots/999999").status_code == 404


def test_recall_forward_and_backward(app, auth, ids):
    register_document_type("sale", lambda sale_ids: {i: {"label": f"T-{i:05d}", "url": None} for i in sale_ids})
    rec, run1, run2 = _setup(ids)
    # A second generation: boxes repacked into a gift lot (genealogy two levels deep).
    bulk = rec.lines[0].lot_id
    r = app.test_client().get(f"/api/v1/lots/{bulk}/recall", headers=auth.headers("operateur")).get_json()
    lots = {x["lot_code"]: x for x in r["lots"]}
    box = lots[run1.output_lot.code]
    assert (box["on_hand"], box["in_transit"], box["sold"]) == ("32.000", "5.000", "3.000")
    assert lots[run2.output_lot.code]["sold"] == "1.000"
    assert {s["document"] for s in r["sales"]} == {"T-00077", "T-00078"}
    assert {s["shop_code"] for s in r["sales"]} == {"SHOP-AIRPORT"}
    assert any(b["location_kind"] == "transit" and b["quantity"] == "5.000" for b in r["balances"])
    assert r["origins"][0]["reception_number"] == rec.number and r["cooperative_id"] == ids["figuig"]
    # Backward from a unit lot: its reception and cooperative.
    forget_user()
    r = app.test_client().get(f"/api/v1/lots/{run1.output_lot_id}/recall",
                              headers=auth.headers("operateur")).get_json()
    assert r["origins"][0]["lot_id"] == bulk
    forget_user()
    client = client_as(auth, "operateur")
    html = client.get(f"/warehouse/lots/{bulk}/recall").get_data(as_text=True)
    assert "T-00077" in html and run1.output_lot.code in html and rec.number in html
    csv_text = client.get(f"/warehouse/lots/{bulk}/recall?format=csv").get_data(as_text=True)
    assert "Vente;" in csv_text and "T-00078" in csv_text and "Origine;" in csv_text
    assert "sale," not in csv_text and "origin;" not in csv_text
    forget_user()
    assert client_as(auth, "coop.figuig").get(f"/warehouse/lots/{bulk}/recall").status_code == 403


def test_recall_query_count_does_not_grow_with_lots(app, ids):
    """The recall walks the genealogy in SQL: the number of queries stays flat."""
    from sqlalchemy import event

    from models.stock_traceability import recall
    from models.stock import Lot

    rec, _r1, _r2 = _setup(ids)
    bulk = db.session.get(Lot, rec.lines[0].lot_id)
    statements = []
    listener = lambda *a, **k: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        recall(bulk)
        few = len(statements)
        for _ in range(5):
            package(location_id=ids["pack"], inputs=[{"lot_id": bulk.id, "quantity": "1"}],
                    output_product_id=ids["box500"], output_units=2)
        db.session.commit()
        db.session.expire_all()
        statements.clear()
        recall(db.session.get(Lot, bulk.id))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= few + 2, (few, len(statements))
    assert Decimal(1)


def test_stock_count_is_the_count_of_the_rows(app, ids):
    """stock_rows' total (stock_count: the holdings alone when no filter needs the lot) is the
    number of rows stock_query gives, for every kind of filter; and the page is first-expired
    first (ix_lots_fefo's order) with or without a limit."""
    from sqlalchemy import func, select

    from models.stock_traceability import stock_count, stock_query, stock_rows

    rec, run1, _run2 = _setup(ids)
    today = local_today()
    cases = [{}, {"location_id": ids["shop"]}, {"location_id": ids["pack"]}, {"lot_id": run1.output_lot_id},
             {"product_id": ids["oil"]}, {"cooperative_id": ids["figuig"]}, {"q": "x"},
             {"expiring_before": today + timedelta(days=30)}, {"sold_out": True},
             {"sold_out": True, "location_id": ids["shop"]}, {"location_id": ids["shop"], "lot_id": run1.output_lot_id}]
    for filters in cases:
        full = db.session.execute(select(func.count()).select_from(stock_query(filters).order_by(None).subquery())).scalar()
        assert db.session.execute(stock_count(filters)).scalar() == full, filters
        rows, total = stock_rows(filters)
        assert total == full == len(rows), filters
        first, _total = stock_rows(filters, limit=2)
        assert first == rows[:2], filters
    assert stock_rows({})[1] > 0
