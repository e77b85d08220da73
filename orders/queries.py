"""Read-only queries of the orders pages: what a buyer may order (available = on hand less
reserved, usable lots only) and the serving location of buyers' own orders."""
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from extensions import db
from models import clock
from models.catalogue import Product
from models.stock import Location, Lot, StockBalance
from models.stock_blocks import current_blocks


def buyers_location():
    """Where a buyer's own order is served from: the configured warehouse zone (WH-STOCK)."""
    code = current_app.config.get("ORDER_WAREHOUSE_CODE", "WH-STOCK")
    return db.session.execute(select(Location).where(Location.code == code)).scalar() or \
        db.session.execute(select(Location).where(Location.kind == "warehouse")
                           .order_by(Location.id)).scalars().first()


def available_by_product(location_id):
    """{product id: quantity available to promise} at a location: on hand less reserved, of
    lots neither blocked nor past their best-before."""
    rows = db.session.execute(
        select(Lot.product_id, Lot.id, Lot.best_before,
               (StockBalance.quantity - StockBalance.reserved).label("free"))
        .join(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.location_id == location_id,
               StockBalance.quantity > StockBalance.reserved)).all()
    blocked = current_blocks({r.id for r in rows}) if rows else {}
    today = clock.today()
    found = {}
    for r in rows:
        if r.id in blocked or (r.best_before is not None and r.best_before < today):
            continue
        found[r.product_id] = found.get(r.product_id, Decimal(0)) + r.free
    return found


def catalogue(buyer, location_id):
    """[(product, unit price, available)] of the active priced products, available first."""
    from models.orders_drafts import unit_prices

    products = db.session.execute(select(Product).where(
        Product.active.is_(True), Product.retail_price.isnot(None))
        .order_by(Product.category, Product.name_fr)).scalars().all()
    prices = unit_prices(buyer, [p.id for p in products]) if products else {}
    free = available_by_product(location_id)
    rows = [(p, prices.get(p.id), free.get(p.id, Decimal(0))) for p in products]
    return sorted(rows, key=lambda r: (r[2] <= 0, r[0].category, r[0].name_fr))


def count_orders(buyer_id):
    """How many orders a buyer has (for the staff's list)."""
    from models.orders import Order

    return db.session.execute(select(func.count(Order.id)).where(Order.buyer_id == buyer_id)).scalar()
