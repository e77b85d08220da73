"""POST /sales: every refusal (403, 409, 422), idempotency, receipt numbers without gaps."""
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.shop.shop_helpers import FIGUIG, JERADA, coop, loc, product, sale_body
from sqlalchemy import func, select

from extensions import db
from models.clock import today as local_today
from models.consignment import ConsignmentEntry
from models.consignment_rates import commission_rate_for
from models.cooperatives import Cooperative
from models.sales_posting import frozen_rates
from models.sales import Sale, SaleLine
from models.stock import StockMovement

CASH_100 = [{"method": "cash", "amount": "100"}]


def post(client, headers, body):
    """POST /api/v1/sales."""
    return client.post("/api/v1/sales", json=body, headers=headers)


def test_no_open_till_is_409(client, cashier_headers, airport, shop_stock):
    r = post(client, cashier_headers, sale_body(airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "1"}], CASH_100))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_open_session"


def test_other_shop_and_other_roles_are_refused(client, auth, airport, shop_stock, open_till):
    body = sale_body(airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "1"}], CASH_100)
    assert post(client, auth.headers("caissier.stand"), body).status_code == 403
    assert post(client, auth.headers("operateur"), body).status_code == 403
    assert post(client, auth.headers("coop.figuig"), body).status_code == 403
    assert client.post("/api/v1/sales", json=body).status_code == 401
    assert db.session.execute(select(func.count(Sale.id))).scalar() == 0


def test_not_enough_stock_names_the_line_and_keeps_numbers_gapless(client, cashier_headers, airport,
                                                                   shop_stock, open_till):
    oil = shop_stock["oil"]  # 5 bottles
    ok = lambda ref: sale_body(airport.id, [{"lot_id": oil.id, "quantity": "1"}],
                               [{"method": "cash", "amount": "110"}], client_ref=ref)
    assert post(client, cashier_headers, ok("a")).get_json()["number"] == "AIR-000001"
    r = post(client, cashier_headers, sale_body(
        airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "1"},
                     {"lot_id": oil.id, "quantity": "5"}], [{"method": "cash", "amount": "1000"}], "b"))
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "insufficient_stock" and err["fields"]["line"] == 1
    assert oil.code in err["message"] and err["fields"]["available"] == "4.000"
    assert post(client, cashier_headers, ok("c")).get_json()["number"] == "AIR-000002"
    assert db.session.execute(select(func.count(StockMovement.id)).where(StockMovement.kind == "sale")).scalar() == 2


@pytest.mark.parametrize("payments,code", [
    ([{"method": "cash", "amount": "54.99"}], "payments_short"),
    ([{"method": "card", "amount": "56"}], "overpaid_noncash"),
    ([{"method": "card", "amount": "30"}, {"method": "mobile", "amount": "30"}], "overpaid_noncash"),
    ([], "payments_short"),
])
def test_payments_must_cover_and_only_cash_gives_change(client, cashier_headers, airport, shop_stock,
                                                       open_till, payments, code):
    r = post(client, cashier_headers, sale_body(airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "1"}], payments))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == code
    assert db.session.execute(select(func.count(Sale.id))).scalar() == 0


def test_split_payment_and_change(client, cashier_headers, airport, shop_stock, open_till):
    r = post(client, cashier_headers, sale_body(airport.id, [{"lot_id": shop_stock["oil"].id, "quantity": "2"}],
                                                [{"method": "card", "amount": "150"}, {"method": "mobile", "amount": "50"},
                                                 {"method": "cash", "amount": "50"}]))
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["total"], r.get_json()["change"]) == ("220.00", "30.00")


def test_discount_within_the_limit(client, cashier_headers, airport, shop_stock, open_till):
    line = {"lot_id": shop_stock["oil"].id, "quantity": "2"}  # 220.00, limit 20 % = 44.00
    r = post(client, cashier_headers, sale_body(airport.id, [dict(line, discount="44.01")], [{"method": "cash", "amount": "500"}]))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "discount_limit"
    r = post(client, cashier_headers, sale_body(airport.id, [dict(line, discount="44.00")], [{"method": "cash", "amount": "200"}]))
    assert r.status_code == 201
    sale = r.get_json()
    assert (sale["total"], sale["change"], sale["lines"][0]["discount"]) == ("176.00", "24.00", "44.00")
    # The cooperative is owed the discounted total less commission (Taourirt: 10 %).
    entry = db.session.execute(select(ConsignmentEntry)).scalar_one()
    assert (entry.gross, entry.commission, entry.amount) == (Decimal("176.00"), Decimal("17.60"), Decimal("158.40"))


