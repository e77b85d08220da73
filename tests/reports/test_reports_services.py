"""The observatory's figures at service level, on the demo activity: every report's totals
reconcile with the sales, receptions, movements and consignment entries they summarise; the
summary tables equal the ledger; the open data has no small cell and validates."""
import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from extensions import db
from models import reports as R
from models import reports_provinces, reports_revenue, reports_stock
from models.clock import today as local_today
from models.consignment import ConsignmentEntry, balance
from models.cooperatives import PROVINCES
from models.report_summaries import rebuild, summary_mismatches
from models.sales import RefundLine, Sale, SaleLine
from models.stock import Location, StockMovement
from models.warehouse import Reception, ReceptionLine



@pytest.fixture
def activity(app):
    """The demo master data plus each area's demo activity, through the services."""
    from demo import seed_demo

    seed_demo(activity=True)
    db.session.commit()
    first = db.session.execute(select(func.min(ConsignmentEntry.created_at))).scalar()
    last = db.session.execute(select(func.max(ConsignmentEntry.created_at))).scalar()
    received = db.session.execute(select(func.min(Reception.received_on))).scalar()
    return min(first.date(), received) - timedelta(days=3), last.date() + timedelta(days=3)


def ledger_sales(start_day, end_day):
    """Gross of the sale lines less refunds, straight from the sales tables (UTC bounds)."""
    from models.consignment_statements import period_bounds

    start, end = period_bounds(start_day, end_day)
    gross = db.session.execute(select(func.coalesce(func.sum(SaleLine.total), 0))
                               .join(Sale, Sale.id == SaleLine.sale_id)
                               .where(Sale.created_at >= start, Sale.created_at < end)).scalar()
    from models.sales import Refund

    refunded = db.session.execute(select(func.coalesce(func.sum(RefundLine.amount), 0))
                                  .join(Refund, Refund.id == RefundLine.refund_id)
                                  .where(Refund.created_at >= start, Refund.created_at < end)).scalar()
    return Decimal(str(gross)) - Decimal(str(refunded))


def entry_sums(start_day, end_day, kinds):
    """Sums of consignment entries of `kinds` in the period (amount, gross, commission)."""
    from models.consignment_statements import period_bounds

    start, end = period_bounds(start_day, end_day)
    e = ConsignmentEntry
    row = db.session.execute(select(func.coalesce(func.sum(e.amount), 0), func.coalesce(func.sum(e.gross), 0),
                                    func.coalesce(func.sum(e.commission), 0))
                             .where(e.kind.in_(kinds), e.created_at >= start, e.created_at < end)).one()
    return tuple(Decimal(str(v)).quantize(Decimal("0.01")) for v in row)


def test_summaries_equal_the_ledger_and_rebuild_is_idempotent(activity):
    assert summary_mismatches() == []
    rebuild()
    assert summary_mismatches() == []


def test_sales_reports_reconcile_with_sales_and_entries(activity):
    d0, d1 = activity
    gross = ledger_sales(d0, d1)
    assert gross > 0
    owed, entry_gross, commission = entry_sums(d0, d1, ("sale", "refund"))
    assert entry_gross == gross
    for dim in R.SALES_DIMENSIONS:
        report = R.sales_report(dim, d0, d1)
        t = report["totals"]
        assert (t["gross"], t["owed"], t["commission"]) == (gross, owed, commission), dim
        assert sum(r["gross"] for r in report["rows"]) == gross
        assert report["previous_totals"]["gross"] == 0


def test_a_period_cut_mid_month_reads_edges_day_by_day(activity):
    d0, d1 = activity
    middle = d0 + (d1 - d0) / 2
    for lo, hi in ((d0, middle), (middle + timedelta(days=1), d1), (d0 + timedelta(days=5), d1)):
        assert R.sales_total(lo, hi)["gross"] == ledger_sales(lo, hi), (lo, hi)
    assert R.split_period(date(2026, 1, 15), date(2026, 5, 20)) == (
        (date(2026, 2, 1), date(2026, 5, 1)), [(date(2026, 1, 15), date(2026, 1, 31)),
                                               (date(2026, 5, 1), date(2026, 5, 20))])
    assert R.split_period(date(2026, 1, 1), date(2026, 1, 31)) == ((date(2026, 1, 1), date(2026, 2, 1)), [])
    assert R.split_period(date(2026, 1, 3), date(2026, 1, 9)) == (None, [(date(2026, 1, 3), date(2026, 1, 9))])


