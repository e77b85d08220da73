"""Fixtures of the transfers tests: warehouse stock made here (lots received from SUPPLIERS),
API helpers per demo user."""
from datetime import timedelta

import pytest

from extensions import db
from models.masterdata import virtual_location
from tests.transfers.transfer_helpers import FIGUIG, TAOURIRT, TODAY, coop, loc, make_lot, product


@pytest.fixture
def stock(app):
    """Boxes of dates at WH-STOCK: an expired lot, the earliest-expiring good lot (50), a later
    lot (100); and olive oil of another cooperative. Returns the lots by name."""
    lots = {
        "expired": make_lot("DAT-L-EXP", "DAT-AZ-500", FIGUIG, TODAY - timedelta(days=3), 10),
        "early": make_lot("DAT-L-001", "DAT-AZ-500", FIGUIG, TODAY + timedelta(days=20), 50),
        "late": make_lot("DAT-L-002", "DAT-AZ-500", FIGUIG, TODAY + timedelta(days=200), 100),
        "oil": make_lot("HUI-L-001", "HUI-EV-1L", TAOURIRT, TODAY + timedelta(days=400), 30),
    }
    db.session.commit()
    return {name: lot.id for name, lot in lots.items()}


class Api:
    """JSON calls as a demo user (bearer token)."""

    def __init__(self, app, auth):
        self.app, self.auth, self.tokens = app, auth, {}

    def __call__(self, user, method, url, json=None):
        """Call the API; returns the response."""
        if user not in self.tokens:
            self.tokens[user] = self.auth.headers(user)
        client = self.app.test_client()
        return client.open(url, method=method, json=json, headers=self.tokens[user])


@pytest.fixture
def api(app, auth):
    """api(user, method, url, json) → response."""
    return Api(app, auth)


@pytest.fixture
def ids(app):
    """Ids of the locations and products the tests use."""
    names = ("WH-STOCK", "WH-PACK", "SHOP-AIRPORT", "STAND-OUJDA", "STAND-NADOR")
    out = {code: loc(code).id for code in names}
    out["TRANSIT"] = virtual_location("TRANSIT").id
    out["LOSS"] = virtual_location("LOSS").id
    out["ADJUSTMENT"] = virtual_location("ADJUSTMENT").id
    out["SUPPLIERS"] = virtual_location("SUPPLIERS").id
    out["dates"] = product("DAT-AZ-500").id
    out["oil"] = product("HUI-EV-1L").id
    out["figuig"] = coop(FIGUIG).id
    out["taourirt"] = coop(TAOURIRT).id
    return out
