"""The observatory's figures: aggregates of the sales, receptions, packaging, losses, stock and
consignment, for any period of local days and the same period a year before.

Here: the periods (a year before, whole months and edge days), the grouped reads of the
summary tables, the names of what is reported on, and the sales. Beside it, by subject:
models/reports_stock.py (volumes, losses, stock ageing, sell-through),
models/reports_revenue.py (the cooperatives' revenue, the value chain) and
models/reports_provinces.py (the map, the open data).

Sales and revenue read the summary tables (models/report_summaries.py): whole months from
the monthly table, the days at either edge of the period from the daily one, so a year is a
few thousand rows whatever the number of sale lines. Receptions and packaging runs are read
as they are (hundreds a month); losses and outlets' receipts through the movements'
(to_location_id, created_at) index. No personal data: cooperatives, products, outlets and
provinces only — never a user, a receipt or bank details. Amounts are Decimal.
"""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select

from extensions import db
from models.catalogue import Product
from models.consignment_statements import period_bounds
from models.cooperatives import Cooperative
from models.report_summaries import SALE_KINDS, ConsignmentDaily, ConsignmentMonthly
from models.stock import Location
from models.types import money, quantity

ZERO = Decimal(0)
SALES_DIMENSIONS = ("family", "product", "cooperative", "province", "outlet", "month")


def dec(value):
    """A driver's number as Decimal (SQLite sums NUMERIC as floats)."""
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def year_before(date_from, date_to):
    """The same period a year earlier (29 February becomes the 28th)."""
    def back(d):
        try:
            return d.replace(year=d.year - 1)
        except ValueError:
            return d.replace(year=d.year - 1, day=28)
    return back(date_from), back(date_to)


def check_period(date_from, date_to):
    """Refuse a period that ends before it starts or is too long (as statements do)."""
    period_bounds(date_from, date_to)


def month_start(d):
    """The first day of a date's month."""
    return d.replace(day=1)


def _next_month(d):
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_period(date_from, date_to):
    """(first whole month, first month after the whole months) and the edge day ranges: a
    period is read as whole months from the monthly table and its edges day by day."""
    first = date_from if date_from.day == 1 else _next_month(date_from)
    after = _next_month(date_to)
    if _next_month(date_to) - timedelta(days=1) != date_to:
        after = month_start(date_to)
    if first >= after:
        return None, [(date_from, date_to)]
    edges = []
    if date_from < first:
        edges.append((date_from, first - timedelta(days=1)))
    if after <= date_to:
        edges.append((after, date_to))
    return (first, after), edges


def summary_parts(date_from, date_to):
    """The period as (summary table, condition on its rows) parts: the whole months from the
    monthly table (`day` being the month's first day), each edge from the daily one."""
    months, edges = split_period(date_from, date_to)
    parts = []
    if months:
        t = ConsignmentMonthly.__table__
        parts.append((t, and_(t.c.day >= months[0], t.c.day < months[1])))
    for lo, hi in edges:
        t = ConsignmentDaily.__table__
        parts.append((t, and_(t.c.day >= lo, t.c.day <= hi)))
    return parts


def month_of(day):
    """'YYYY-MM' of a date (SQLite may hand back ISO text)."""
    return day[:7] if isinstance(day, str) else f"{day.year:04d}-{day.month:02d}"


def grouped(date_from, date_to, kinds, *keys):
    """The period's summary sums grouped by raw keys ("cooperative_id", "kind", "location_id",
    "product_id", "month"): [(key values..., quantity, gross, commission, amount, age_days)].

    Each part of the period (whole months, each edge) is one grouped range scan of its own
    table, merged here: a union of the parts made SQLite materialize and sort every row
    before grouping (a third slower at the edges of a year's daily table). No join on the
    summary rows: names and families are looked up in Python afterwards. Months are grouped
    by day in SQL (rows in key order, no function per row) and folded here."""
    parts = summary_parts(date_from, date_to)
    results = []
    for t, where in parts:
        cols = [t.c.day if k == "month" else t.c[k] for k in keys]
        query = select(*cols, func.sum(t.c.quantity), func.sum(t.c.gross), func.sum(t.c.commission),
                       func.sum(t.c.amount), func.sum(t.c.age_days)).where(where)
        if kinds is not None:
            query = query.where(t.c.kind.in_(kinds))
        if cols:
            query = query.group_by(*cols)
        results.append(db.session.execute(query).all())
    if len(results) == 1 and "month" not in keys:
        return results[0]
    at = keys.index("month") if "month" in keys else None
    n = len(keys)
    out = {}
    for rows in results:
        for r in rows:
            key = tuple(r[:n])
            if at is not None:
                key = key[:at] + (month_of(key[at]),) + key[at + 1:]
            sums = out.get(key)
            if sums is None:
                out[key] = [None if v is None else dec(v) for v in r[n:]]
            else:
                for i, v in enumerate(r[n:]):
                    if v is not None:
                        sums[i] = dec(v) if sums[i] is None else sums[i] + dec(v)
    return [k + tuple(v) for k, v in out.items()]


