"""Transfers over the API: every 409, every bad input, role and shop refusals."""
from decimal import Decimal

import pytest

from extensions import db
from models.ledger import available, integrity_mismatches, move


def draft(api, ids, stock, qty="10", lot="early", src="WH-STOCK", dst="SHOP-AIRPORT", user="operateur"):
    """POST a draft transfer; returns the response."""
    return api(user, "POST", "/api/v1/transfers", {
        "from_location_id": ids[src], "to_location_id": ids[dst],
        "lines": [{"lot_id": stock[lot], "quantity": qty}]})


def code(response):
    """The error code of an API answer."""
    return response.get_json()["error"]["code"]


def test_create_returns_draft_with_readable_sequential_numbers(api, stock, ids):
    first, second = draft(api, ids, stock), draft(api, ids, stock, lot="late")
    assert first.status_code == 201 and second.status_code == 201
    a, b = first.get_json(), second.get_json()
    assert a["state"] == "draft" and a["kind"] == "transfer"
    year = a["created_at"][:4]
    assert (a["number"], b["number"]) == (f"TR-{year}-00001", f"TR-{year}-00002")
    assert a["lines"][0]["quantity"] == "10.000" and a["lines"][0]["lot_code"] == "DAT-L-001"
    assert available(stock["early"], ids["WH-STOCK"]) == Decimal("50")  # nothing moves yet


@pytest.mark.parametrize("payload, field", [
    ({"to_location_id": 1, "lines": []}, "from_location_id"),
    ({"from_location_id": "x", "to_location_id": 1, "lines": [{"lot_id": 1, "quantity": "1"}]}, "from_location_id"),
    ({"from_location_id": 1, "to_location_id": 2, "lines": [{"lot_id": 1, "quantity": "abc"}]}, "lines"),
    ({"from_location_id": 1, "to_location_id": 2, "lines": [{"lot_id": 1, "quantity": "NaN"}]}, "lines"),
    ({"from_location_id": 1, "to_location_id": 2, "lines": []}, "lines"),
    ({"from_location_id": 1, "to_location_id": 2, "lines": [{"lot_id": 1, "quantity": "1"}], "colour": "red"}, "colour"),
    ({"from_location_id": 1, "to_location_id": 2, "kind": "teleport", "lines": [{"lot_id": 1, "quantity": "1"}]}, "kind"),
])
def test_malformed_bodies_are_422(api, payload, field):
    response = api("operateur", "POST", "/api/v1/transfers", payload)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_business_validation_is_422_and_writes_nothing(api, stock, ids):
    def post(lines, src="WH-STOCK", dst="SHOP-AIRPORT", **extra):
        return api("operateur", "POST", "/api/v1/transfers", {
            "from_location_id": ids.get(src, src), "to_location_id": ids.get(dst, dst),
            "lines": lines, **extra})

    good = {"lot_id": stock["early"], "quantity": "1"}
    cases = [
        post([{"lot_id": 999999, "quantity": "1"}]),                      # unknown lot
        post([{"lot_id": stock["early"], "quantity": "0"}]),              # zero
        post([{"lot_id": stock["early"], "quantity": "-3"}]),             # negative
        post([good, good]),                                               # lot twice
        post([good], dst="WH-STOCK"),                                     # same location
        post([good], src="TRANSIT"),                                      # virtual source
        post([good], dst=999999),                                         # unknown destination
        post([good], src="WH-STOCK", dst="SHOP-AIRPORT", kind="return"),  # return must be shop → warehouse
    ]
    assert [r.status_code for r in cases] == [422] * len(cases), [r.get_json() for r in cases]
    assert cases[0].get_json()["error"]["fields"]["lines"]["0"]["lot_id"]
    assert code(cases[7]) == "bad_return"
    assert api("operateur", "GET", "/api/v1/transfers").get_json()["total"] == 0


def test_more_than_on_hand_and_expired_lots_are_409(api, stock, ids):
    too_much = draft(api, ids, stock, qty="50.001")
    assert too_much.status_code == 409 and code(too_much) == "insufficient_stock"
    assert too_much.get_json()["error"]["fields"]["lines"]["0"]["quantity"]
    expired = draft(api, ids, stock, lot="expired", qty="1")
    assert expired.status_code == 409 and code(expired) == "expired_lot"
    assert "DAT-L-EXP" in expired.get_json()["error"]["message"]


