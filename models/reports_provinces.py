"""The observatory's figures by province: the map (cooperatives, members, volume received,
revenue and revenue per inhabitant) and the open data (monthly sales by province × product
family × outlet type, read from the report cells, with every cell built from fewer than
SMALL_CELL cooperatives left out).
"""
from decimal import Decimal

from sqlalchemy import and_, func, select

from extensions import db
from models.catalogue import Product
from models.cooperatives import PROVINCES, Cooperative
from models.report_cells import ReportCell
from models.report_summaries import SALE_KINDS
from models.reports import (ZERO, check_period, cooperative_provinces, dec, grouped, month_of,
                            split_period)
from models.types import money, quantity
from models.warehouse import Reception, ReceptionLine

SMALL_CELL = 3  # open data: no figure built from fewer cooperatives than this


# --- provinces (the map) ------------------------------------------------------------------------

MAP_MEASURES = ("cooperatives", "members", "received", "revenue", "revenue_per_inhabitant")


def province_figures(date_from, date_to, population):
    """Per province: active cooperatives, declared members, volume received in the period
    (kg and litres accepted), cooperatives' revenue (owed to them) and revenue per
    inhabitant (`population`: {province: inhabitants})."""
    check_period(date_from, date_to)
    out = {p: {"province": p, "cooperatives": 0, "members": 0, "received": ZERO, "revenue": ZERO,
               "revenue_per_inhabitant": None, "population": population.get(p)} for p in PROVINCES}
    for prov, n, members in db.session.execute(
            select(Cooperative.province, func.count(), func.coalesce(func.sum(Cooperative.members_total), 0))
            .where(Cooperative.active.is_(True)).group_by(Cooperative.province)):
        if prov in out:
            out[prov]["cooperatives"], out[prov]["members"] = n, int(members)
    rl = ReceptionLine
    for prov, acc in db.session.execute(
            select(Cooperative.province, func.sum(rl.quantity_accepted))
            .select_from(rl).join(Reception, Reception.id == rl.reception_id)
            .join(Cooperative, Cooperative.id == Reception.cooperative_id)
            .join(Product, Product.id == rl.product_id)
            .where(Reception.received_on >= date_from, Reception.received_on <= date_to,
                   Product.uom.in_(("kg", "l")))
            .group_by(Cooperative.province)):
        if prov in out:
            out[prov]["received"] = quantity(dec(acc))
    provinces = cooperative_provinces()
    for coop, _q, _g, _c, owed, _a in grouped(date_from, date_to, SALE_KINDS, "cooperative_id"):
        prov = provinces.get(coop)
        if prov in out:
            out[prov]["revenue"] += money(dec(owed))
    for r in out.values():
        if r["population"]:
            r["revenue_per_inhabitant"] = (r["revenue"] / r["population"]).quantize(Decimal("0.0001"))
    return [out[p] for p in PROVINCES]


# --- open data ----------------------------------------------------------------------------------

def open_data_monthly(date_from, date_to, threshold=SMALL_CELL):
    """Monthly sales by province × product family × outlet type: retail value, the
    cooperatives' share, quantity sold, and how many cooperatives the cell sums. Cells built
    from fewer than `threshold` cooperatives are left out entirely, so no cooperative's sales
    can be read off (no totals are published beside them either). Read from the report cells
    (models/report_cells.py): whole months from the monthly grain, the edges day by day."""
    check_period(date_from, date_to)
    months, edges = split_period(date_from, date_to)
    t = ReportCell.__table__
    parts = []
    if months:
        parts.append((and_(t.c.grain == "month", t.c.day >= months[0], t.c.day < months[1]), None))
    for lo, hi in edges:
        parts.append((and_(t.c.grain == "day", t.c.day >= lo, t.c.day <= hi),
                      month_of(lo) if month_of(lo) == month_of(hi) else None))
    provinces = cooperative_provinces()
    cells = {}
    for part, month in parts:
        # An edge within one month is grouped without its day; otherwise by day (rows in key
        # order, no month expression per row), folded into months here.
        day_col = [] if month else [t.c.day]
        for *day, coop, fam, otype, gross, owed in db.session.execute(
                select(*day_col, t.c.cooperative_id, t.c.family, t.c.outlet_type, func.sum(t.c.gross),
                       func.sum(t.c.amount)).where(part)
                .group_by(*day_col, t.c.cooperative_id, t.c.family, t.c.outlet_type)):
            key = (month or month_of(day[0]), provinces.get(coop), fam, otype)
            c = cells.get(key)
            if c is None:
                c = cells[key] = {"coops": set(), "gross": ZERO, "owed": ZERO}
            c["coops"].add(coop)
            c["gross"] += dec(gross)
            c["owed"] += dec(owed)
    out = []
    for (mon, prov, fam, otype), c in sorted(cells.items(), key=lambda kv: tuple(x or "" for x in kv[0])):
        if len(c["coops"]) < threshold:
            continue
        out.append({"month": mon, "province": prov, "product_family": fam, "outlet_type": otype,
                    "cooperatives": len(c["coops"]), "sales_mad": money(c["gross"]),
                    "cooperatives_revenue_mad": money(c["owed"])})
    return out
