"""integrity-check proves the orders' books: reservations within stock and equal to what the
orders hold, nothing held by a finished order, every delivered lot moved and owed (per order
and lot), pre-orders paid at their own shop's till."""
from decimal import Decimal

from sqlalchemy import update

from extensions import db
from models.orders import OrderLineLot
from models.orders_check import delivery_problems, order_problems, settled_reservation_problems
from models.orders_drafts import create_order
from models.orders_posting import confirm_order, deliver_order, prepare_order, ship_order
from models.stock import StockBalance
from tests.orders.conftest import HONEY, JERADA, buyer
from tests.shop.shop_helpers import loc, product


def _delivered_over_two_lots(make_lot):
    first = make_lot(HONEY, JERADA, 3, days=50)
    second = make_lot(HONEY, JERADA, 5, days=250)
    order = create_order(buyer_id=buyer().id, location_id=loc("WH-STOCK").id,
                         lines=[{"product_id": product(HONEY).id, "quantity": "6"}])
    confirm_order(order.id)
    prepare_order(order.id)
    ship_order(order.id)
    deliver_order(order.id)
    db.session.commit()
    return order, first, second


def test_a_delivered_lot_without_its_movement_is_named_per_lot(app, make_lot, runner):
    order, first, second = _delivered_over_two_lots(make_lot)
    assert order_problems() == []
    assert runner.invoke(args=["integrity-check"]).exit_code == 0
    # One lot said delivered beyond its movement, the other short by as much: the order's
    # total still agrees, the per-lot check does not.
    table = OrderLineLot.__table__
    db.session.execute(update(table).where(table.c.lot_id == first.id).values(delivered=Decimal(4)))
    db.session.execute(update(table).where(table.c.lot_id == second.id).values(delivered=Decimal(2)))
    db.session.commit()
    rows = {p["row"] for p in delivery_problems()}
    assert rows == {f"order {order.id}, lot {first.id}", f"order {order.id}, lot {second.id}"}
    assert runner.invoke(args=["integrity-check"]).exit_code == 1


def test_a_finished_order_still_holding_stock_is_named(app, make_lot):
    order, first, _second = _delivered_over_two_lots(make_lot)
    # Held on both sides (the order's lot and the balance), so only this check sees it.
    table = OrderLineLot.__table__
    db.session.execute(update(table).where(table.c.lot_id == first.id).values(reserved=Decimal(1)))
    balances = StockBalance.__table__
    db.session.execute(update(balances).where(balances.c.lot_id == first.id,
                                              balances.c.location_id == loc("WH-STOCK").id)
                       .values(reserved=Decimal(1), quantity=Decimal(1)))
    db.session.commit()
    assert [p["row"] for p in settled_reservation_problems()] == [f"order {order.id}"]
