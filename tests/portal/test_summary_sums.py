"""The portal's sales and statement pages read their counts and totals from the summary
tables (consignment_monthly / consignment_daily): equal to the scan of the entries over the
same local days, at month edges, on open periods, per outlet and per channel."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from extensions import db
from models.consignment import ConsignmentEntry
from models.consignment_statement_pages import paged_statement
from models.consignment_statements import period_bounds
from models.report_summaries import cooperative_sums
from portal import queries
from tests.portal.conftest import loc, sell

D = Decimal
PERIODS = [(None, None), (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 3, 6), date(2026, 4, 1)),
           (date(2026, 4, 1), date(2026, 4, 1)), (date(2026, 2, 14), date(2026, 7, 3)),
           (date(2026, 3, 20), None), (None, date(2026, 3, 12)), (date(2025, 12, 1), date(2026, 11, 30))]


@pytest.fixture
def edges(story):
    """The story, plus a sale at 23:30 UTC on 31 March (1 April in Morocco) and one at the
    Oujda stand early on 1 March (local)."""
    from models.stock import Lot

    dates = db.session.get(Lot, story["dates_lot"])
    sell(dates, 1, "55.00", loc("SHOP-AIRPORT"), datetime(2026, 3, 31, 23, 30), document_id=8)
    sell(dates, 2, "12.50", loc("STAND-OUJDA"), datetime(2026, 2, 28, 23, 45), document_id=9)
    db.session.commit()
    return story


def _bounds(date_from, date_to):
    start = period_bounds(date_from, date_from)[0] if date_from else None
    end = period_bounds(date_to, date_to)[1] if date_to else None
    return start, end


def _scan(coop, start, end, location_id=None):
    """{kind: (entries, gross, commission, amount)} straight from the entries."""
    e = ConsignmentEntry
    query = select(e.kind, func.count(), func.sum(e.gross), func.sum(e.commission), func.sum(e.amount)) \
        .where(e.cooperative_id == coop).group_by(e.kind)
    if start is not None:
        query = query.where(e.created_at >= start)
    if end is not None:
        query = query.where(e.created_at < end)
    if location_id:
        query = query.where(e.location_id == location_id)
    return {k: (n, D(str(g or 0)).quantize(D("0.01")), D(str(c or 0)).quantize(D("0.01")),
                D(str(a or 0)).quantize(D("0.01"))) for k, n, g, c, a in db.session.execute(query)}


@pytest.mark.parametrize("period", PERIODS)
def test_summary_sums_equal_the_scan(edges, period):
    for coop in (edges["figuig"], edges["taourirt"]):
        for location_id in (None, edges["airport"], edges["stand"]):
            got = {k: (s["entries"], s["gross"], s["commission"], s["amount"])
                   for k, s in cooperative_sums(coop, *period, location_id=location_id).items()
                   if s["entries"]}
            assert got == _scan(coop, *_bounds(*period), location_id), (coop, location_id)


@pytest.mark.parametrize("period", PERIODS)
def test_sales_page_sums_equal_the_scan(edges, period):
    start, end = _bounds(*period)
    for coop in (edges["figuig"], edges["taourirt"]):
        for location_id in (None, edges["stand"]):
            totals, by_channel = queries.sales_page_sums(coop, *period, start, end, location_id)
            assert by_channel == queries.sales_by_channel(coop, start, end, location_id)
            scan = _scan(coop, start, end, location_id)
            sales = [scan[k] for k in ("sale", "refund") if k in scan]
            assert totals == {"lines": sum(v[0] for v in sales), "gross": sum((v[1] for v in sales), D(0)),
                              "commission": sum((v[2] for v in sales), D(0)),
                              "owed": sum((v[3] for v in sales), D(0))}
            assert totals["lines"] == sum(t["lines"] for t in by_channel.values())


def test_statement_totals_equal_the_scan(edges):
    for period in [p for p in PERIODS if None not in p]:
        stmt = paged_statement(edges["figuig"], *period, page=1, per_page=2)
        scan = _scan(edges["figuig"], *period_bounds(*period))
        assert stmt["total_entries"] == sum(v[0] for v in scan.values())
        assert {k: v for k, v in stmt["totals"].items() if v} == {k: v[3] for k, v in scan.items() if v[3]}
        assert stmt["gross"] == sum((scan[k][1] for k in ("sale", "refund") if k in scan), D(0))
        assert stmt["commission"] == sum((scan[k][2] for k in ("sale", "refund") if k in scan), D(0))


def test_sale_outlets_from_the_summary(edges):
    names = {o.code for o in queries.sale_outlets(edges["figuig"])}
    assert names == {"SHOP-AIRPORT", "STAND-OUJDA"}
    assert {o.code for o in queries.sale_outlets(edges["taourirt"])} == {"SHOP-AIRPORT"}