def test_dispatch_moves_to_transit_and_twice_is_409(api, stock, ids):
    tid = draft(api, ids, stock).get_json()["id"]
    ok = api("operateur", "POST", f"/api/v1/transfers/{tid}/dispatch")
    assert ok.status_code == 200 and ok.get_json()["state"] == "dispatched"
    assert available(stock["early"], ids["TRANSIT"]) == Decimal("10")
    again = api("operateur", "POST", f"/api/v1/transfers/{tid}/dispatch")
    assert again.status_code == 409 and code(again) == "already_dispatched"
    assert available(stock["early"], ids["TRANSIT"]) == Decimal("10")
    for method, url, body in (("PUT", "", {"lines": [{"lot_id": stock["early"], "quantity": "1"}]}),
                              ("PATCH", "", {"note": "x"}), ("POST", "/cancel", None)):
        refused = api("operateur", method, f"/api/v1/transfers/{tid}{url}", body)
        assert refused.status_code == 409 and code(refused) == "already_dispatched"


def test_dispatch_refused_when_stock_left_meanwhile(api, stock, ids):
    tid = draft(api, ids, stock, qty="40").get_json()["id"]
    move(stock["early"], Decimal("20"), ids["WH-STOCK"], ids["STAND-OUJDA"], kind="dispatch")
    db.session.commit()
    response = api("operateur", "POST", f"/api/v1/transfers/{tid}/dispatch")
    assert response.status_code == 409 and code(response) == "insufficient_stock"
    assert api("operateur", "GET", f"/api/v1/transfers/{tid}").get_json()["state"] == "draft"


def test_draft_edit_and_cancel(api, stock, ids):
    tid = draft(api, ids, stock).get_json()["id"]
    edited = api("operateur", "PUT", f"/api/v1/transfers/{tid}", {"lines": [
        {"lot_id": stock["late"], "quantity": "12"}, {"lot_id": stock["early"], "quantity": "3"}]})
    assert edited.status_code == 200, edited.get_json()
    assert [(l["lot_id"], l["quantity"]) for l in edited.get_json()["lines"]] == [
        (stock["late"], "12.000"), (stock["early"], "3.000")]
    patched = api("operateur", "PATCH", f"/api/v1/transfers/{tid}", {"to_location_id": ids["STAND-OUJDA"],
                                                                    "note": "Stand"})
    assert patched.get_json()["to_location_id"] == ids["STAND-OUJDA"] and patched.get_json()["note"] == "Stand"
    bad = api("operateur", "PATCH", f"/api/v1/transfers/{tid}", {"lines": [{"lot_id": stock["late"], "quantity": "0"}]})
    assert bad.status_code == 422
    cancelled = api("operateur", "POST", f"/api/v1/transfers/{tid}/cancel")
    assert cancelled.get_json()["state"] == "cancelled"
    for url in ("/dispatch", "/cancel"):
        refused = api("operateur", "POST", f"/api/v1/transfers/{tid}{url}")
        assert refused.status_code == 409 and code(refused) == "transfer_cancelled"
    refused = api("operateur", "POST", f"/api/v1/transfers/{tid}/receive", {})
    assert refused.status_code == 409 and code(refused) == "transfer_cancelled"
    assert api("operateur", "PATCH", f"/api/v1/transfers/{tid}", {"note": "x"}).status_code == 409


def test_receive_rules(api, stock, ids):
    tid = draft(api, ids, stock).get_json()["id"]
    early = stock["early"]
    before = api("caissier", "POST", f"/api/v1/transfers/{tid}/receive", {})
    assert before.status_code == 409 and code(before) == "not_dispatched"
    api("operateur", "POST", f"/api/v1/transfers/{tid}/dispatch")

    def receive(lines):
        return api("caissier", "POST", f"/api/v1/transfers/{tid}/receive", {"lines": lines})

    over = receive([{"lot_id": early, "quantity_received": "11"}])
    assert over.status_code == 409 and code(over) == "over_received"
    assert over.get_json()["error"]["fields"]["lines"]["0"]["quantity_received"]
    for lines in ([{"lot_id": early, "quantity_received": "9"}],                     # short, no reason
                  [{"lot_id": stock["late"], "quantity_received": "1"}],             # not on transfer
                  [{"lot_id": early, "quantity_received": "-1", "reason": "x"}],     # negative
                  [{"lot_id": early, "quantity_received": "abc"}],                   # not a number
                  [{"lot_id": early, "quantity_received": "10"}, {"lot_id": early, "quantity_received": "10"}]):
        response = receive(lines)
        assert response.status_code == 422, (lines, response.get_json())
    assert available(early, ids["SHOP-AIRPORT"]) == 0
    ok = receive([{"lot_id": early, "quantity_received": "0", "reason": "Carton volé"}])
    assert ok.status_code == 200
    assert ok.get_json()["lines"][0]["quantity_received"] == "0.000"
    assert available(early, ids["LOSS"]) == Decimal("10") and available(early, ids["SHOP-AIRPORT"]) == 0
    twice = receive([])
    assert twice.status_code == 409 and code(twice) == "already_received"
    assert integrity_mismatches() == []


