"""Helpers of the transfers tests: locations, products, lots with stock made here."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.clock import today as local_today
from models.cooperatives import Cooperative
from models.ledger import move
from models.masterdata import virtual_location
from models.stock import Location, Lot

TODAY = local_today()
FIGUIG = "ODCO-2008-0412"
TAOURIRT = "ODCO-2011-0955"


def loc(code):
    """A location by code."""
    return db.session.execute(select(Location).where(Location.code == code)).scalar_one()


def product(sku):
    """A product by SKU."""
    return db.session.execute(select(Product).where(Product.sku == sku)).scalar_one()


def coop(registration_number):
    """A cooperative by registration number."""
    return db.session.execute(select(Cooperative).where(
        Cooperative.registration_number == registration_number)).scalar_one()


def make_lot(code, sku, coop_reg, best_before, qty, at="WH-STOCK"):
    """A lot received from its cooperative into a location (committed by the caller)."""
    lot = Lot(code=code, product=product(sku), cooperative=coop(coop_reg), best_before=best_before,
              origin_type="manual")
    db.session.add(lot)
    db.session.flush()
    if qty:
        move(lot.id, Decimal(qty), virtual_location("SUPPLIERS").id, loc(at).id, kind="reception")
    return lot
