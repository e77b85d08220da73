"""The stock-ledger service: atomic, locked, never negative at a real location, auditable."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.errors import InsufficientStock, ValidationFailed
from models.ledger import Move, available, integrity_mismatches, move, post_movements
from models.masterdata import virtual_location
from models.stock import Location, Lot, StockBalance, StockMovement


def loc(code):
    """A location by code."""
    return db.session.execute(select(Location).where(Location.code == code)).scalar_one()


@pytest.fixture
def lot(app):
    """A bulk lot of dates with 100 kg received at the warehouse."""
    product = db.session.execute(select(Product).where(Product.kind == "bulk")).scalars().first()
    coop = db.session.execute(select(Cooperative)).scalars().first()
    lot = Lot(code="L-TEST-1", product=product, cooperative=coop)
    db.session.add(lot)
    db.session.flush()
    move(lot.id, Decimal("100"), virtual_location("SUPPLIERS").id, loc("WH-STOCK").id, kind="reception")
    db.session.commit()
    return lot


def test_reception_writes_movement_and_balances(lot):
    assert available(lot.id, loc("WH-STOCK").id) == Decimal("100.000")
    # The virtual supplier location goes negative: that is double entry.
    assert available(lot.id, virtual_location("SUPPLIERS").id) == Decimal("-100.000")
    movements = db.session.execute(select(StockMovement).where(StockMovement.lot_id == lot.id)).scalars().all()
    assert [(m.kind, m.quantity) for m in movements] == [("reception", Decimal("100.000"))]
    assert integrity_mismatches() == []


def test_refuses_to_go_negative_and_names_everything(lot):
    shop = loc("SHOP-AIRPORT")
    move(lot.id, Decimal("30"), loc("WH-STOCK").id, shop.id, kind="dispatch")
    db.session.commit()
    with pytest.raises(InsufficientStock) as err:
        move(lot.id, Decimal("30.5"), shop.id, virtual_location("CUSTOMERS").id, kind="sale")
    db.session.rollback()
    e = err.value
    assert (e.lot_code, e.location_id, e.available, e.requested) == (
        "L-TEST-1", shop.id, Decimal("30.000"), Decimal("30.500"))
    assert "L-TEST-1" in e.message and e.status == 409 and e.code == "insufficient_stock"
    assert available(lot.id, shop.id) == Decimal("30.000")
    assert integrity_mismatches() == []


def test_batch_is_all_or_nothing(lot):
    wh, shop = loc("WH-STOCK").id, loc("SHOP-AIRPORT").id
    with pytest.raises(InsufficientStock):
        post_movements([Move(lot.id, Decimal("60"), wh, shop),
                        Move(lot.id, Decimal("50"), wh, loc("STAND-OUJDA").id)], kind="dispatch")
    db.session.rollback()
    assert available(lot.id, wh) == Decimal("100.000")
    assert available(lot.id, shop) == Decimal("0")
    assert db.session.execute(select(StockMovement).where(StockMovement.kind == "dispatch")).first() is None


@pytest.mark.parametrize("qty", [Decimal("0"), Decimal("-1"), "abc", Decimal("NaN")])
def test_rejects_non_positive_or_malformed_quantities(lot, qty):
    with pytest.raises(ValidationFailed):
        move(lot.id, qty, loc("WH-STOCK").id, loc("SHOP-AIRPORT").id, kind="dispatch")


def test_rejects_same_location_and_unknown_kind(lot):
    wh = loc("WH-STOCK").id
    with pytest.raises(ValidationFailed):
        move(lot.id, Decimal(1), wh, wh, kind="dispatch")
    with pytest.raises(ValidationFailed):
        move(lot.id, Decimal(1), wh, loc("SHOP-AIRPORT").id, kind="teleport")


def test_movements_are_immutable_in_the_database(lot):
    with pytest.raises(Exception):
        db.session.execute(StockMovement.__table__.update().values(quantity=Decimal("1")))
        db.session.flush()
    db.session.rollback()


def test_integrity_check_finds_tampered_balance(lot, runner):
    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 0, result.output
    bal = db.session.execute(select(StockBalance).where(
        StockBalance.lot_id == lot.id, StockBalance.location_id == loc("WH-STOCK").id)).scalar_one()
    bal.quantity = Decimal("99")
    db.session.commit()
    problems = integrity_mismatches()
    assert len(problems) == 1 and problems[0]["ledger"] == Decimal("100.000")
    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 1
    assert "lot %d" % lot.id in result.output
