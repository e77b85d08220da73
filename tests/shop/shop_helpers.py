"""Helpers of the shop tests: look-ups of demo rows, request bodies, GS1 strings."""
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.stock import Location
from models.users import User


def loc(code):
    """A location by code."""
    return db.session.execute(select(Location).where(Location.code == code)).scalar_one()


def product(sku):
    """A demo product by SKU."""
    return db.session.execute(select(Product).where(Product.sku == sku)).scalar_one()


def coop(registration):
    """A demo cooperative by registration number."""
    return db.session.execute(select(Cooperative).where(
        Cooperative.registration_number == registration)).scalar_one()


def user(username):
    """A demo user."""
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


FIGUIG = "ODCO-2008-0412"      # dates, commission 12 %
TAOURIRT = "ODCO-2011-0955"    # olive oil, 10 %
JERADA = "ODCO-2013-1562"      # honey, platform default 15 %


def sale_body(location_id, lines, payments, client_ref="ref-1"):
    """A POST /sales body."""
    return {"location_id": location_id, "client_ref": client_ref, "lines": lines, "payments": payments}


def gs1(gtin13, lot_code, best_before, prefix="]C1"):
    """A GS1-128 string as a scanner types it: (01) GTIN-14, (17) YYMMDD, (10) lot."""
    return f"{prefix}010{gtin13}17{best_before.strftime('%y%m%d')}10{lot_code}"
