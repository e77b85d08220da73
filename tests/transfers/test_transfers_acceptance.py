"""The issue's "done when", tried over HTTP as new users would."""
import subprocess
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.documents import document_labels
from models.ledger import available, integrity_mismatches
from models.stock import StockMovement


def pdf_text(data, tmp_path):
    """The text of a PDF, through poppler's pdftotext."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_airport_replenishment_round_trip(app, api, auth, stock, ids, tmp_path):
    airport, wh = ids["SHOP-AIRPORT"], ids["WH-STOCK"]
    early = stock["early"]

    # The airport shop's cashier asks for 40 boxes of dates, on the page.
    cashier = auth.client_for("caissier")
    page = cashier.get("/transfers/requests")
    assert page.status_code == 200
    response = cashier.post("/transfers/requests", data={
        "shop_id": airport, "lines-0-product_id": ids["dates"], "lines-0-quantity": "40",
        "note": "Vol du soir"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    listed = api("caissier", "GET", "/api/v1/replenishment-requests").get_json()["items"]
    assert len(listed) == 1 and listed[0]["state"] == "open"
    request_id = listed[0]["id"]

    # An operator fulfils it: the earliest-expiring good lot is proposed, the expired one skipped.
    result = api("operateur", "POST", f"/api/v1/replenishment-requests/{request_id}/fulfil", {})
    assert result.status_code == 201, result.get_json()
    transfer = result.get_json()["transfer"]
    assert [(line["lot_id"], line["quantity"]) for line in transfer["lines"]] == [(early, "40.000")]
    assert transfer["state"] == "draft" and transfer["number"].startswith("TR-")
    assert result.get_json()["shortages"] == []
    tid = transfer["id"]

    dispatched = api("operateur", "POST", f"/api/v1/transfers/{tid}/dispatch")
    assert dispatched.status_code == 200 and dispatched.get_json()["state"] == "dispatched"
    assert available(early, wh) == Decimal("10") and available(early, ids["TRANSIT"]) == Decimal("40")

    # The delivery note prints and names the lot.
    note = api("operateur", "GET", f"/api/v1/transfers/{tid}/delivery-note.pdf")
    assert note.status_code == 200 and note.mimetype == "application/pdf"
    assert note.data.startswith(b"%PDF")
    text = pdf_text(note.data, tmp_path)
    assert "DAT-L-001" in text and transfer["number"] in text

    # The shop sees it on its way, then receives 39 and records 1 broken.
    stock_page = cashier.get("/transfers/shop-stock").get_data(as_text=True)
    assert transfer["number"] in stock_page
    received = api("caissier", "POST", f"/api/v1/transfers/{tid}/receive", {"lines": [
        {"lot_id": early, "quantity_received": "39", "reason": "1 boîte cassée"}]})
    assert received.status_code == 200, received.get_json()
    assert received.get_json()["lines"][0]["loss_reason"] == "1 boîte cassée"
    assert available(early, airport) == Decimal("39")
    assert available(early, ids["LOSS"]) == Decimal("1")
    assert available(early, ids["TRANSIT"]) == Decimal("0")

    # 5 go back to the warehouse: the cashier drafts and dispatches a return, an operator receives.
    ret = api("caissier", "POST", "/api/v1/transfers", {
        "from_location_id": airport, "to_location_id": wh,
        "lines": [{"lot_id": early, "quantity": "5"}]})
    assert ret.status_code == 201, ret.get_json()
    assert ret.get_json()["kind"] == "return"
    rid = ret.get_json()["id"]
    assert api("caissier", "POST", f"/api/v1/transfers/{rid}/dispatch").status_code == 200
    assert api("operateur", "POST", f"/api/v1/transfers/{rid}/receive", {}).status_code == 200
    assert available(early, airport) == Decimal("34") and available(early, wh) == Decimal("15")

    # A count at the shop finds one box missing and posts it.
    count = api("caissier", "POST", "/api/v1/stock-counts", {"location_id": airport})
    assert count.status_code == 201, count.get_json()
    cid = count.get_json()["id"]
    assert [(line["lot_id"], line["expected"]) for line in count.get_json()["lines"]] == [(early, "34.000")]
    sheet = api("caissier", "GET", f"/api/v1/stock-counts/{cid}/sheet.pdf")
    assert sheet.data.startswith(b"%PDF") and "DAT-L-001" in pdf_text(sheet.data, tmp_path)
    response = cashier.post(f"/transfers/counts/{cid}", data={f"counted-{early}": "33",
                                                              "next": "differences"})
    assert response.status_code == 302
    report = cashier.get(f"/transfers/counts/{cid}/differences").get_data(as_text=True)
    assert "-1" in report
    posted = cashier.post(f"/transfers/counts/{cid}/differences", data={"reason": "Inventaire mensuel"})
    assert posted.status_code == 302
    assert available(early, airport) == Decimal("33")
    assert available(early, ids["ADJUSTMENT"]) == Decimal("1")

    # The stock views agree.
    stock_api = api("caissier", "GET", f"/api/v1/stock?location_id={airport}").get_json()["items"]
    assert [(i["lot_id"], i["quantity"]) for i in stock_api] == [(early, "33.000")]
    shop_api = api("caissier", "GET", "/api/v1/shop-stock").get_json()
    assert [(i["lot_id"], i["quantity"]) for i in shop_api["on_hand"]] == [(early, "33.000")]
    assert shop_api["incoming"] == []
    assert ">33<" in cashier.get("/transfers/shop-stock").get_data(as_text=True).replace(" ", "")

    # Each step is in the lot's history, labelled by document.
    history = db.session.execute(select(StockMovement).where(StockMovement.lot_id == early)
                                 .order_by(StockMovement.id)).scalars().all()
    assert [m.kind for m in history] == ["reception", "dispatch", "receipt", "loss", "return",
                                         "receipt", "count_adjustment"]
    assert {m.document_type for m in history[1:]} == {"transfer", "stock_count"}
    assert all(m.user_id for m in history[1:])
    assert history[3].note == "1 boîte cassée" and history[6].note == "Inventaire mensuel"
    labels = document_labels("transfer", [tid])
    assert labels[tid]["label"] == transfer["number"]
    assert document_labels("stock_count", [cid])[cid]["label"].startswith("INV-")
    assert integrity_mismatches() == []
    runner = app.test_cli_runner()
    assert runner.invoke(args=["integrity-check"]).exit_code == 0
