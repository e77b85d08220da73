"""Scanned codes: lot codes, GS1-128 in its forms, GTINs picking the first-expiring lot."""
from datetime import timedelta

import pytest
from tests.shop.shop_helpers import FIGUIG, JERADA, gs1, loc, product

from models.clock import today as local_today
from models.stock_codes import ChooseLot, normalize_gtin, parse_gs1, resolve_code
from models.errors import DomainError, NotFound


@pytest.mark.parametrize("code,expected", [
    ("]C1010611920410001117270131 10AZ-1".replace(" ", ""), {"01": "06119204100011", "17": "270131", "10": "AZ-1"}),
    ("\x1d010611920410001110AZ-1", {"01": "06119204100011", "10": "AZ-1"}),
    ("10AZ-1\x1d0106119204100011", {"10": "AZ-1", "01": "06119204100011"}),
    ("(01)06119204100011(17)270131(10)AZ-1", {"01": "06119204100011", "17": "270131", "10": "AZ-1"}),
    ("01061192041", None),          # GTIN cut short
    ("99whatever", None),           # not an AI we know
])
def test_parse_gs1(code, expected):
    assert parse_gs1(code) == expected


def test_normalize_gtin():
    assert normalize_gtin("06119204100011") == "6119204100011"
    assert normalize_gtin("6119204100011") == "6119204100011"
    assert normalize_gtin("6119204100013") is None  # wrong check digit


def test_lot_code_and_gs1_sell_that_lot(make_lot):
    shop = loc("SHOP-AIRPORT").id
    early = make_lot("DAT-AZ-500", FIGUIG, 3, best_before=local_today() + timedelta(days=20))
    late = make_lot("DAT-AZ-500", FIGUIG, 3, best_before=local_today() + timedelta(days=90))
    assert resolve_code(shop, late.code).lot_id == late.id
    assert resolve_code(shop, gs1(product("DAT-AZ-500").gtin, late.code, late.best_before)).lot_id == late.id
    no_prefix = gs1(product("DAT-AZ-500").gtin, late.code, late.best_before, prefix="")
    assert resolve_code(shop, no_prefix).lot_id == late.id
    # The EAN-13 alone names two lots here: never a silent choice (issue 13), the candidates
    # come back first-expiring first for the till's picker.
    with pytest.raises(ChooseLot) as err:
        resolve_code(shop, product("DAT-AZ-500").gtin)
    assert err.value.code == "choose_lot"
    assert [c.lot_id for c in err.value.candidates] == [early.id, late.id]


def test_gtin_skips_expired_and_empty_lots(make_lot):
    shop = loc("SHOP-AIRPORT").id
    make_lot("MIE-TH-250", JERADA, 2, best_before=local_today() - timedelta(days=1))
    make_lot("MIE-TH-250", JERADA, 2, best_before=local_today() + timedelta(days=5), shop="STAND-OUJDA")
    good = make_lot("MIE-TH-250", JERADA, 2, best_before=local_today() + timedelta(days=50))
    assert resolve_code(shop, product("MIE-TH-250").gtin).lot_id == good.id


def test_expired_empty_and_unknown_are_refused(make_lot):
    shop = loc("SHOP-AIRPORT").id
    old = make_lot("MIE-TH-250", JERADA, 2, best_before=local_today() - timedelta(days=1))
    elsewhere = make_lot("MIE-TH-250", JERADA, 2, shop="STAND-OUJDA")
    with pytest.raises(DomainError) as err:
        resolve_code(shop, old.code)
    assert err.value.code == "lot_expired"
    with pytest.raises(DomainError) as err:
        resolve_code(shop, elsewhere.code)
    assert err.value.code == "out_of_stock"
    with pytest.raises(DomainError) as err:
        resolve_code(shop, product("AMA-DEC-250").gtin)  # a product with no stock here
    assert err.value.code == "out_of_stock"
    with pytest.raises(NotFound):
        resolve_code(shop, "NO-SUCH-CODE")


def test_scan_api_answers_and_refuses(client, auth, make_lot):
    shop = loc("SHOP-AIRPORT").id
    lot = make_lot("DAT-AZ-500", FIGUIG, 3)
    h = auth.headers("caissier")
    r = client.get(f"/api/v1/shops/{shop}/scan", query_string={"code": lot.code}, headers=h)
    assert r.status_code == 200 and r.get_json()["available"] == "3.000"
    r = client.get(f"/api/v1/shops/{shop}/scan", query_string={"code": "zzz"}, headers=h)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_code"
    assert client.get(f"/api/v1/shops/{shop}/scan", headers=h).status_code == 422
    r = client.get(f"/api/v1/shops/{shop}/products", query_string={"q": "aziza"}, headers=h)
    assert [i["lot_id"] for i in r.get_json()["items"]] == [lot.id]
    # Another shop's cashier, an operator, nobody.
    other = auth.headers("caissier.stand")
    assert client.get(f"/api/v1/shops/{shop}/scan", query_string={"code": lot.code}, headers=other).status_code == 403
    assert client.get(f"/api/v1/shops/{shop}/scan", query_string={"code": lot.code},
                      headers=auth.headers("operateur")).status_code == 403
    assert client.get(f"/api/v1/shops/{shop}/scan", query_string={"code": lot.code}).status_code == 401
