"""Sixteen threads take from the same lot at once: exactly as many succeed as stock allows."""
import threading
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.errors import InsufficientStock
from models.ledger import available, integrity_mismatches, move
from models.masterdata import virtual_location
from models.stock import Location, Lot


def test_sixteen_threads_never_oversell(app):
    product = db.session.execute(select(Product).where(Product.kind == "unit")).scalars().first()
    coop = db.session.execute(select(Cooperative)).scalars().first()
    shop = db.session.execute(select(Location).where(Location.code == "SHOP-AIRPORT")).scalar_one()
    lot = Lot(code="L-RACE", product=product, cooperative=coop)
    db.session.add(lot)
    db.session.flush()
    move(lot.id, Decimal(10), virtual_location("SUPPLIERS").id, shop.id, kind="reception")
    db.session.commit()
    lot_id, shop_id, customers = lot.id, shop.id, virtual_location("CUSTOMERS").id
    db.session.remove()

    barrier = threading.Barrier(16)
    results = []

    def sell():
        with app.app_context():
            barrier.wait()
            try:
                move(lot_id, Decimal(1), shop_id, customers, kind="sale")
                db.session.commit()
                results.append("ok")
            except InsufficientStock:
                db.session.rollback()
                results.append("refused")
            except Exception as exc:  # noqa: BLE001 - any other failure is a bug to report
                db.session.rollback()
                results.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sell) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["ok"] * 10 + ["refused"] * 6, results
    assert available(lot_id, shop_id) == Decimal(0)
    assert integrity_mismatches() == []
