"""Invoices numbered per year without gaps, VAT per category from configuration (0 % allowed),
due dates from payment terms, partial payments and the balance, credit notes for returns."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models import clock
from models.books_check import books_problems
from models.consignment import ConsignmentEntry
from models.errors import DomainError
from models.ledger import available_to_promise, integrity_mismatches
from models.orders_invoices import buyer_balance, credit_note, invoice_order, outstanding, record_payment
from models.orders_drafts import create_order
from models.orders_posting import confirm_order, deliver_order, prepare_order, ship_order
from tests.orders.conftest import HONEY, JERADA, OIL, TAOURIRT, buyer
from tests.shop.shop_helpers import loc, product


@pytest.fixture
def app_config():
    """Honey at 0 % VAT, olive oil at 10 %, the rest at the default 20 %."""
    return {"ORDER_TAX_RATES": {"honey": Decimal("0"), "olive_oil": Decimal("0.10")}}


def delivered_order(make_lot, honey=20, oil=10, handed_honey=None):
    make_lot(HONEY, JERADA, 40)
    make_lot(OIL, TAOURIRT, 30)
    order = create_order(buyer_id=buyer().id, location_id=loc("WH-STOCK").id, lines=[
        {"product_id": product(HONEY).id, "quantity": honey},
        {"product_id": product(OIL).id, "quantity": oil}])
    confirm_order(order.id)
    prepare_order(order.id)
    ship_order(order.id)
    handed = {order.lines[0].id: handed_honey} if handed_honey is not None else None
    deliver_order(order.id, handed=handed)
    db.session.commit()
    return order


def test_invoice_for_what_was_handed_over_with_tax_per_category(app, make_lot):
    order = delivered_order(make_lot, handed_honey="19")
    invoice = invoice_order(order.id)
    db.session.commit()
    year = clock.today().year
    assert invoice.number == f"FA-{year}-00001" and order.state == "invoiced"
    honey, oil = invoice.lines
    assert honey.quantity == 19 and honey.tax_rate == 0 and honey.tax == 0
    assert oil.tax_rate == Decimal("0.10") and oil.tax == (oil.net * Decimal("0.10")).quantize(Decimal("0.01"))
    assert invoice.total == invoice.total_net + invoice.total_tax == honey.total + oil.total
    assert invoice.due_on == invoice.issued_on + timedelta(days=30)  # the hotel's terms
    with pytest.raises(DomainError):
        invoice_order(order.id)  # once only
    db.session.rollback()
    second = invoice_order(delivered_order(make_lot).id)
    db.session.commit()
    assert second.number == f"FA-{year}-00002"


def test_partial_payment_leaves_the_right_balance(app, make_lot):
    invoice = invoice_order(delivered_order(make_lot).id)
    db.session.commit()
    record_payment(invoice.id, amount="1000.00", method="bank_transfer", reference="VIR 123")
    db.session.commit()
    assert outstanding(invoice) == invoice.total - Decimal("1000.00")
    balance = buyer_balance(invoice.buyer_id)
    assert balance["balance"] == invoice.total - Decimal("1000.00")
    with pytest.raises(DomainError) as exc:
        record_payment(invoice.id, amount=str(invoice.total), method="cash")
    assert exc.value.code == "overpayment"
    db.session.rollback()
    record_payment(invoice.id, amount=str(outstanding(invoice)), method="cheque")
    db.session.commit()
    assert buyer_balance(invoice.buyer_id)["balance"] == 0


def test_credit_note_restocks_and_reverses_the_cooperative_entry(app, make_lot):
    order = delivered_order(make_lot)
    invoice = invoice_order(order.id)
    db.session.commit()
    honey_line = order.lines[0]
    lot_id = honey_line.lots[0].lot_id
    before = available_to_promise(lot_id, loc("WH-STOCK").id)
    note = credit_note(invoice.id, returns={honey_line.id: "2"}, reason="Pots fêlés")
    db.session.commit()
    assert note.number == f"AV-{clock.today().year}-00001" and note.kind == "credit_note"
    assert note.total == 2 * honey_line.unit_price  # honey at 0 %
    assert available_to_promise(lot_id, loc("WH-STOCK").id) == before + 2
    refund = db.session.execute(select(ConsignmentEntry).where(
        ConsignmentEntry.document_type == "order_credit_note")).scalar_one()
    assert refund.kind == "refund" and refund.commission_rate == Decimal("0.15")
    assert refund.gross == -(2 * honey_line.unit_price)
    assert buyer_balance(invoice.buyer_id)["balance"] == invoice.total - note.total
    with pytest.raises(DomainError):
        credit_note(invoice.id, returns={honey_line.id: "19"}, reason="trop")
    db.session.rollback()
    written_off = credit_note(invoice.id, returns={honey_line.id: "1"}, reason="Cassé",
                              restock=False)
    db.session.commit()
    assert written_off.number.endswith("00002")
    assert books_problems() == [] and integrity_mismatches() == []


def test_invoice_pages_pdf_with_both_parties_ice_payment_and_credit_note(app, auth, make_lot,
                                                                        tmp_path):
    import subprocess

    app.config.update(PLATFORM_ICE="002345678000012", PLATFORM_IF="1234567", PLATFORM_RC="RC 999")
    order = delivered_order(make_lot, handed_honey="19")
    client = auth.client_for("admin")
    response = client.post(f"/orders/{order.id}/invoice")
    assert response.status_code == 302
    db.session.expire_all()
    invoice = order_invoice(order)
    page = client.get(f"/orders/invoices/{invoice.id}")
    assert page.status_code == 200 and invoice.number in page.get_data(as_text=True)
    pdf = client.get(f"/orders/invoices/{invoice.id}.pdf")
    path = tmp_path / "fa.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True).stdout
    assert "Facture" in text and "002345678000012" in text and "001234567000089" in text
    assert "RC 999" in text and "45123456" in text
    # A partial payment typed the French way.
    client.post(f"/orders/invoices/{invoice.id}/payments",
                data={"amount": "1 000,50", "method": "bank_transfer", "reference": "VIR"})
    assert buyer_balance(invoice.buyer_id)["balance"] == invoice.total - Decimal("1000.50")
    bad = client.post(f"/orders/invoices/{invoice.id}/payments",
                      data={"amount": "mille", "method": "cash"}, follow_redirects=True)
    assert bad.status_code == 200
    # Returns: one jar back on the shelf, with an Arabic reason.
    honey_line = order.lines[0]
    response = client.post(f"/orders/invoices/{invoice.id}/credit-note",
                           data={f"return-{honey_line.id}": "1,0", "reason": "جرة مكسورة",
                                 "restock": "y"})
    assert response.status_code == 302
    buyer_page = auth.client_for("acheteur.hotel").get("/orders/invoices").get_data(as_text=True)
    assert invoice.number in buyer_page


def order_invoice(order):
    from models.orders import Invoice

    return db.session.execute(select(Invoice).where(Invoice.order_id == order.id,
                                                    Invoice.kind == "invoice")).scalar_one()
