"""Every order transition, invoice, payment and credit note writes its audit entry in the
transaction of the change: shown on the order's (and invoice's) page to staff, filtered on
the admin's audit page, never to the buyer; a refused or rolled-back step leaves none."""
import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from extensions import db
from models.audit import AuditEntry
from models.orders_invoices import credit_note, invoice_order, record_payment
from models.orders_drafts import create_order
from models.orders_posting import (WrongState, cancel_order, confirm_order, deliver_order, pack,
                                   prepare_order, ship_order)
from tests.orders.conftest import HONEY, JERADA, OIL, TAOURIRT, buyer
from tests.shop.shop_helpers import loc, product, user


def _log(object_type, object_id):
    return db.session.execute(select(AuditEntry).where(
        AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id)).scalars().all()


def test_each_step_of_an_order_is_in_the_audit_log(auth, make_lot):
    honey_lot = make_lot(HONEY, JERADA, 12)
    oil_lot = make_lot(OIL, TAOURIRT, 30)
    operator = user("operateur").id
    order = create_order(buyer_id=buyer("Hôtel").id, location_id=loc("WH-STOCK").id, user_id=operator,
                         lines=[{"product_id": product(HONEY).id, "quantity": "20"},
                                {"product_id": product(OIL).id, "quantity": "10"}])
    db.session.commit()
    order, backorder = confirm_order(order.id, partial=True, user_id=operator)
    pack(order.id, lot_id=honey_lot.id, quantity="12")
    pack(order.id, lot_id=oil_lot.id, quantity="10")
    prepare_order(order.id, user_id=operator)
    ship_order(order.id, user_id=operator)
    honey_line = order.lines[0]
    deliver_order(order.id, handed={honey_line.id: "11"}, user_id=operator)
    invoice = invoice_order(order.id, user_id=operator)
    record_payment(invoice.id, amount="100", method="cheque", reference="CHQ-7", user_id=operator)
    note = credit_note(invoice.id, returns={honey_line.id: "1"}, reason="Pot fêlé", user_id=operator)
    cancel_order(backorder.id, reason="Le client n'en veut plus", user_id=operator)
    db.session.commit()

    entries = _log("order", order.id)
    assert [e.action for e in entries] == ["create", "confirm", "pack", "pack", "prepare", "ship", "deliver", "invoice"]
    assert all(e.user_id == operator for e in entries if e.action != "pack")
    create, confirm, packed, _oil, prepare, ship, deliver, invoiced = entries
    assert packed.after_data == {"state": "confirmed", "lot": honey_lot.code, "quantity": "12"}
    assert create.after_data["lines"] == f"{HONEY} × 20; {OIL} × 10"
    assert confirm.before_data == {"state": "draft"} and confirm.after_data["state"] == "confirmed"
    assert confirm.after_data["partial"] == "1" and confirm.after_data["backorder"] == backorder.number
    assert confirm.after_data["reserved"] == f"{HONEY} × 12; {OIL} × 10"
    assert confirm.after_data["backordered"] == f"{HONEY} × 8"
    assert (prepare.before_data["state"], prepare.after_data["state"]) == ("confirmed", "prepared")
    assert ship.after_data["state"] == "shipped"
    assert deliver.after_data["handed"] == f"{HONEY} × 11; {OIL} × 10"
    assert deliver.after_data["short"] == f"{HONEY} × 1"
    assert invoiced.after_data == {"state": "invoiced", "invoice": invoice.number}
    back = _log("order", backorder.id)
    assert [e.action for e in back] == ["create", "cancel"]
    assert back[0].after_data["backorder_of"] == order.number
    assert back[1].after_data == {"state": "cancelled", "reason": "Le client n'en veut plus"}
    assert back[1].before_data == {"state": "draft"}
    inv = _log("invoice", invoice.id)
    assert [e.action for e in inv] == ["issue", "payment", "credit_note"]
    assert inv[1].after_data["amount"] == "100" and inv[1].after_data["method"] == "cheque"
    assert inv[1].after_data["due"] == format((invoice.total - 100).normalize(), "f")
    assert inv[2].after_data["credit_note"] == note.number
    issued = _log("invoice", note.id)
    assert issued[0].action == "issue" and issued[0].after_data["credits"] == invoice.number
    assert issued[0].after_data["reason"] == "Pot fêlé" and HONEY in issued[0].after_data["returned"]

    # The order's page shows its history (and its invoices') to staff, in French.
    admin = auth.client_for("admin")
    text = admin.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Historique" in text
    for label in ("confirmée", "préparée", "expédiée", "livrée", "facturée", "paiement reçu", "avoir émis"):
        assert label in text, label
    assert "paiement reçu" in admin.get(f"/orders/invoices/{invoice.id}").get_data(as_text=True)
    # The admin's audit page filters by orders and invoices.
    log_page = admin.get(f"/admin/audit?object_type=order&object_id={backorder.id}").get_data(as_text=True)
    assert "Le client n&#39;en veut plus" in log_page or "Le client n'en veut plus" in log_page
    assert 'value="order"' in log_page and 'value="invoice"' in log_page and 'value="buyer"' in log_page
    # In Arabic too.
    admin.post("/lang/ar")
    refresh()  # the suite's app context keeps a request's locale in `g`
    assert "أُكِّدت" in admin.get(f"/orders/{order.id}").get_data(as_text=True)
    # The buyer sees its order, not the log (who did what, from which address).
    hotel = auth.client_for("acheteur.hotel")
    page = hotel.get(f"/orders/{order.id}")
    assert page.status_code == 200 and 'id="history-title"' not in page.get_data(as_text=True)


def test_a_pickup_is_logged_ready_and_a_refused_step_logs_nothing(app, make_lot):
    make_lot(HONEY, JERADA, 5, at="SHOP-AIRPORT")
    order = create_order(buyer_id=buyer("Samir").id, location_id=loc("SHOP-AIRPORT").id,
                         fulfilment="pickup", lines=[{"product_id": product(HONEY).id, "quantity": "2"}])
    confirm_order(order.id)
    prepare_order(order.id)
    ship_order(order.id)
    db.session.commit()
    assert _log("order", order.id)[-1].action == "ready"
    assert _log("order", order.id)[-1].after_data["state"] == "ready_for_pickup"
    count = db.session.execute(select(func.count(AuditEntry.id))).scalar()
    with pytest.raises(WrongState):
        confirm_order(order.id)
    db.session.rollback()
    # A step rolled back takes its entry with it (same transaction).
    cancel_order(order.id, reason="test")
    db.session.rollback()
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar() == count


def test_buyer_master_data_is_audited(auth):
    admin = auth.client_for("admin")
    hotel = buyer("Hôtel")
    r = admin.post(f"/orders/buyers/{hotel.id}/edit", data={
        "kind": "business", "name": hotel.name, "ice": hotel.ice or "", "payment_terms_days": "60",
        "price_list_id": "0", "active": "y"})
    assert r.status_code == 302
    entries = _log("buyer", hotel.id)
    assert entries[-1].action == "update" and entries[-1].after_data["payment_terms_days"] == "60"
    assert "Historique" in admin.get(f"/orders/buyers/{hotel.id}").get_data(as_text=True)
    r = admin.post("/orders/buyers/new", data={"kind": "private", "name": "Yasmine B.",
                                               "payment_terms_days": "0", "price_list_id": "0"})
    assert r.status_code == 302
    new_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    assert [e.action for e in _log("buyer", new_id)] == ["create"]
