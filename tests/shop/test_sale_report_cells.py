"""The open data's cells (models/report_cells.py) are kept by the till's postings in their own
transaction: a sale, a refund (restocked or written off) and an offline sale each land in the
day's and the month's cell of their cooperative, product family and outlet type, and the
table still equals the ledger."""
from decimal import Decimal

from sqlalchemy import text
from tests.shop.shop_helpers import FIGUIG, TAOURIRT, coop, sale_body
from tests.shop.test_offline_sales import device, offline_body  # noqa: F401  (the fixture)

from extensions import db
from models import report_cells
from models.report_summaries import ledger_sums


def airport_cells(registration):
    """{(grain, family): (entries, quantity, gross)} of a cooperative at the airport."""
    return {(g, f): (n, Decimal(str(q)).quantize(Decimal("0.001")), Decimal(str(gr)).quantize(Decimal("0.01")))
            for g, f, n, q, gr in db.session.execute(text(
                "SELECT grain, family, entries, quantity, gross FROM report_cells "
                "WHERE cooperative_id = :c AND outlet_type = 'airport'"), {"c": coop(registration).id})}


def equal_to_the_ledger():
    conn = db.session.connection()
    return report_cells.mismatches(conn, ledger_sums(conn)) == []


def test_a_sale_and_its_refunds_keep_the_cells(client, cashier_headers, airport, shop_stock, open_till):
    r = client.post("/api/v1/sales", headers=cashier_headers, json=sale_body(
        airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "3"},
                     {"lot_id": shop_stock["oil"].id, "quantity": "1"}], [{"method": "cash", "amount": "300"}]))
    assert r.status_code == 201, r.get_json()
    sale = r.get_json()
    cells = airport_cells(FIGUIG)
    assert cells[("day", "dates")] == cells[("month", "dates")] == (1, Decimal("3.000"), Decimal("165.00"))
    assert airport_cells(TAOURIRT)[("month", "olive_oil")] == (1, Decimal("1.000"), Decimal("110.00"))
    assert equal_to_the_ledger()
    dates_line = next(line["id"] for line in sale["lines"] if line["lot_id"] == shop_stock["dates"].id)
    for restock in (True, False):
        r = client.post(f"/api/v1/sales/{sale['id']}/refunds", headers=cashier_headers,
                        json={"lines": [{"sale_line_id": dates_line, "quantity": "1", "restock": restock}],
                              "reason": "abîmé"})
        assert r.status_code == 201, r.get_json()
    cells = airport_cells(FIGUIG)
    assert cells[("day", "dates")] == cells[("month", "dates")] == (3, Decimal("1.000"), Decimal("55.00"))
    assert equal_to_the_ledger()


def test_an_offline_sale_keeps_the_cells(client, cashier_headers, airport, open_till, device,  # noqa: F811
                                         shop_stock):
    r = client.post("/api/v1/offline-sales", json=offline_body(airport, device, open_till, 1,
                                                               shop_stock["dates"], qty="2"),
                    headers=cashier_headers)
    assert r.status_code == 201, r.get_json()
    assert airport_cells(FIGUIG)[("month", "dates")] == (1, Decimal("2.000"), Decimal("110.00"))
    month = db.session.execute(text("SELECT day FROM report_cells WHERE grain = 'month'")).scalar()
    assert str(month)[8:10] == "01"  # the month's cell is keyed by its first day
    assert equal_to_the_ledger()
