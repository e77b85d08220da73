"""The issue's done-when story, as one acceptance test, through the pages as people use them:

a hotel buyer orders 20 jars of honey and 10 bottles of olive oil from its catalogue page
(French decimal input); the operator confirms (the stock is reserved: neither a sale nor a
transfer can take it); picks by scanning (the till's resolver); ships with a delivery note,
one jar short; the invoice for 19 + 10 prints with both parties' ICE; a partial payment
leaves the right balance; each cooperative's statement shows its lines at its rate; a
traveller's pre-order is picked up and paid at the airport till and appears in the Z report,
whose cash counted matches; integrity-check is clean throughout."""
import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.consignment import ConsignmentEntry
from models.errors import InsufficientStock
from models.ledger import integrity_mismatches, move
from models.masterdata import virtual_location
from models.orders import DOC_ORDER, Invoice, Order
from models.orders_check import order_problems
from models.orders_invoices import buyer_balance
from models.sales import CashSession
from models.stock import StockBalance
from tests.orders.conftest import HONEY, JERADA, OIL, TAOURIRT, buyer
from tests.shop.shop_helpers import coop, loc, product

HOTEL_ICE = "001234567000089"
PLATFORM_ICE = "002345678000012"


def pdf_text(response, tmp_path, name):
    """The text of a PDF answer, read with pdftotext as a person reads the printout."""
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / name
    path.write_bytes(response.data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def reserved(lot):
    """What orders hold of a lot at the warehouse."""
    return db.session.execute(select(StockBalance.reserved).where(
        StockBalance.lot_id == lot.id, StockBalance.location_id == loc("WH-STOCK").id)).scalar()


def test_the_issue_story(app, auth, make_lot, runner, tmp_path):
    app.config.update(PLATFORM_ICE=PLATFORM_ICE, PLATFORM_IF="1234567", PLATFORM_RC="RC 999")
    honey_lot = make_lot(HONEY, JERADA, 25, code="LO-STORY-MIEL")
    oil_lot = make_lot(OIL, TAOURIRT, 15, code="LO-STORY-HUILE")
    make_lot(HONEY, JERADA, 3, at="SHOP-AIRPORT", code="LO-STORY-AIR")

    # 1. The hotel buyer orders from its catalogue page, a French decimal comma for the oil.
    hotel = auth.client_for("acheteur.hotel")
    assert hotel.get("/orders/catalogue").status_code == 200
    response = hotel.post("/orders/catalogue", data={f"qty-{product(HONEY).id}": "20",
                                                     f"qty-{product(OIL).id}": "10,0",
                                                     "note": "Livraison cuisine"})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    order = db.session.execute(select(Order).order_by(Order.id.desc())).scalars().first()
    assert order.buyer.ice == HOTEL_ICE and order.state == "draft"
    url = f"/orders/{order.id}"

    # 2. The operator confirms: the stock is reserved; a sale and a transfer cannot take it.
    operator = auth.client_for("operateur")
    assert operator.post(f"{url}/confirm").status_code == 302
    db.session.expire_all()
    assert order.state == "confirmed"
    assert reserved(honey_lot) == 20 and reserved(oil_lot) == 10
    with pytest.raises(InsufficientStock):
        move(honey_lot.id, Decimal(6), loc("WH-STOCK").id, virtual_location("CUSTOMERS").id,
             kind="sale")
    db.session.rollback()
    refused = operator.post("/transfers/new", data={
        "from_location_id": loc("WH-STOCK").id, "to_location_id": loc("SHOP-AIRPORT").id,
        "kind": "", "lines-0-lot_code": "LO-STORY-MIEL", "lines-0-quantity": "6"})
    assert refused.status_code == 422 and "réservé" in refused.get_data(as_text=True)

    # 3. Picked by scanning (the till's resolver): the honey by its lot code, the oil by its
    #    product barcode when it has one (one oil lot here), else its lot code.
    assert "LO-STORY-MIEL" in operator.get(url).get_data(as_text=True)
    operator.post(f"{url}/pack", data={"code": "LO-STORY-MIEL", "quantity": "20"})
    operator.post(f"{url}/pack", data={"code": product(OIL).gtin or "LO-STORY-HUILE",
                                       "quantity": "10,0"})
    db.session.expire_all()
    assert [h.packed for line in order.lines for h in line.lots] == [Decimal(20), Decimal(10)]
    assert operator.post(f"{url}/prepare").status_code == 302
    assert operator.post(f"{url}/ship").status_code == 302

    # 4. The delivery note prints; the parcel is delivered one jar short.
    note = pdf_text(operator.get(f"{url}/delivery-note.pdf"), tmp_path, "bl.pdf")
    assert "Bon de livraison" in note and order.number in note
    assert "LO-STORY-MIEL" in note and HOTEL_ICE in note
    honey_line, oil_line = order.lines
    assert operator.post(f"{url}/deliver", data={f"handed-{honey_line.id}": "19",
                                                 f"handed-{oil_line.id}": "10"}).status_code == 302
    db.session.expire_all()
    assert order.state == "delivered" and honey_line.delivered_quantity == 19
    assert reserved(honey_lot) == 0 and reserved(oil_lot) == 0  # the short jar is back on the shelf

    # 5. The invoice for 19 + 10 prints with both parties' ICE.
    assert operator.post(f"{url}/invoice").status_code == 302
    invoice = db.session.execute(select(Invoice).where(Invoice.order_id == order.id)).scalar_one()
    assert sorted(x.quantity for x in invoice.lines) == [Decimal(10), Decimal(19)]
    expected_net = 19 * honey_line.unit_price + 10 * oil_line.unit_price
    assert invoice.total_net == expected_net
    printed = pdf_text(operator.get(f"/orders/invoices/{invoice.id}.pdf"), tmp_path, "fa.pdf")
    assert invoice.number in printed and HOTEL_ICE in printed and PLATFORM_ICE in printed

    # 6. A partial payment (typed the French way) leaves the right balance.
    paid = operator.post(f"/orders/invoices/{invoice.id}/payments",
                         data={"amount": "100,50", "method": "bank_transfer",
                               "reference": "VIR 2026-11"})
    assert paid.status_code == 302
    assert buyer_balance(order.buyer_id)["balance"] == invoice.total - Decimal("100.50")

    # 7. Each cooperative's statement shows its order lines at its own rate.
    entries = db.session.execute(select(ConsignmentEntry).where(
        ConsignmentEntry.document_type == DOC_ORDER, ConsignmentEntry.document_id == order.id,
        ConsignmentEntry.kind == "sale")).scalars().all()
    by_coop = {e.cooperative_id: e for e in entries}
    honey_entry, oil_entry = by_coop[coop(JERADA).id], by_coop[coop(TAOURIRT).id]
    assert honey_entry.quantity == 19 and honey_entry.commission_rate == Decimal("0.15")
    assert oil_entry.quantity == 10 and oil_entry.commission_rate == Decimal("0.10")
    for username, registration, rate in (("admin", JERADA, "15,00"),  # no Jerada user in the demo
                                         ("coop.taourirt", TAOURIRT, "10,00")):
        client = auth.client_for(username)
        page = client.get(f"/portal/cooperatives/{coop(registration).id}/statement")
        text = page.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
        assert page.status_code == 200 and order.number in text and f"{rate} %" in text, username

    # 8. A traveller's pre-order is picked up and paid at the airport till, in the Z report.
    pre = operator.post("/orders/new", data={
        "buyer_id": buyer("Samir").id, "location_id": loc("SHOP-AIRPORT").id,
        "fulfilment": "pickup", "delivery_address": "", "note": "Vol de 18 h",
        "lines-0-product_id": product(HONEY).id, "lines-0-quantity": "2"})
    assert pre.status_code == 302, pre.get_data(as_text=True)[:800]
    preorder = db.session.execute(select(Order).order_by(Order.id.desc())).scalars().first()
    assert preorder.fulfilment == "pickup"
    assert operator.post(f"/orders/{preorder.id}/confirm").status_code == 302
    cashier = auth.client_for("caissier")
    airport = loc("SHOP-AIRPORT").id
    for session in db.session.execute(select(CashSession).where(
            CashSession.location_id == airport, CashSession.closed_at.is_(None))).scalars():
        pytest.fail(f"a till is already open at the airport: {session.id}")
    assert cashier.post(f"/shop/{airport}/open", data={"opening_float": "100"}).status_code == 302
    session = db.session.execute(select(CashSession).where(
        CashSession.location_id == airport, CashSession.closed_at.is_(None))).scalar_one()
    assert "Précommandes à retirer : 1" in cashier.get(f"/shop/{airport}/pos").get_data(as_text=True) \
        .replace("\xa0", " ").replace("\u202f", " ")
    opened = cashier.get(f"/orders/pickups?back=till&number={preorder.number}")
    assert 'id="hand-over"' in opened.get_data(as_text=True)
    handed = cashier.post("/orders/pickups", data={"number": preorder.number, "method": "cash",
                                                   "back": "till"})
    assert handed.status_code == 302 and handed.headers["Location"].endswith(f"/shop/{airport}/pos")
    db.session.expire_all()
    assert preorder.state == "invoiced"
    due = db.session.execute(select(Invoice.total).where(Invoice.order_id == preorder.id)).scalar()
    closed = cashier.post(f"/shop/sessions/{session.id}/close",
                          data={"counted_cash": f"{Decimal(100) + due}".replace(".", ",")})
    assert closed.status_code == 302, closed.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    assert session.difference == 0 and session.expected_cash == Decimal(100) + due
    z_page = cashier.get(f"/shop/sessions/{session.id}/z").get_data(as_text=True)
    assert preorder.number in z_page and 'id="z-preorders"' in z_page
    z_pdf = pdf_text(cashier.get(f"/api/v1/cash-sessions/{session.id}/z.pdf"), tmp_path, "z.pdf")
    assert preorder.number in z_pdf and "RAPPORT Z" in z_pdf

    # 9. The books hold: reservations within stock, every delivered line moved and owed.
    assert order_problems() == [] and integrity_mismatches() == []
    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 0, result.output
