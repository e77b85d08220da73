"""Operators confirming orders for the last units at the same moment never over-reserve, and
the till selling at the same time never takes what was promised (threads; row locks on
PostgreSQL, BEGIN IMMEDIATE on SQLite)."""
import threading
from decimal import Decimal

from extensions import db
from models.errors import DomainError, InsufficientStock
from models.ledger import integrity_mismatches, move
from models.masterdata import virtual_location
from models.orders_check import order_problems
from models.orders_drafts import create_order
from models.orders_posting import confirm_order
from models.stock import StockBalance
from tests.orders.conftest import HONEY, JERADA, buyer
from tests.shop.shop_helpers import loc, product


def test_concurrent_confirmations_never_over_reserve(app, make_lot):
    lot = make_lot(HONEY, JERADA, 10)
    wh = loc("WH-STOCK").id
    order_ids = []
    for _ in range(8):
        order = create_order(buyer_id=buyer().id, location_id=wh,
                             lines=[{"product_id": product(HONEY).id, "quantity": "3"}])
        order_ids.append(order.id)
    db.session.commit()
    lot_id, customers = lot.id, virtual_location("CUSTOMERS").id
    db.session.remove()

    barrier = threading.Barrier(len(order_ids) + 2)
    results = []

    def confirm(order_id):
        with app.app_context():
            barrier.wait()
            try:
                confirm_order(order_id)
                db.session.commit()
                results.append("confirmed")
            except DomainError as exc:
                db.session.rollback()
                results.append(exc.code)
            except Exception as exc:  # noqa: BLE001 - any other failure is a bug to report
                db.session.rollback()
                results.append(repr(exc))
            finally:
                db.session.remove()

    def sell():
        with app.app_context():
            barrier.wait()
            try:
                move(lot_id, Decimal(1), wh, customers, kind="sale")
                db.session.commit()
                results.append("sold")
            except InsufficientStock:
                db.session.rollback()
                results.append("not sold")
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                results.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in order_ids]
    threads += [threading.Thread(target=sell) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    confirmed = results.count("confirmed")
    sold = results.count("sold")
    assert set(results) <= {"confirmed", "shortage", "sold", "not sold"}, results
    assert confirmed * 3 + sold <= 10, results
    assert confirmed == (10 - sold) // 3, results
    row = db.session.execute(db.select(StockBalance).where(
        StockBalance.lot_id == lot_id, StockBalance.location_id == wh)).scalar_one()
    assert row.reserved == confirmed * 3 and row.reserved <= row.quantity
    assert order_problems() == [] and integrity_mismatches() == []