@pytest.mark.parametrize("line,status,code", [
    ({"quantity": "1.5"}, 422, "validation_error"),       # pieces are sold whole
    ({"quantity": "0"}, 422, None),
    ({"quantity": "-1"}, 422, None),
    ({"quantity": "abc"}, 422, None),
    ({"quantity": "1", "barcode": "X"}, 422, None),          # both lot_id and barcode
])
def test_bad_lines(client, cashier_headers, airport, shop_stock, open_till, line, status, code):
    r = post(client, cashier_headers, sale_body(airport.id, [dict({"lot_id": shop_stock["dates"].id}, **line)], CASH_100))
    assert r.status_code == status, r.get_json()
    if code:
        assert r.get_json()["error"]["code"] == code


def test_unknown_expired_and_unpriced(client, cashier_headers, airport, make_lot, open_till):
    expired = make_lot("MIE-TH-250", JERADA, 3, best_before=local_today() - timedelta(days=2))
    unpriced = make_lot("PAM-ROM-VRAC", FIGUIG, 3)
    cases = [({"barcode": "NOPE"}, 422, "unknown_code"), ({"lot_id": 999999}, 422, "unknown_lot"),
             ({"lot_id": expired.id}, 409, "lot_expired"), ({"barcode": expired.code}, 409, "lot_expired"),
             ({"lot_id": unpriced.id}, 409, "no_price")]
    for ref, status, code in cases:
        r = post(client, cashier_headers, sale_body(airport.id, [dict(ref, quantity="1")], CASH_100))
        assert (r.status_code, r.get_json()["error"]["code"]) == (status, code), ref
    assert post(client, cashier_headers, {"location_id": airport.id}).status_code == 422
    assert post(client, cashier_headers, sale_body(airport.id, [], CASH_100)).status_code == 422


def test_unit_price_and_rate_are_frozen(client, cashier_headers, airport, shop_stock, open_till):
    r = post(client, cashier_headers, sale_body(airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "2"}], [{"method": "cash", "amount": "110"}]))
    line_id = r.get_json()["lines"][0]["id"]
    figuig = coop(FIGUIG)
    figuig.commission_rate = Decimal("0.30")
    product("DAT-AZ-500").retail_price = Decimal("99")
    db.session.commit()
    line = db.session.get(SaleLine, line_id)
    assert (line.unit_price, line.commission_rate, line.total) == (Decimal("55.00"), Decimal("0.1200"), Decimal("110.00"))


def test_frozen_rates_follow_commission_rate_for(app):
    from models.consignment import CommissionRule

    coops = db.session.execute(select(Cooperative.id)).scalars().all()
    db.session.add(CommissionRule(cooperative_id=None, category="honey", rate=Decimal("0.2")))
    db.session.add(CommissionRule(cooperative_id=coops[0], category="dates", rate=Decimal("0.05")))
    db.session.flush()
    pairs = {(c, cat) for c in coops for cat in ("dates", "honey", "crafts")}
    rates = frozen_rates(pairs)
    assert all(rates[p] == commission_rate_for(*p) for p in pairs)


def test_same_client_ref_at_another_shop_is_another_sale(client, auth, make_lot):
    """client_ref is unique per shop: two tills may not collide, the same till never doubles."""
    h = auth.headers("caissier.stand")
    lots = {code: make_lot("DAT-AZ-500", FIGUIG, 2, shop=code) for code in ("STAND-OUJDA", "STAND-BERKANE")}
    ids = set()
    for code, lot in lots.items():
        shop = loc(code).id
        assert client.post("/api/v1/cash-sessions", json={"location_id": shop, "opening_float": "0"}, headers=h).status_code == 201
        r = post(client, h, sale_body(shop, [{"lot_id": lot.id, "quantity": "1"}], [{"method": "cash", "amount": "55"}], "same"))
        assert r.status_code == 201
        ids.add(r.get_json()["id"])
        assert r.get_json()["number"].endswith("-000001")
    assert len(ids) == 2


def test_openapi_documents_the_pos(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/sales", "/api/v1/sales/{sale_id}/refunds", "/api/v1/cash-sessions",
                 "/api/v1/shops/{location_id}/scan", "/api/v1/cash-sessions/{session_id}/close"):
        assert path in spec["paths"], path
    assert "409" in spec["paths"]["/api/v1/sales"]["post"]["responses"]
