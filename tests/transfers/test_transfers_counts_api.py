"""Replenishment requests, stock counts, returns to cooperatives and shop stock over the API."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.ledger import available, integrity_mismatches, move
from models.stock import StockMovement
from tests.transfers.transfer_helpers import TODAY, make_lot


def code(response):
    """The error code of an API answer."""
    return response.get_json()["error"]["code"]


def ask(api, ids, qty="40", user="caissier", shop="SHOP-AIRPORT", product="dates"):
    """POST a replenishment request."""
    return api(user, "POST", "/api/v1/replenishment-requests", {
        "shop_id": ids[shop], "lines": [{"product_id": ids[product], "quantity": qty}]})


def test_request_validation_and_scope(api, ids):
    assert ask(api, ids, qty="0").status_code == 422
    assert ask(api, ids, qty="x").status_code == 422
    unknown = api("caissier", "POST", "/api/v1/replenishment-requests", {
        "shop_id": ids["SHOP-AIRPORT"], "lines": [{"product_id": 99999, "quantity": "1"}]})
    assert unknown.status_code == 422 and unknown.get_json()["error"]["fields"]["lines"]["0"]["product_id"]
    twice = api("caissier", "POST", "/api/v1/replenishment-requests", {
        "shop_id": ids["SHOP-AIRPORT"], "lines": [{"product_id": ids["dates"], "quantity": "1"},
                                                  {"product_id": ids["dates"], "quantity": "2"}]})
    assert twice.status_code == 422
    warehouse = api("operateur", "POST", "/api/v1/replenishment-requests", {
        "shop_id": ids["WH-STOCK"], "lines": [{"product_id": ids["dates"], "quantity": "1"}]})
    assert warehouse.status_code == 422  # only shops ask
    assert ask(api, ids, shop="STAND-OUJDA").status_code == 403  # not the airport cashier's shop
    assert ask(api, ids, user="coop.figuig").status_code == 403
    rid = ask(api, ids).get_json()["id"]
    assert api("caissier.stand", "GET", f"/api/v1/replenishment-requests/{rid}").status_code == 403
    assert api("caissier.stand", "GET", "/api/v1/replenishment-requests").get_json()["total"] == 0
    assert api("caissier", "POST", f"/api/v1/replenishment-requests/{rid}/fulfil", {}).status_code == 403
    assert api("operateur", "GET", "/api/v1/replenishment-requests/999").status_code == 404


def test_fulfil_fefo_across_lots_with_shortage(api, stock, ids):
    rid = ask(api, ids, qty="170").get_json()["id"]
    result = api("operateur", "POST", f"/api/v1/replenishment-requests/{rid}/fulfil", {})
    assert result.status_code == 201
    body = result.get_json()
    # Earliest good lot first, then the later one; the expired lot is never proposed.
    assert [(l["lot_id"], l["quantity"]) for l in body["transfer"]["lines"]] == [
        (stock["early"], "50.000"), (stock["late"], "100.000")]
    assert body["shortages"] == [{"product_id": ids["dates"], "quantity": "20.000"}]
    assert body["request"]["state"] == "fulfilled" and body["request"]["transfer_id"] == body["transfer"]["id"]
    again = api("operateur", "POST", f"/api/v1/replenishment-requests/{rid}/fulfil", {})
    assert again.status_code == 409 and code(again) == "request_not_open"
    assert api("caissier", "POST", f"/api/v1/replenishment-requests/{rid}/cancel").status_code == 409
    # Cancelling the draft transfer opens the request again.
    api("operateur", "POST", f"/api/v1/transfers/{body['transfer']['id']}/cancel")
    assert api("operateur", "GET", f"/api/v1/replenishment-requests/{rid}").get_json()["state"] == "open"


def test_fulfil_without_stock_is_409_and_from_a_chosen_zone(api, stock, ids):
    rid = ask(api, ids, product="oil", qty="5").get_json()["id"]
    empty = api("operateur", "POST", f"/api/v1/replenishment-requests/{rid}/fulfil",
                {"from_location_id": ids["WH-PACK"]})
    assert empty.status_code == 409 and code(empty) == "no_stock"
    shop = api("operateur", "POST", f"/api/v1/replenishment-requests/{rid}/fulfil",
               {"from_location_id": ids["STAND-OUJDA"]})
    assert shop.status_code == 422
    ok = api("operateur", "POST", f"/api/v1/replenishment-requests/{rid}/fulfil", {})
    assert ok.status_code == 201 and ok.get_json()["transfer"]["from_location_id"] == ids["WH-STOCK"]
    cancelled = ask(api, ids, qty="1").get_json()["id"]
    assert api("caissier", "POST", f"/api/v1/replenishment-requests/{cancelled}/cancel").get_json()["state"] == "cancelled"
    refused = api("operateur", "POST", f"/api/v1/replenishment-requests/{cancelled}/fulfil", {})
    assert refused.status_code == 409 and code(refused) == "request_not_open"


def test_count_keeps_movements_made_during_the_count(api, stock, ids):
    wh, early = ids["WH-STOCK"], stock["early"]
    count = api("operateur", "POST", "/api/v1/stock-counts", {"location_id": wh}).get_json()
    # The snapshot holds every lot on hand, expired included.
    assert {l["lot_id"]: l["expected"] for l in count["lines"]} == {
        stock["expired"]: "10.000", early: "50.000", stock["late"]: "100.000", stock["oil"]: "30.000"}
    again = api("operateur", "POST", "/api/v1/stock-counts", {"location_id": wh})
    assert again.status_code == 409 and code(again) == "count_already_open"
    # While the count is under way, 5 boxes leave the warehouse.
    move(early, Decimal("5"), wh, ids["SHOP-AIRPORT"], kind="dispatch")
    db.session.commit()
    cid = count["id"]
    found = make_lot("DAT-L-FOUND", "DAT-AZ-500", "ODCO-2008-0412", TODAY + timedelta(days=90), 0)
    db.session.commit()
    recorded = api("operateur", "PUT", f"/api/v1/stock-counts/{cid}/lines", {"lines": [
        {"lot_id": early, "counted": "48", "note": "2 cartons écrasés"},
        {"lot_id": stock["expired"], "counted": "10"},
        {"lot_id": found.id, "counted": "3"}]})
    assert recorded.status_code == 200, recorded.get_json()
    lines = {l["lot_id"]: l for l in recorded.get_json()["lines"]}
    assert lines[early]["difference"] == "-2.000" and lines[early]["moved_since_snapshot"] is True
    assert lines[found.id]["expected"] == "0.000" and lines[found.id]["difference"] == "3.000"
    assert lines[stock["late"]]["counted"] is None
    posted = api("operateur", "POST", f"/api/v1/stock-counts/{cid}/post", {"reason": "Inventaire annuel"})
    assert posted.status_code == 200 and posted.get_json()["state"] == "posted"
    # 50 − 5 moved − 2 missing: the sale during the count is not overwritten.
    assert available(early, wh) == Decimal("43")
    assert available(found.id, wh) == Decimal("3")
    assert available(stock["late"], wh) == Decimal("100")  # not counted: untouched
    adjustments = db.session.execute(select(StockMovement).where(
        StockMovement.kind == "count_adjustment")).scalars().all()
    assert sorted((m.lot_id, m.quantity, m.to_location_id == wh) for m in adjustments) == sorted(
        [(early, Decimal("2"), False), (found.id, Decimal("3"), True)])
    assert all(m.user_id and m.document_type == "stock_count" for m in adjustments)
    assert adjustments[0].note.startswith("Inventaire annuel")
    twice = api("operateur", "POST", f"/api/v1/stock-counts/{cid}/post", {"reason": "x"})
    assert twice.status_code == 409 and code(twice) == "count_posted"
    closed = api("operateur", "PUT", f"/api/v1/stock-counts/{cid}/lines", {"lines": [{"lot_id": early, "counted": "1"}]})
    assert closed.status_code == 409
    assert integrity_mismatches() == []


def test_count_bad_input(api, stock, ids):
    cid = api("caissier", "POST", "/api/v1/stock-counts", {"location_id": ids["SHOP-AIRPORT"]}).get_json()["id"]
    put = lambda lines: api("caissier", "PUT", f"/api/v1/stock-counts/{cid}/lines", {"lines": lines})  # noqa: E731
    assert put([{"lot_id": stock["early"], "counted": "-1"}]).status_code == 422
    assert put([{"lot_id": 99999, "counted": "1"}]).status_code == 422
    assert put([{"lot_id": stock["early"], "counted": "abc"}]).status_code == 422
    assert put([]).status_code == 422
    assert api("caissier", "POST", f"/api/v1/stock-counts/{cid}/post", {}).status_code == 422
    nothing = api("caissier", "POST", f"/api/v1/stock-counts/{cid}/post", {"reason": "vide"})
    assert nothing.status_code == 422 and code(nothing) == "nothing_counted"
    assert api("caissier", "POST", "/api/v1/stock-counts", {"location_id": ids["STAND-OUJDA"]}).status_code == 403
    assert api("caissier.stand", "GET", f"/api/v1/stock-counts/{cid}").status_code == 403
    assert api("operateur", "POST", "/api/v1/stock-counts", {"location_id": ids["TRANSIT"]}).status_code == 422
    cancelled = api("caissier", "POST", f"/api/v1/stock-counts/{cid}/cancel")
    assert cancelled.get_json()["state"] == "cancelled"
    refused = put([{"lot_id": stock["early"], "counted": "1"}])
    assert refused.status_code == 409 and code(refused) == "count_cancelled"
    assert api("operateur", "GET", "/api/v1/stock-counts/999").status_code == 404


def test_return_to_cooperative(api, stock, ids, tmp_path):
    from tests.transfers.test_transfers_acceptance import pdf_text

    body = {"cooperative_id": ids["figuig"], "location_id": ids["WH-STOCK"], "reason": "DLUO proche",
            "lines": [{"lot_id": stock["expired"], "quantity": "10"}, {"lot_id": stock["early"], "quantity": "5"}]}
    wrong = api("operateur", "POST", "/api/v1/cooperative-returns", {**body, "lines": [
        {"lot_id": stock["oil"], "quantity": "1"}]})
    assert wrong.status_code == 422 and code(wrong) == "wrong_cooperative"
    short = api("operateur", "POST", "/api/v1/cooperative-returns", {**body, "lines": [
        {"lot_id": stock["early"], "quantity": "51"}]})
    assert short.status_code == 409 and code(short) == "insufficient_stock"
    assert api("operateur", "POST", "/api/v1/cooperative-returns", {**body, "reason": ""}).status_code == 422
    assert api("operateur", "POST", "/api/v1/cooperative-returns", {**body, "cooperative_id": 9999}).status_code == 422
    assert api("caissier", "POST", "/api/v1/cooperative-returns", body).status_code == 403
    ok = api("operateur", "POST", "/api/v1/cooperative-returns", body)
    assert ok.status_code == 201, ok.get_json()
    ret = ok.get_json()
    assert ret["number"].startswith("RC-") and ret["total_quantity"] == "15.000"
    assert available(stock["expired"], ids["WH-STOCK"]) == 0
    assert available(stock["early"], ids["WH-STOCK"]) == Decimal("45")
    kinds = db.session.execute(select(StockMovement.kind, StockMovement.to_location_id).where(
        StockMovement.document_type == "cooperative_return")).all()
    assert kinds == [("return_to_cooperative", ids["SUPPLIERS"])] * 2
    slip = api("operateur", "GET", f"/api/v1/cooperative-returns/{ret['id']}/slip.pdf")
    assert slip.status_code == 200 and slip.data.startswith(b"%PDF")
    text = pdf_text(slip.data, tmp_path)
    assert ret["number"] in text and "DAT-L-EXP" in text and "ODCO-2008-0412" in text
    assert api("operateur", "GET", "/api/v1/cooperative-returns").get_json()["total"] == 1
    assert integrity_mismatches() == []


def test_shop_stock_status_and_scope(api, stock, ids):
    airport = ids["SHOP-AIRPORT"]
    for lot, qty in (("expired", "2"), ("early", "3"), ("late", "4")):
        move(stock[lot], Decimal(qty), ids["WH-STOCK"], airport, kind="dispatch")
    db.session.commit()
    body = api("caissier", "GET", "/api/v1/shop-stock").get_json()
    assert [(r["lot_id"], r["status"]) for r in body["on_hand"]] == [
        (stock["expired"], "expired"), (stock["early"], "expiring"), (stock["late"], "ok")]
    assert api("caissier", "GET", f"/api/v1/shop-stock?location_id={ids['STAND-OUJDA']}").status_code == 403
    assert api("caissier.stand", "GET", "/api/v1/shop-stock").get_json()["on_hand"] == []
    assert api("coop.figuig", "GET", "/api/v1/shop-stock").status_code == 403
