"""The open data's cells (models/report_cells.py) on the demo activity: equal to the ledger,
rebuilt equal (from the entries, or from the daily and monthly summaries), a tampered row
caught by `flask integrity-check`, master-data edits moving the sums to their new cell, and
the open data's cells (small-cell suppression included) what the fine summaries gave before."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from extensions import db
from models import report_cells, reports_provinces
from models import reports as R
from models.report_summaries import ledger_sums, rebuild, summary_mismatches
from tests.reports.test_reports_services import activity  # noqa: F401  (the fixture)


def cells():
    """{key: (entries, quantity, gross, amount)} of the table as kept."""
    return {(g, str(d)[:10], c, f, o): (n, Decimal(str(q)).quantize(Decimal("0.001")),
                                       Decimal(str(gr)).quantize(Decimal("0.01")),
                                       Decimal(str(a)).quantize(Decimal("0.01")))
            for g, d, c, f, o, n, q, gr, a in db.session.execute(text(
                "SELECT grain, day, cooperative_id, family, outlet_type, entries, quantity, gross, "
                "amount FROM report_cells"))}


def cell_mismatches():
    conn = db.session.connection()
    return report_cells.mismatches(conn, ledger_sums(conn))


def old_open_data(d0, d1, threshold):
    """The open data as it was computed before the cells: grouped fine summary rows, distinct
    cooperatives counted per cell in Python (the reference the cells must reproduce)."""
    facts, provinces = R.product_facts(), R.cooperative_provinces()
    codes = dict(db.session.execute(text("SELECT id, code FROM locations")).all())
    out = {}
    for mon, coop, product, location, _q, gross, _c, owed, _a in R.grouped(
            d0, d1, R.SALE_KINDS, "month", "cooperative_id", "product_id", "location_id"):
        fam = facts[product][0] if product in facts else "other"
        key = (mon, provinces.get(coop), fam, report_cells.outlet_type(codes.get(location)))
        c = out.setdefault(key, {"coops": set(), "gross": Decimal(0), "owed": Decimal(0)})
        c["coops"].add(coop)
        c["gross"] += R.dec(gross)
        c["owed"] += R.dec(owed)
    return sorted((k + (len(c["coops"]), R.money(c["gross"]), R.money(c["owed"])))
                  for k, c in out.items() if len(c["coops"]) >= threshold)


def new_open_data(d0, d1, threshold):
    return sorted((r["month"], r["province"], r["product_family"], r["outlet_type"], r["cooperatives"],
                   r["sales_mad"], r["cooperatives_revenue_mad"])
                  for r in reports_provinces.open_data_monthly(d0, d1, threshold=threshold))


def test_the_cells_equal_the_ledger_and_rebuild_equal(activity):  # noqa: F811
    kept = cells()
    assert kept and {k[0] for k in kept} == {"day", "month"}
    assert {k[4] for k in kept} <= set(report_cells.OUTLET_TYPES)
    assert cell_mismatches() == []
    db.session.execute(text("DELETE FROM report_cells"))
    rebuild()
    assert cells() == kept
    report_cells.fill_from_summaries(db.session.connection())
    assert cells() == kept
    assert summary_mismatches() == []


def test_the_open_data_is_what_the_fine_summaries_gave(activity):  # noqa: F811
    d0, d1 = activity
    mid = d0 + (d1 - d0) / 2
    for period in ((d0, d1), (d0 + timedelta(days=5), mid), (mid, mid + timedelta(days=3))):
        for threshold in (1, 2, reports_provinces.SMALL_CELL):
            assert new_open_data(*period, threshold) == old_open_data(*period, threshold), (period, threshold)
    every = new_open_data(d0, d1, 1)
    assert every and len(new_open_data(d0, d1, reports_provinces.SMALL_CELL)) <= len(every)


@pytest.mark.parametrize("tamper", [
    "UPDATE report_cells SET gross = gross + 1 WHERE grain = 'month'",
    "DELETE FROM report_cells WHERE grain = 'day'",
    "INSERT INTO report_cells (grain, day, cooperative_id, family, outlet_type, entries, quantity, gross, "
    "commission, amount) VALUES ('month', '2001-01-01', 1, 'dates', 'stand', 1, 1, 1, 0, 1)",
])
def test_integrity_check_catches_a_tampered_cell(activity, runner, tamper):  # noqa: F811
    assert runner.invoke(args=["integrity-check"]).exit_code == 0
    db.session.execute(text(tamper))
    db.session.commit()
    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 1
    assert "report_cells" in result.output
    assert runner.invoke(args=["rebuild-report-summaries"]).exit_code == 0
    assert runner.invoke(args=["integrity-check"]).exit_code == 0


def test_a_product_changing_family_moves_its_cells(activity):  # noqa: F811
    from models.catalogue import Product
    from models.masterdata import save_product

    d0, d1 = activity
    sold = db.session.execute(text(
        "SELECT product_id FROM consignment_daily WHERE kind = 'sale' ORDER BY gross DESC")).scalar()
    product = db.session.get(Product, sold)
    before = new_open_data(d0, d1, 1)
    new_family = "crafts" if product.category != "crafts" else "other"
    save_product({"category": new_family}, product)
    db.session.commit()
    assert cell_mismatches() == []
    after = new_open_data(d0, d1, 1)
    assert after != before and after == old_open_data(d0, d1, 1)
    assert any(r[2] == new_family for r in after)


def test_a_location_becoming_or_leaving_the_airport_moves_its_cells(activity):  # noqa: F811
    from models.masterdata import save_location
    from models.stock import Location

    d0, d1 = activity
    airport = db.session.execute(db.select(Location).where(Location.code == "SHOP-AIRPORT")).scalar_one()
    assert any(r[3] == "airport" for r in new_open_data(d0, d1, 1))
    save_location({"code": "SHOP-AIRPORT-OLD"}, airport)
    db.session.commit()
    assert cell_mismatches() == []
    assert not any(r[3] == "airport" for r in new_open_data(d0, d1, 1))
    assert new_open_data(d0, d1, 1) == old_open_data(d0, d1, 1)
    save_location({"code": "SHOP-AIRPORT"}, airport)
    db.session.commit()
    assert cell_mismatches() == []
    assert any(r[3] == "airport" for r in new_open_data(d0, d1, 1))
