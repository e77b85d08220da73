"""The order services: the state flow, reservations the till and transfers cannot take,
partial confirmation, delivery through the ledger and the consignment, cancellation."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.books_check import books_problems
from models.consignment import ConsignmentEntry
from models.errors import DomainError, InsufficientStock, ValidationFailed
from models.ledger import available_to_promise, integrity_mismatches, move
from models.masterdata import virtual_location
from models.orders import DOC_ORDER, Order
from models.orders_check import order_problems
from models.orders_drafts import create_order
from models.orders_posting import (WrongState, cancel_order, confirm_order, deliver_order, pack,
                                   pick_list, prepare_order, ship_order)
from models.stock import StockBalance, StockMovement
from tests.orders.conftest import HONEY, JERADA, OIL, TAOURIRT, buyer
from tests.shop.shop_helpers import loc, product


def _order(lines, at="WH-STOCK", fulfilment="delivery", who="Hôtel"):
    order = create_order(buyer_id=buyer(who).id, location_id=loc(at).id, fulfilment=fulfilment,
                         lines=[{"product_id": product(sku).id, "quantity": q} for sku, q in lines])
    db.session.commit()
    return order


def test_draft_freezes_prices_and_numbers_the_order(app):
    order = _order([(HONEY, "20"), (OIL, "10"), (HONEY, "1")])
    assert order.state == "draft" and order.number == f"CMD-{order.id:06d}"
    honey = next(line for line in order.lines if line.product.sku == HONEY)
    assert honey.quantity == Decimal("21.000")
    assert honey.unit_price == product(HONEY).retail_price


def test_bad_lines_are_named(app):
    with pytest.raises(ValidationFailed) as exc:
        create_order(buyer_id=buyer().id, location_id=loc("WH-STOCK").id,
                     lines=[{"product_id": 999999, "quantity": "1"}, {"product_id": "x"},
                            {"product_id": product(HONEY).id, "quantity": "-2"}])
    assert set(exc.value.fields["lines"]) == {"0", "1", "2"}
    with pytest.raises(ValidationFailed):
        create_order(buyer_id=buyer().id, location_id=loc("WH-STOCK").id, lines=[])
    with pytest.raises(ValidationFailed):  # a pick-up is served from a shop
        create_order(buyer_id=buyer().id, location_id=loc("WH-STOCK").id, fulfilment="pickup",
                     lines=[{"product_id": product(HONEY).id, "quantity": "1"}])


def test_confirmation_reserves_fefo_and_the_till_cannot_take_it(app, make_lot):
    late = make_lot(HONEY, JERADA, 30, days=300)
    early = make_lot(HONEY, JERADA, 15, days=100)
    order = _order([(HONEY, "20")])
    confirm_order(order.id)
    db.session.commit()
    held = {h.lot_id: h.reserved for h in order.lines[0].lots}
    assert held == {early.id: Decimal("15.000"), late.id: Decimal("5.000")}
    wh = loc("WH-STOCK").id
    assert available_to_promise(early.id, wh) == 0
    assert available_to_promise(late.id, wh) == Decimal(25)
    # Neither a sale nor a transfer takes what is promised: the ledger refuses.
    with pytest.raises(InsufficientStock) as exc:
        move(early.id, Decimal(1), wh, virtual_location("CUSTOMERS").id, kind="sale")
    assert exc.value.available == 0
    db.session.rollback()
    with pytest.raises(InsufficientStock):
        move(late.id, Decimal(26), wh, virtual_location("TRANSIT").id, kind="dispatch")
    db.session.rollback()
    move(late.id, Decimal(25), wh, virtual_location("TRANSIT").id, kind="dispatch")
    db.session.commit()
    assert order_problems() == [] and integrity_mismatches() == []


def test_shortage_is_named_per_line_and_partial_confirmation_backorders(app, make_lot):
    make_lot(HONEY, JERADA, 12)
    make_lot(OIL, TAOURIRT, 50)
    order = _order([(HONEY, "20"), (OIL, "10")])
    with pytest.raises(DomainError) as exc:
        confirm_order(order.id)
    assert exc.value.code == "shortage"
    short = exc.value.fields["lines"]
    assert list(short) == ["0"] and short["0"]["available"] == "12.000"
    db.session.rollback()
    order, backorder = confirm_order(order.id, partial=True)
    db.session.commit()
    honey = order.lines[0]
    assert honey.confirmed_quantity == 12 and honey.backordered_quantity == 8
    assert backorder.state == "draft" and backorder.backorder_of_id == order.id
    assert [(line.product.sku, line.quantity) for line in backorder.lines] == [(HONEY, 8)]
    assert backorder.lines[0].unit_price == honey.unit_price


def test_the_whole_flow_delivers_through_the_ledger_and_owes_the_cooperatives(app, make_lot):
    honey_lot = make_lot(HONEY, JERADA, 40)
    oil_lot = make_lot(OIL, TAOURIRT, 30)
    order = _order([(HONEY, "20"), (OIL, "10")])
    confirm_order(order.id)
    pack(order.id, lot_id=honey_lot.id, quantity="20")
    pack(order.id, lot_id=oil_lot.id, quantity="10")
    db.session.commit()
    with pytest.raises(DomainError):
        pack(order.id, lot_id=oil_lot.id, quantity="1")  # more than reserved
    db.session.rollback()
    assert [r["lot"].id for r in pick_list(order)]
    prepare_order(order.id)
    ship_order(order.id)
    db.session.commit()
    assert order.state == "shipped"
    with pytest.raises(ValidationFailed):
        deliver_order(order.id, handed={order.lines[0].id: "21"})
    db.session.rollback()
    honey_line, oil_line = order.lines
    deliver_order(order.id, handed={honey_line.id: "19"})  # one jar short
    db.session.commit()
    assert order.state == "delivered"
    assert honey_line.delivered_quantity == 19 and oil_line.delivered_quantity == 10
    wh = loc("WH-STOCK").id
    # The short jar is back on the shelf, nothing stays reserved.
    assert available_to_promise(honey_lot.id, wh) == Decimal(21)
    assert db.session.execute(select(StockBalance.reserved).where(
        StockBalance.lot_id == honey_lot.id, StockBalance.location_id == wh)).scalar() == 0
    moved = db.session.execute(select(StockMovement.lot_id, StockMovement.quantity).where(
        StockMovement.document_type == DOC_ORDER, StockMovement.document_id == order.id)).all()
    assert sorted(moved) == sorted([(honey_lot.id, Decimal(19)), (oil_lot.id, Decimal(10))])
    entries = {e.lot_id: e for e in db.session.execute(select(ConsignmentEntry).where(
        ConsignmentEntry.document_type == DOC_ORDER)).scalars()}
    honey_gross = 19 * honey_line.unit_price
    assert entries[honey_lot.id].gross == honey_gross
    assert entries[honey_lot.id].commission_rate == Decimal("0.15")  # Jerada: platform default
    assert entries[oil_lot.id].commission_rate == Decimal("0.10")    # Taourirt's own rate
    assert entries[oil_lot.id].amount == 10 * oil_line.unit_price * Decimal("0.9")
    assert books_problems() == [] and integrity_mismatches() == []
    with pytest.raises(WrongState):
        cancel_order(order.id, reason="too late")


def test_cancel_releases_the_reservation_and_needs_a_reason(app, make_lot):
    lot = make_lot(HONEY, JERADA, 5)
    order = _order([(HONEY, "5")])
    confirm_order(order.id)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        cancel_order(order.id, reason="  ")
    db.session.rollback()
    cancel_order(order.id, reason="Le client a annulé")
    db.session.commit()
    assert order.state == "cancelled" and order.cancel_reason == "Le client a annulé"
    assert available_to_promise(lot.id, loc("WH-STOCK").id) == 5
    assert order_problems() == []


def test_pickup_order_is_reserved_at_the_shop(app, make_lot):
    lot = make_lot(HONEY, JERADA, 3, at="SHOP-AIRPORT")
    make_lot(HONEY, JERADA, 50)  # at the warehouse: not where the traveller picks up
    order = _order([(HONEY, "2")], at="SHOP-AIRPORT", fulfilment="pickup", who="Samir")
    confirm_order(order.id)
    prepare_order(order.id)
    ship_order(order.id)
    assert order.state == "ready_for_pickup"
    assert [h.lot_id for h in order.lines[0].lots] == [lot.id]
    deliver_order(order.id)
    db.session.commit()
    assert order.lines[0].delivered_quantity == 2


def test_integrity_check_sees_a_reservation_beyond_stock(app, make_lot, runner):
    lot = make_lot(HONEY, JERADA, 5)
    order = _order([(HONEY, "5")])
    confirm_order(order.id)
    db.session.commit()
    assert runner.invoke(args=["integrity-check"]).exit_code == 0
    db.session.execute(StockBalance.__table__.update().where(
        StockBalance.lot_id == lot.id).values(reserved=Decimal(9)))
    db.session.commit()
    problems = {p["problem"] for p in order_problems()}
    assert problems == {"reservation exceeds stock", "reservation differs from the orders"}
    assert runner.invoke(args=["integrity-check"]).exit_code == 1
