"""Fixtures of the warehouse tests: demo master data looked up by code."""
import pytest
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.stock import Location


def loc(code):
    """A location by code."""
    return db.session.execute(select(Location).where(Location.code == code)).scalar_one()


def product(sku):
    """A product by SKU."""
    return db.session.execute(select(Product).where(Product.sku == sku)).scalar_one()


def coop(registration):
    """A cooperative by registration number."""
    return db.session.execute(
        select(Cooperative).where(Cooperative.registration_number == registration)).scalar_one()


FIGUIG = "ODCO-2008-0412"
TAOURIRT = "ODCO-2011-0955"


@pytest.fixture
def ids(app):
    """Ids of the demo records the warehouse tests use."""
    return {
        "figuig": coop(FIGUIG).id, "taourirt": coop(TAOURIRT).id,
        "reception": loc("WH-RECEPTION").id, "stock": loc("WH-STOCK").id, "pack": loc("WH-PACK").id,
        "shop": loc("SHOP-AIRPORT").id,
        "dates": product("DAT-AZ-VRAC").id, "box500": product("DAT-AZ-500").id,
        "oil": product("HUI-EV-VRAC").id, "bottle": product("HUI-EV-1L").id,
        "bf500": product("DAT-BF-500").id,
    }


def client_as(auth, username):
    """A client signed in as `username`. The suite's `app` fixture keeps one app context open,
    so Flask's `g` (where Flask-Login caches the user) outlives each request: forget the
    previous request's user before switching users."""
    forget_user()
    client = auth.client_for(username)
    forget_user()
    return client


def forget_user():
    """Drop what the previous request left in the shared `g` (see client_as): Flask-Login's
    user, and the bearer-token mark that would stop the next answer saving its session."""
    from flask import g

    g.pop("_login_user", None)
    g.pop("auth_via", None)
