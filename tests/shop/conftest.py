"""Fixtures of the shop tests: stock at the airport shop (the warehouse is built in
parallel, so tests make their own lots and bring them in from SUPPLIERS), tills, clients."""
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.shop.shop_helpers import FIGUIG, JERADA, TAOURIRT, coop, loc, product

from extensions import db
from models.clock import today as local_today
from models.ledger import move
from models.masterdata import virtual_location
from models.stock import Lot

_codes = itertools.count(1)


@pytest.fixture
def make_lot(app):
    """make_lot(sku, coop_registration, qty, shop="SHOP-AIRPORT", best_before=..., code=...)."""

    def _make(sku, registration, qty, shop="SHOP-AIRPORT", best_before=None, code=None):
        lot = Lot(code=code or f"LT-{sku}-{next(_codes):03d}", product=product(sku),
                  cooperative=coop(registration),
                  best_before=best_before or local_today() + timedelta(days=200))
        db.session.add(lot)
        db.session.flush()
        move(lot.id, Decimal(qty), virtual_location("SUPPLIERS").id, loc(shop).id, kind="reception")
        db.session.commit()
        return lot

    return _make


@pytest.fixture
def shop_stock(make_lot):
    """Three labelled lots of three cooperatives at the airport shop."""
    return {
        "dates": make_lot("DAT-AZ-500", FIGUIG, 10, code="AZ-2026-001"),     # 55.00
        "oil": make_lot("HUI-EV-1L", TAOURIRT, 5, code="HU-2026-014"),       # 110.00
        "honey": make_lot("MIE-TH-250", JERADA, 8, code="MI-2026-007"),      # 85.00
    }


@pytest.fixture
def airport(app):
    """The airport shop."""
    return loc("SHOP-AIRPORT")


@pytest.fixture
def cashier_headers(auth):
    """Bearer headers of the airport cashier."""
    return auth.headers("caissier")


@pytest.fixture
def open_till(client, cashier_headers, airport):
    """The airport cashier's till, opened with 200 MAD; returns the session JSON."""
    r = client.post("/api/v1/cash-sessions", json={"location_id": airport.id, "opening_float": "200"},
                    headers=cashier_headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()



