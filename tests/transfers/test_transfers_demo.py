"""The transfers demo: nothing without warehouse stock; with some, shipments that balance."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models.ledger import integrity_mismatches
from models.transfers import ReplenishmentRequest, Transfer
from tests.transfers.transfer_helpers import FIGUIG, TAOURIRT, TODAY, make_lot
from transfers.demo import seed


def test_no_warehouse_stock_no_activity(app):
    summary = {}
    seed(summary)
    assert "transfers" not in summary
    assert db.session.execute(select(func.count(Transfer.id))).scalar() == 0


def test_demo_ships_to_airport_and_stands(app):
    make_lot("DEMO-DAT-1", "DAT-AZ-500", FIGUIG, TODAY + timedelta(days=100), 80)
    make_lot("DEMO-HUI-1", "HUI-EV-1L", TAOURIRT, TODAY + timedelta(days=300), 40, at="WH-PACK")
    db.session.commit()
    summary = {}
    seed(summary)
    db.session.commit()
    assert summary["transfers"] >= 4
    states = dict(db.session.execute(select(Transfer.state, func.count()).group_by(Transfer.state)).all())
    assert states["received"] >= 3 and states["dispatched"] >= 1  # one shipment per zone to Berkane, on its way
    assert db.session.execute(select(func.count()).where(ReplenishmentRequest.state == "open")).scalar() == 1
    assert integrity_mismatches() == []
    broken = db.session.execute(select(Transfer).where(Transfer.state == "received")).scalars().first()
    assert any(line.shortfall == Decimal(1) for line in broken.lines)