def test_unknown_transfer_is_404(api):
    for method, url in (("GET", ""), ("POST", "/dispatch"), ("POST", "/receive"), ("PATCH", ""),
                        ("GET", "/delivery-note.pdf")):
        response = api("operateur", method, f"/api/v1/transfers/4242{url}", {} if method != "GET" else None)
        assert response.status_code == 404, (url, response.status_code)


def test_roles_and_shops(api, stock, ids):
    tid = draft(api, ids, stock).get_json()["id"]
    assert api("coop.figuig", "GET", "/api/v1/transfers").status_code == 403
    assert api("coop.figuig", "POST", f"/api/v1/transfers/{tid}/dispatch").status_code == 403
    # The airport cashier sees the transfer, but only operators dispatch it.
    assert api("caissier", "GET", f"/api/v1/transfers/{tid}").status_code == 200
    assert api("caissier", "POST", f"/api/v1/transfers/{tid}/dispatch").status_code == 403
    assert api("caissier", "PATCH", f"/api/v1/transfers/{tid}", {"note": "x"}).status_code == 403
    # The stands' cashier neither sees nor receives it.
    assert api("caissier.stand", "GET", f"/api/v1/transfers/{tid}").status_code == 403
    assert api("caissier.stand", "GET", "/api/v1/transfers").get_json()["total"] == 0
    api("operateur", "POST", f"/api/v1/transfers/{tid}/dispatch")
    assert api("caissier.stand", "POST", f"/api/v1/transfers/{tid}/receive", {}).status_code == 403
    # A cashier drafts no transfer out of the warehouse, nor between shops.
    assert draft(api, ids, stock, user="caissier").status_code == 403
    assert api("caissier", "POST", f"/api/v1/transfers/{tid}/receive", {}).status_code == 200
    assert draft(api, ids, stock, qty="1", src="SHOP-AIRPORT", dst="STAND-OUJDA",
                 user="caissier").status_code == 403
    ret = draft(api, ids, stock, qty="1", src="SHOP-AIRPORT", dst="WH-STOCK", user="caissier")
    assert ret.status_code == 201 and ret.get_json()["kind"] == "return"
    rid = ret.get_json()["id"]
    # A return may not be turned into a shop-to-shop transfer by its cashier.
    assert api("caissier", "PATCH", f"/api/v1/transfers/{rid}",
               {"to_location_id": ids["STAND-OUJDA"]}).status_code == 403
    assert api("caissier.stand", "POST", f"/api/v1/transfers/{rid}/dispatch").status_code == 403


def test_return_movements_are_kind_return_then_receipt(api, stock, ids):
    from sqlalchemy import select

    from models.stock import StockMovement

    move(stock["late"], Decimal("8"), ids["WH-STOCK"], ids["SHOP-AIRPORT"], kind="dispatch")
    db.session.commit()
    rid = draft(api, ids, stock, qty="8", lot="late", src="SHOP-AIRPORT", dst="WH-PACK",
                user="caissier").get_json()["id"]
    api("caissier", "POST", f"/api/v1/transfers/{rid}/dispatch")
    api("operateur", "POST", f"/api/v1/transfers/{rid}/receive", {})
    kinds = db.session.execute(select(StockMovement.kind).where(
        StockMovement.document_type == "transfer", StockMovement.document_id == rid)
        .order_by(StockMovement.id)).scalars().all()
    assert kinds == ["return", "receipt"]
    assert available(stock["late"], ids["WH-PACK"]) == Decimal("8")


def test_transfers_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/transfers", "/api/v1/transfers/{transfer_id}/dispatch",
                 "/api/v1/transfers/{transfer_id}/receive", "/api/v1/replenishment-requests",
                 "/api/v1/stock-counts/{count_id}/post", "/api/v1/cooperative-returns",
                 "/api/v1/transfers/{transfer_id}/delivery-note.pdf", "/api/v1/shop-stock"):
        assert path in spec["paths"], path
    assert "409" in spec["paths"]["/api/v1/transfers/{transfer_id}/dispatch"]["post"]["responses"]
