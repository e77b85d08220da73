"""The issue's "done when", through HTTP: open the till with 200 MAD, scan three labelled
items, take 500 MAD cash, print the receipt, refund one line, close counting the cash; the
Z report, the shop's stock and each cooperative's consignment entries agree to the centime.
The same sale posted twice is recorded once."""
from decimal import Decimal

from tests.shop.shop_helpers import FIGUIG, JERADA, TAOURIRT, coop, gs1, product, sale_body
from sqlalchemy import func, select

from extensions import db
from models.consignment import ConsignmentEntry
from models.ledger import available, integrity_mismatches
from models.sales import Sale


def owed(registration):
    """Sum of a cooperative's consignment entries."""
    return db.session.execute(select(func.coalesce(func.sum(ConsignmentEntry.amount), 0)).where(
        ConsignmentEntry.cooperative_id == coop(registration).id)).scalar()


def test_a_day_at_the_airport_till(client, cashier_headers, airport, shop_stock, open_till):
    h = cashier_headers
    dates, oil, honey = shop_stock["dates"], shop_stock["oil"], shop_stock["honey"]
    # Three labels: a Code 128 lot code, a GS1-128 with ]C1, the EAN-13 beside a label.
    codes = [dates.code, gs1(product("HUI-EV-1L").gtin, oil.code, oil.best_before),
             product("MIE-TH-250").gtin]
    scanned = []
    for code in codes:
        r = client.get(f"/api/v1/shops/{airport.id}/scan", query_string={"code": code}, headers=h)
        assert r.status_code == 200, r.get_json()
        scanned.append(r.get_json())
    assert [s["lot_id"] for s in scanned] == [dates.id, oil.id, honey.id]
    assert [s["unit_price"] for s in scanned] == ["55.00", "110.00", "85.00"]

    body = sale_body(airport.id, [{"barcode": c, "quantity": "1"} for c in codes],
                     [{"method": "cash", "amount": "500"}], client_ref="7f1c9a8e-first-cart")
    r = client.post("/api/v1/sales", json=body, headers=h)
    assert r.status_code == 201, r.get_json()
    sale = r.get_json()
    assert (sale["total"], sale["change"], sale["number"]) == ("250.00", "250.00", "AIR-000001")
    assert [(ln["lot_id"], ln["quantity"], ln["unit_price"], ln["total"]) for ln in sale["lines"]] == [
        (dates.id, "1.000", "55.00", "55.00"), (oil.id, "1.000", "110.00", "110.00"),
        (honey.id, "1.000", "85.00", "85.00")]
    # The connection dropped before the answer: the till posts the same cart again.
    again = client.post("/api/v1/sales", json=body, headers=h)
    assert again.status_code == 200 and again.get_json()["id"] == sale["id"]
    assert db.session.execute(select(func.count(Sale.id))).scalar() == 1
    assert available(dates.id, airport.id) == Decimal("9.000")

    # Receipt: original, then a reprint marked as a copy.
    pdf = client.get(f"/api/v1/sales/{sale['id']}/receipt.pdf", headers=h)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/api/v1/sales/{sale['id']}", headers=h).get_json()["print_count"] == 1
    client.get(f"/api/v1/sales/{sale['id']}/receipt.pdf", headers=h)
    assert client.get(f"/api/v1/sales/{sale['id']}", headers=h).get_json()["print_count"] == 2

    # The honey comes back unopened: refunded in cash, back on the shelf.
    honey_line = sale["lines"][2]
    r = client.post(f"/api/v1/sales/{sale['id']}/refunds", headers=h, json={
        "lines": [{"sale_line_id": honey_line["id"], "quantity": "1", "restock": True}],
        "reason": "Client a changé d'avis"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["total"] == "85.00"

    # Close: 200 float + 500 taken − 250 change − 85 refunded = 365 in the drawer.
    r = client.post(f"/api/v1/cash-sessions/{open_till['id']}/close", json={"counted_cash": "365.00"},
                    headers=h)
    assert r.status_code == 200, r.get_json()
    z = r.get_json()
    assert (z["sales_count"], z["sales_total"], z["by_method"]["cash"], z["refunds_total"],
            z["expected_cash"], z["counted_cash"], z["difference"]) == (
        1, "250.00", "250.00", "85.00", "365.00", "365.00", "0.00")
    assert z["net_total"] == "165.00"
    assert client.get(f"/api/v1/cash-sessions/{open_till['id']}/z.pdf", headers=h).data.startswith(b"%PDF")

    # Stock: one date box and one oil bottle gone, the honey back.
    assert (available(dates.id, airport.id), available(oil.id, airport.id),
            available(honey.id, airport.id)) == (Decimal("9.000"), Decimal("4.000"), Decimal("8.000"))
    assert integrity_mismatches() == []
    # Consignment: line total less commission at each cooperative's rate; the refund reversed.
    assert owed(FIGUIG) == Decimal("48.40")      # 55 × (1 − 0.12)
    assert owed(TAOURIRT) == Decimal("99.00")    # 110 × (1 − 0.10)
    assert owed(JERADA) == Decimal("0.00")       # 85 × 0.85 owed, then reversed
    gross = db.session.execute(select(func.sum(ConsignmentEntry.gross))).scalar()
    assert gross == Decimal(z["net_total"])
