"""An order's delivery posts its consignment entries through the same services as a till sale:
the open data's cells (models/report_cells.py) count it at the warehouse's outlet type (not
the airport), in the delivery's transaction."""
from decimal import Decimal

from sqlalchemy import text

from extensions import db
from models import report_cells
from models.orders_drafts import create_order
from models.orders_posting import confirm_order, deliver_order, pack, prepare_order, ship_order
from models.report_summaries import ledger_sums
from tests.orders.conftest import HONEY, JERADA, buyer
from tests.shop.shop_helpers import coop, loc, product


def test_a_delivered_order_keeps_the_cells(app, make_lot):
    lot = make_lot(HONEY, JERADA, 40)
    order = create_order(buyer_id=buyer().id, location_id=loc("WH-STOCK").id, fulfilment="delivery",
                         lines=[{"product_id": product(HONEY).id, "quantity": "12"}])
    confirm_order(order.id)
    pack(order.id, lot_id=lot.id, quantity="12")
    prepare_order(order.id)
    ship_order(order.id)
    db.session.commit()
    before = db.session.execute(text("SELECT count(*) FROM report_cells")).scalar()
    deliver_order(order.id, handed={order.lines[0].id: "10"})
    db.session.commit()
    rows = db.session.execute(text(
        "SELECT grain, family, outlet_type, entries, quantity, gross FROM report_cells "
        "WHERE cooperative_id = :c ORDER BY grain"), {"c": coop(JERADA).id}).all()
    assert [(g, f, o, n) for g, f, o, n, _q, _gr in rows] == [("day", "honey", "stand", 1),
                                                          ("month", "honey", "stand", 1)]
    assert {Decimal(str(q)).quantize(Decimal("0.001")) for *_k, q, _gr in rows} == {Decimal("10.000")}
    assert {Decimal(str(gr)).quantize(Decimal("0.01")) for *_k, gr in rows} == {10 * order.lines[0].unit_price}
    assert db.session.execute(text("SELECT count(*) FROM report_cells")).scalar() == before + 2
    conn = db.session.connection()
    assert report_cells.mismatches(conn, ledger_sums(conn)) == []
