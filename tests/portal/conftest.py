"""A consignment story on the demo master data: two cooperatives, lots at the warehouse, a
shop, a stand and in transit, sales at two outlets, a refund and a packaging fee.

Everything goes through the services (models.ledger.move, record_sale_line,
charge_packaging_fee), not through the shop area's tables.
"""
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.consignment import set_packaging_fee
from models.consignment_posting import charge_packaging_fee, record_sale_line
from models.ledger import move
from models.masterdata import virtual_location
from models.stock import Location, Lot

D = Decimal


def loc(code):
    """A location by code."""
    return db.session.execute(select(Location).where(Location.code == code)).scalar_one()


def coop_of(username):
    """The cooperative a demo cooperative user belongs to."""
    from models.users import User

    return db.session.execute(select(User).where(User.username == username)).scalar_one().cooperative


def product(sku):
    """A product by SKU."""
    return db.session.execute(select(Product).where(Product.sku == sku)).scalar_one()


def sell(lot, qty, price, location, at, kind="sale", rate=None, document_id=1):
    """A sale (or refund) line: the stock movement and the consignment entry."""
    customers = virtual_location("CUSTOMERS").id
    if kind == "sale":
        move(lot.id, D(qty), location.id, customers, kind="sale", document_type="sale",
             document_id=document_id, at=at)
    else:
        move(lot.id, D(qty), customers, location.id, kind="refund", document_type="sale",
             document_id=document_id, at=at)
    return record_sale_line(cooperative_id=lot.cooperative_id, category=lot.product.category,
                            gross=D(qty) * D(price), lot_id=lot.id, quantity=D(qty),
                            location_id=location.id, document_type="sale",
                            document_id=document_id, at=at, kind=kind, rate=rate)


def make_lot(code, coop, sku, qty, best_before=None, reception_id=None):
    """A lot received at the warehouse stock zone."""
    lot = Lot(code=code, product=product(sku), cooperative=coop, best_before=best_before,
              origin_type="reception" if reception_id else "manual", origin_id=reception_id)
    db.session.add(lot)
    db.session.flush()
    move(lot.id, D(qty), virtual_location("SUPPLIERS").id, loc("WH-STOCK").id, kind="reception",
         document_type="reception", document_id=reception_id)
    return lot


@pytest.fixture
def story(app):
    """Figuig (12 %) and Taourirt (10 %) with stock, sales at the airport shop and the Oujda
    stand in March 2026, a refund and a packaging fee. Returns the ids and expected figures."""
    from datetime import date

    figuig, taourirt = coop_of("coop.figuig"), coop_of("coop.taourirt")
    dates = make_lot("L-FIG-1", figuig, "DAT-AZ-500", 40, date(2027, 1, 31), reception_id=101)
    oil = make_lot("L-TAO-1", taourirt, "HUI-EV-1L", 20, date(2027, 6, 30), reception_id=102)
    airport, stand = loc("SHOP-AIRPORT"), loc("STAND-OUJDA")
    move(dates.id, D(10), loc("WH-STOCK").id, airport.id, kind="dispatch")
    move(dates.id, D(10), loc("WH-STOCK").id, stand.id, kind="dispatch")
    move(dates.id, D(5), loc("WH-STOCK").id, virtual_location("TRANSIT").id, kind="dispatch")
    move(oil.id, D(8), loc("WH-STOCK").id, airport.id, kind="dispatch")

    # March 2026: sales at two outlets; 3 × 33.35 = 100.05 → 12 % = 12.006 → 12.01 commission.
    sell(dates, 3, "55.00", airport, datetime(2026, 3, 5, 10, 0), document_id=1)      # 165.00 → 145.20
    sell(dates, 2, "55.00", stand, datetime(2026, 3, 12, 16, 30), document_id=2)      # 110.00 → 96.80
    sell(dates, 3, "33.35", stand, datetime(2026, 3, 20, 9, 15), document_id=3)       # 100.05 → 88.04
    sell(dates, 1, "55.00", airport, datetime(2026, 3, 25, 11, 0), kind="refund",
         rate=D("0.12"), document_id=1)                                               # -55.00 → -48.40
    sell(oil, 4, "110.00", airport, datetime(2026, 3, 6, 12, 0), document_id=4)        # 440.00 → 396.00
    set_packaging_fee(D("0.50"))
    charge_packaging_fee(cooperative_id=figuig.id, units=10, document_id=7,
                         at=datetime(2026, 3, 2, 8, 0))                               # -5.00
    db.session.commit()
    return {
        "figuig": figuig.id, "taourirt": taourirt.id, "dates_lot": dates.id, "oil_lot": oil.id,
        "airport": airport.id, "stand": stand.id,
        # owed = 145.20 + 96.80 + 88.04 - 48.40
        "figuig_owed": D("281.64"), "figuig_fees": D("5.00"), "figuig_balance": D("276.64"),
        "taourirt_balance": D("396.00"),
    }