def product_facts():
    """{product: (category, uom, content_uom, net_content, kind)} (hundreds of rows)."""
    return {r[0]: tuple(r[1:]) for r in db.session.execute(
        select(Product.id, Product.category, Product.uom, Product.content_uom, Product.net_content,
               Product.kind))}


def cooperative_provinces():
    """{cooperative: province}."""
    return dict(db.session.execute(select(Cooperative.id, Cooperative.province)).all())


# --- sales ------------------------------------------------------------------------------------

def _sales_sums(dimension, date_from, date_to):
    """{key: {quantity, gross, commission, owed, age_days}} of the period's sales net of refunds."""
    raw = {"family": "product_id", "product": "product_id", "cooperative": "cooperative_id",
           "province": "cooperative_id", "outlet": "location_id", "month": "month"}[dimension]
    mapping = None
    if dimension == "family":
        facts = product_facts()
        mapping = lambda k: facts[k][0] if k in facts else "other"  # noqa: E731
    elif dimension == "province":
        provinces = cooperative_provinces()
        mapping = provinces.get
    out = {}
    for k, qty, gross, commission, amount, age in grouped(date_from, date_to, SALE_KINDS, raw):
        key = mapping(k) if mapping else k
        r = out.setdefault(key, {"quantity": ZERO, "gross": ZERO, "commission": ZERO, "owed": ZERO,
                                 "age_days": ZERO})
        r["quantity"] += dec(qty)
        r["gross"] += dec(gross)
        r["commission"] += dec(commission)
        r["owed"] += dec(amount)
        r["age_days"] += dec(age)
    for r in out.values():
        r["quantity"], r["gross"] = quantity(r["quantity"]), money(r["gross"])
        r["commission"], r["owed"] = money(r["commission"]), money(r["owed"])
    return out


def labels_for(dimension, keys):
    """{key: (label in French, label in Arabic)} for cooperatives, products, outlets,
    provinces; families and months are labelled by the web layer."""
    keys = [k for k in keys if k is not None]
    if dimension == "cooperative":
        rows = db.session.execute(select(Cooperative.id, Cooperative.name_fr, Cooperative.name_ar)
                                  .where(Cooperative.id.in_(keys))).all()
    elif dimension == "product":
        rows = db.session.execute(select(Product.id, Product.name_fr, Product.name_ar)
                                  .where(Product.id.in_(keys))).all()
    elif dimension == "outlet":
        rows = db.session.execute(select(Location.id, Location.name_fr, Location.name_ar)
                                  .where(Location.id.in_(keys))).all()
    else:
        return {k: (str(k), str(k)) for k in keys}
    return {r[0]: (r[1], r[2]) for r in rows}


def compare(current, previous, fields):
    """Rows of `current` keys (and previous-only keys) with each field and its value a year
    before, plus totals of both."""
    keys = list(current) + [k for k in previous if k not in current]
    rows = []
    for k in keys:
        cur, prev = current.get(k, {}), previous.get(k, {})
        rows.append({"key": k, **{f: cur.get(f, ZERO) for f in fields},
                     "previous": {f: prev.get(f, ZERO) for f in fields}})
    totals = {f: sum((r[f] for r in rows), ZERO) for f in fields}
    prev_totals = {f: sum((r["previous"][f] for r in rows), ZERO) for f in fields}
    return rows, totals, prev_totals


def sales_report(dimension, date_from, date_to):
    """Sales (quantity, retail value, commission, owed to cooperatives) by `dimension` for
    the period and the same period a year before; rows by descending value (months in order)."""
    if dimension not in SALES_DIMENSIONS:
        raise ValueError(dimension)
    check_period(date_from, date_to)
    p_from, p_to = year_before(date_from, date_to)
    current = _sales_sums(dimension, date_from, date_to)
    previous = _sales_sums(dimension, p_from, p_to)
    if dimension == "month":
        # Last year's months line up with this year's: key by month of the period.
        previous = {_shift_month(k, 1): v for k, v in previous.items()}
    fields = ("quantity", "gross", "commission", "owed")
    rows, totals, prev_totals = compare(current, previous, fields)
    if dimension == "month":
        rows.sort(key=lambda r: r["key"])
    else:
        rows.sort(key=lambda r: (-r["gross"], str(r["key"])))
    names = labels_for(dimension, [r["key"] for r in rows])
    for r in rows:
        r["label_fr"], r["label_ar"] = names.get(r["key"], (str(r["key"]), str(r["key"])))
    return {"report": "sales", "dimension": dimension, "from": date_from, "to": date_to,
            "previous_from": p_from, "previous_to": p_to, "rows": rows, "totals": totals,
            "previous_totals": prev_totals}


def _shift_month(month, years):
    """'2025-03' moved `years` later."""
    return f"{int(month[:4]) + years:04d}{month[4:]}" if month else month


def sales_total(date_from, date_to):
    """The period's sales net of refunds from the summary: the figure every sales report's
    rows add up to (and the ledger reconciliation's)."""
    r = grouped(date_from, date_to, SALE_KINDS)[0]
    return {"quantity": quantity(dec(r[0])), "gross": money(dec(r[1])),
            "commission": money(dec(r[2])), "owed": money(dec(r[3]))}