def test_revenue_reconciles_with_the_consignment_entries(activity):
    d0, d1 = activity
    report = reports_revenue.revenue(d0, d1, "cooperative")
    owed, _g, _c = entry_sums(d0, d1, ("sale", "refund"))
    paid, _g, _c = entry_sums(d0, d1, ("payout",))
    assert report["totals"]["owed"] == owed
    assert report["totals"]["paid"] == -paid
    for row in report["rows"]:
        assert row["pending"] == balance(row["key"])["balance"], row["label_fr"]
    by_province = reports_revenue.revenue(d0, d1, "province")
    assert by_province["totals"]["owed"] == owed
    assert {r["key"] for r in by_province["rows"]} >= set(PROVINCES)
    shares = [r for r in report["rows"] if r["members"]]
    assert shares and all(Decimal(0) <= r["women_share"] <= 1 for r in shares)


def test_volumes_losses_and_sell_through_reconcile(activity):
    d0, d1 = activity
    report = reports_stock.volumes(d0, d1)
    accepted = db.session.execute(select(func.sum(ReceptionLine.quantity_accepted))
                                  .join(Reception, Reception.id == ReceptionLine.reception_id)
                                  .where(Reception.received_on.between(d0, d1))).scalar()
    assert sum(r["accepted"] for r in report["rows"]) == Decimal(str(accepted))
    loss_ids = db.session.execute(select(Location.id).where(Location.code.in_(reports_stock.LOSS_CODES))).scalars().all()
    moved = db.session.execute(select(func.count()).where(StockMovement.to_location_id.in_(loss_ids))).scalar()
    assert sum(r["movements"] for r in report["losses"]) == moved
    through = reports_stock.sell_through(d0, d1)
    shops = db.session.execute(select(Location.id).where(Location.kind == "shop")).scalars().all()
    received = db.session.execute(select(func.sum(StockMovement.quantity)).where(
        StockMovement.kind == "receipt", StockMovement.to_location_id.in_(shops))).scalar()
    assert through["totals"]["received"] == Decimal(str(received))
    assert through["totals"]["sold"] == R.sales_total(d0, d1)["quantity"]
    assert set(through["groups"]) == {"airport", "stand"}


def test_value_chain_splits_each_dirham(activity):
    d0, d1 = activity
    report = reports_revenue.value_chain(d0, d1)
    t = report["totals"]
    assert t["cooperative"] + t["commission"] == t["gross"]
    assert t["days_to_sale"] is not None and t["days_to_sale"] >= 0


def test_stock_ageing_values_the_stock_on_hand(activity):
    report = reports_stock.stock_ageing(local_today(), 30, "outlet")
    t = report["totals"]
    assert sum(t["ages"]) == t["value"] > 0
    assert t["at_risk"] == t["expired"] + t["expiring"]
    assert reports_stock.stock_ageing(local_today(), 30, "cooperative")["totals"]["value"] == t["value"]


def test_open_data_has_no_small_cell(activity):
    d0, d1 = activity
    every = reports_provinces.open_data_monthly(d0, d1, threshold=1)
    assert every, "the demo has sales"
    published = reports_provinces.open_data_monthly(d0, d1)
    assert all(r["cooperatives"] >= reports_provinces.SMALL_CELL for r in published)
    assert len(published) == sum(1 for r in every if r["cooperatives"] >= reports_provinces.SMALL_CELL)


def test_data_package_validates(activity, client, tmp_path):
    d0, d1 = activity
    response = client.get(f"/api/v1/open-data/tadamon-open-data.zip?from={d0}&to={d1}")
    assert response.status_code == 200
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    import csv

    with open(tmp_path / "sales-monthly.csv", encoding="utf-8") as f:
        assert all(int(r["cooperatives"]) >= reports_provinces.SMALL_CELL for r in csv.DictReader(f))
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
