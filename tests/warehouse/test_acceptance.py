"""The issue's "done when", through HTTP as a new user would: receive 100 kg of dates (2 kg
rejected with a reason), package 50 kg into 100 boxes of 500 g, print labels that decode,
see 48 kg and 100 boxes in stock, recall the bulk lot, and pass integrity-check."""
import csv
import io
import re

from sqlalchemy import select

from extensions import db
from models.stock import Lot
from tests.warehouse.conftest import product
from tests.warehouse.test_labels import decode_pdf


def test_dates_from_reception_to_recall(app, auth, ids, runner, tmp_path):
    api = auth.headers("operateur")
    client = app.test_client()
    r = client.post("/api/v1/receptions", headers=api, json={
        "cooperative_id": ids["figuig"], "location_id": ids["reception"],
        "lines": [{"product_id": ids["dates"], "quantity_delivered": "100",
                   "quantity_accepted": "98", "quantity_rejected": "2",
                   "rejection_reason": "Dattes abîmées par la pluie", "harvest_date": "2026-10-15"}]})
    assert r.status_code == 201, r.get_json()
    line = r.get_json()["lines"][0]
    bulk_id, bulk_code = line["lot_id"], line["lot_code"]
    assert re.fullmatch(r"DAT-\d{4}-\d{4,}", bulk_code)
    assert line["best_before"] == "2027-10-15"  # harvest + 365 days of shelf life
    receipt = client.get(f"/api/v1/receptions/{r.get_json()['id']}/receipt.pdf", headers=api)
    assert receipt.status_code == 200 and receipt.data.startswith(b"%PDF")

    r = client.post("/api/v1/packaging-runs", headers=api, json={
        "location_id": ids["reception"], "inputs": [{"lot_id": bulk_id, "quantity": "50"}],
        "output_product_id": ids["box500"], "output_units": 100, "waste_quantity": "0"})
    assert r.status_code == 201, r.get_json()
    run = r.get_json()
    box_id, box_code = run["output_lot_id"], run["output_lot_code"]
    assert run["yield_rate"] == "1.0000" and run["best_before"] == "2027-10-15"

    page = auth.client_for("operateur")
    gtin = product("DAT-AZ-500").gtin
    for layout in ("a4-3x8", "58x40"):
        pdf = page.get(f"/api/v1/lots/{box_id}/labels.pdf?copies=3&layout={layout}")
        assert pdf.status_code == 200
        found = decode_pdf(pdf.data, tmp_path / layout)
        assert found, "no barcode decoded"
        text = " ".join(found)
        assert f"01{'0' + gtin}17271015" in text and f"10{box_code}" in text and f"EAN-13:{gtin}" in text

    html = page.get(f"/warehouse/stock?cooperative_id={ids['figuig']}").get_data(as_text=True)
    assert bulk_code in html and box_code in html
    rows = list(csv.DictReader(io.StringIO(page.get(
        f"/warehouse/stock?format=csv&sheet=0&cooperative_id={ids['figuig']}").get_data(as_text=True).lstrip("\ufeff"))))
    by_lot = {row["lot"]: row for row in rows}
    assert by_lot[bulk_code]["quantity"] == "48.000" and by_lot[bulk_code]["location"] == "WH-RECEPTION"
    assert by_lot[box_code]["quantity"] == "100.000" and by_lot[box_code]["best_before"] == "2027-10-15"
    assert by_lot[box_code]["cooperative"] == "Coopérative Zenaga des dattes de Figuig"

    recall_html = page.get(f"/warehouse/lots/{bulk_id}/recall").get_data(as_text=True)
    assert box_code in recall_html and "Zenaga" in recall_html
    recall = client.get(f"/api/v1/lots/{bulk_id}/recall", headers=api).get_json()
    boxes = next(x for x in recall["lots"] if x["lot_code"] == box_code)
    assert boxes["on_hand"] == "100.000" and boxes["parent_lot_id"] == bulk_id
    assert recall["origins"][0]["lot_code"] == bulk_code

    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 0 and "ok" in result.output
    assert db.session.execute(select(Lot).where(Lot.id == box_id)).scalar_one().cooperative_id == ids["figuig"]
