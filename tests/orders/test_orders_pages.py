"""The staff's order pages: draft, confirm, pick by scanning, ship with a delivery note,
deliver one jar short; recall reaches the order; bad input never a 500."""
import subprocess
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.orders import Order
from models.stock_traceability import recall
from tests.orders.conftest import HONEY, JERADA, OIL, TAOURIRT, buyer
from tests.shop.shop_helpers import loc, product


def _new_order(client, lines, **extra):
    data = {"buyer_id": buyer().id, "location_id": loc("WH-STOCK").id, "fulfilment": "delivery",
            "delivery_address": "", "note": extra.get("note", "")}
    for i, (sku, qty) in enumerate(lines):
        data[f"lines-{i}-product_id"] = product(sku).id
        data[f"lines-{i}-quantity"] = qty
    return client.post("/orders/new", data=data)


def test_staff_flow_with_scanning_and_delivery_note(auth, make_lot, tmp_path):
    honey = make_lot(HONEY, JERADA, 40, code="LO-MIEL-A")
    make_lot(OIL, TAOURIRT, 30, code="LO-HUILE-A")
    client = auth.client_for("operateur")
    assert client.get("/orders/").status_code == 200
    assert client.get("/orders/new").status_code == 200
    response = _new_order(client, [(HONEY, "20"), (OIL, "10")], note="Livraison cuisine – مطبخ")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    order = db.session.execute(select(Order).order_by(Order.id.desc())).scalars().first()
    url = f"/orders/{order.id}"
    assert client.post(f"{url}/confirm").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "LO-MIEL-A" in page, page[page.find("<main"):][:3000]
    # Scan a lot code into the parcel (the till's resolver reads it).
    client.post(f"{url}/pack", data={"code": "LO-MIEL-A", "quantity": "20"})
    client.post(f"{url}/pack", data={"code": "LO-HUILE-A", "quantity": "10,0"})
    wrong = client.post(f"{url}/pack", data={"code": "NO-SUCH-LOT", "quantity": "1"},
                        follow_redirects=True)
    assert wrong.status_code == 200
    db.session.expire_all()
    assert [h.packed for line in order.lines for h in line.lots] == [Decimal(20), Decimal(10)]
    assert client.post(f"{url}/prepare").status_code == 302
    assert client.post(f"{url}/ship").status_code == 302
    pdf = client.get(f"{url}/delivery-note.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    path = tmp_path / "bl.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True).stdout
    assert "Bon de livraison" in text and "LO-MIEL-A" in text and order.number in text
    assert "001234567000089" in text  # the buyer's ICE
    honey_line, oil_line = order.lines
    bad = client.post(f"{url}/deliver", data={f"handed-{honey_line.id}": "vingt"},
                      follow_redirects=True)
    assert bad.status_code == 200
    response = client.post(f"{url}/deliver", data={f"handed-{honey_line.id}": "19",
                                                   f"handed-{oil_line.id}": "10"})
    assert response.status_code == 302
    db.session.expire_all()
    assert order.state == "delivered" and honey_line.delivered_quantity == 19
    # The recall of the honey lot names the order.
    found = recall(honey)
    assert any(s["document_type"] == "order" and s["document"]["label"] == order.number
               for s in found["sales"]), found["sales"]
    # The oil's cooperative reads the order on its statement, beside its till sales.
    coop_client = auth.client_for("coop.taourirt")
    from tests.shop.shop_helpers import coop
    statement = coop_client.get(f"/portal/cooperatives/{coop(TAOURIRT).id}/statement")
    assert statement.status_code == 200 and order.number in statement.get_data(as_text=True)


def test_shortage_is_shown_per_line_and_nothing_is_half_written(auth, make_lot):
    make_lot(HONEY, JERADA, 3)
    client = auth.client_for("admin")
    _new_order(client, [(HONEY, "5")])
    order = db.session.execute(select(Order).order_by(Order.id.desc())).scalars().first()
    page = client.post(f"/orders/{order.id}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "5 demandé" in page.replace("5,000", "5").replace("\u202f", " ") or "demandé" in page
    db.session.expire_all()
    assert order.state == "draft"
    client.post(f"/orders/{order.id}/confirm", data={"partial": "1"})
    db.session.expire_all()
    assert order.state == "confirmed" and order.lines[0].backordered_quantity == 2


def test_order_form_refuses_bad_input_in_french_and_arabic(auth):
    client = auth.client_for("operateur")
    response = _new_order(client, [(HONEY, "abc")], note="ملاحظة")
    assert response.status_code == 422
    response = client.post("/orders/new", data={"buyer_id": buyer().id,
                                                "location_id": loc("WH-STOCK").id,
                                                "fulfilment": "delivery"})
    assert response.status_code == 422
    assert "au moins une ligne" in response.get_data(as_text=True)
    assert client.post("/orders/999999/cancel", data={"reason": "x"}).status_code == 404


def test_other_roles_are_refused(auth):
    for username in ("caissier", "coop.figuig", "observatoire"):
        client = auth.client_for(username)
        assert client.get("/orders/").status_code == 403
        assert client.get("/orders/new").status_code == 403
