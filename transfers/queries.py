"""Read-side queries shared by pages and API: shop stock with expiry status, incoming
transfers, the lots a location holds. No Flask imports."""
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.stock import KIND_SHOP, Location, Lot, StockBalance
from models.transfers import Transfer
from models import clock


def expiry_status(best_before, today, warn_days):
    """"expired", "expiring" (within warn_days) or "ok"."""
    if best_before is None:
        return "ok"
    if best_before < today:
        return "expired"
    if best_before <= today + timedelta(days=warn_days):
        return "expiring"
    return "ok"


def on_hand(location_ids, *, today=None, warn_days=30):
    """Lots on hand at the locations, first-expired first, each with its expiry status."""
    today = today or clock.today()
    rows = db.session.execute(
        select(StockBalance.location_id, StockBalance.quantity, Lot, Product)
        .join(Lot, Lot.id == StockBalance.lot_id).join(Product, Product.id == Lot.product_id)
        .where(StockBalance.location_id.in_(list(location_ids) or [0]), StockBalance.quantity > 0)
        .order_by(StockBalance.location_id, Lot.best_before.is_(None), Lot.best_before, Lot.code)
    ).all()
    return [{
        "location_id": loc_id, "lot_id": lot.id, "lot_code": lot.code, "lot": lot,
        "product_id": product.id, "product": product, "product_name_fr": product.name_fr,
        "product_name_ar": product.name_ar, "best_before": lot.best_before, "quantity": qty,
        "status": expiry_status(lot.best_before, today, warn_days),
    } for loc_id, qty, lot, product in rows]


def incoming(location_ids):
    """Transfers dispatched to the locations and not yet received, oldest first."""
    return db.session.execute(
        select(Transfer).where(Transfer.to_location_id.in_(list(location_ids) or [0]),
                               Transfer.state == "dispatched")
        .order_by(Transfer.dispatched_at, Transfer.id)).scalars().all()


def shops():
    """Every active shop and stand."""
    return db.session.execute(select(Location).where(
        Location.kind == KIND_SHOP, Location.active.is_(True)).order_by(Location.name_fr)).scalars().all()


def real_locations():
    """Every active warehouse zone, shop and stand."""
    return db.session.execute(select(Location).where(
        Location.kind.in_(("warehouse", "shop")), Location.active.is_(True))
        .order_by(Location.kind.desc(), Location.name_fr)).scalars().all()
