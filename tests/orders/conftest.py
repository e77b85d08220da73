"""Fixtures of the orders tests: lots in stock at the warehouse or a shop, demo buyers."""
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.clock import today as local_today
from models.ledger import move
from models.masterdata import virtual_location
from models.orders import Buyer
from models.stock import Lot
from tests.shop.shop_helpers import coop, loc, product

_codes = itertools.count(1)
HONEY = "MIE-TH-500"
OIL = "HUI-EV-1L"
JERADA = "ODCO-2013-1562"      # honey, platform default 15 %
TAOURIRT = "ODCO-2011-0955"    # olive oil, 10 %


@pytest.fixture
def make_lot(app):
    """make_lot(sku, coop_registration, qty, at="WH-STOCK", days=200, code=None): a lot
    received into stock, committed."""

    def _make(sku, registration, qty, at="WH-STOCK", days=200, code=None):
        lot = Lot(code=code or f"LO-{sku}-{next(_codes):03d}", product=product(sku),
                  cooperative=coop(registration),
                  best_before=local_today() + timedelta(days=days))
        db.session.add(lot)
        db.session.flush()
        move(lot.id, Decimal(qty), virtual_location("SUPPLIERS").id, loc(at).id, kind="reception")
        db.session.commit()
        return lot

    return _make


def buyer(name_start="Hôtel"):
    """A demo buyer whose name starts so."""
    return db.session.execute(select(Buyer).where(Buyer.name.startswith(name_start))).scalars().first()
