"""The observatory's figures: aggregates of the sales, receptions, packaging, losses, stock and
consignment, for any period of local days and the same period a year before.

Sales and revenue read the summary tables (models/report_summaries.py): whole months from
the monthly table, the days at either edge of the period from the daily one, so a year is a
few thousand rows whatever the number of sale lines. Receptions and packaging runs are read
as they are (hundreds a month); losses and outlets' receipts through the movements'
(to_location_id, created_at) index. No personal data: cooperatives, products, outlets and
provinces only — never a user, a receipt or bank details. Amounts are Decimal.
"""
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, select

from extensions import db
from models.catalogue import Product
from models.consignment_statements import period_bounds
from models.cooperatives import PROVINCES, Cooperative
from models.report_cells import AIRPORT_CODES, OUTLET_TYPES, ReportCell, outlet_type  # noqa: F401
from models.report_summaries import SALE_KINDS, ConsignmentDaily, ConsignmentMonthly
from models.stock import KIND_SHOP, REAL_KINDS, Location, Lot, StockBalance, StockMovement
from models.types import money, quantity
from models.warehouse import PackagingRun, Reception, ReceptionLine

ZERO = Decimal(0)
SALES_DIMENSIONS = ("family", "product", "cooperative", "province", "outlet", "month")
SMALL_CELL = 3  # open data: no figure built from fewer cooperatives than this
AGE_BUCKETS = (30, 90, 180)  # days: 0–30, 31–90, 91–180, over 180


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


def _month_start(d):
    return d.replace(day=1)


def _next_month(d):
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_period(date_from, date_to):
    """(first whole month, first month after the whole months) and the edge day ranges: a
    period is read as whole months from the monthly table and its edges day by day."""
    first = date_from if date_from.day == 1 else _next_month(date_from)
    after = _next_month(date_to)
    if _next_month(date_to) - timedelta(days=1) != date_to:
        after = _month_start(date_to)
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


def _month(day):
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
                key = key[:at] + (_month(key[at]),) + key[at + 1:]
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


def _compare(current, previous, fields):
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
    rows, totals, prev_totals = _compare(current, previous, fields)
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


# --- volumes and losses -------------------------------------------------------------------------

def _volume_unit(product_uom, content_uom):
    """Volumes are in kg or litres: a packaged unit counts its net content."""
    return content_uom or product_uom


def volumes(date_from, date_to):
    """By product family and unit (kg or l): received (delivered, accepted, rejected),
    packaged (bulk consumed, waste, packed content, yield = packed ÷ consumed), sold (net
    content of what was sold, net of refunds); and losses by cause with their retail value."""
    check_period(date_from, date_to)
    start, end = period_bounds(date_from, date_to)
    out = {}

    def row(family, unit):
        return out.setdefault((family, unit), {
            "family": family, "unit": unit, "delivered": ZERO, "accepted": ZERO, "rejected": ZERO,
            "consumed": ZERO, "waste": ZERO, "packed": ZERO, "sold": ZERO})

    rl = ReceptionLine
    for fam, uom, dlv, acc, rej in db.session.execute(
            select(Product.category, Product.uom, func.sum(rl.quantity_delivered),
                   func.sum(rl.quantity_accepted), func.sum(rl.quantity_rejected))
            .select_from(rl).join(Reception, Reception.id == rl.reception_id)
            .join(Product, Product.id == rl.product_id)
            .where(Reception.received_on >= date_from, Reception.received_on <= date_to)
            .group_by(Product.category, Product.uom)):
        r = row(fam, uom)
        r["delivered"] += dec(dlv)
        r["accepted"] += dec(acc)
        r["rejected"] += dec(rej)
    pr = PackagingRun
    for fam, uom, consumed, waste, packed in db.session.execute(
            select(Product.category, Product.content_uom, func.sum(pr.consumed_quantity),
                   func.sum(pr.waste_quantity), func.sum(pr.output_units * Product.net_content))
            .select_from(pr).join(Product, Product.id == pr.output_product_id)
            .where(pr.created_at >= start, pr.created_at < end)
            .group_by(Product.category, Product.content_uom)):
        r = row(fam, uom)
        r["consumed"] += dec(consumed)
        r["waste"] += dec(waste)
        r["packed"] += dec(packed)
    facts = product_facts()
    for product, qty, *_sums in grouped(date_from, date_to, SALE_KINDS, "product_id"):
        fam, uom, cuom, net, _kind = facts.get(product, ("other", "pc", None, None, None))
        row(fam, _volume_unit(uom, cuom))["sold"] += dec(qty) * dec(net or 1)
    rows = sorted(out.values(), key=lambda r: (r["family"], r["unit"]))
    for r in rows:
        for f in ("delivered", "accepted", "rejected", "consumed", "waste", "packed", "sold"):
            r[f] = quantity(r[f])
        r["yield"] = (r["packed"] / r["consumed"]).quantize(Decimal("0.0001")) if r["consumed"] else None
    return {"report": "volumes", "from": date_from, "to": date_to, "rows": rows,
            "losses": losses(date_from, date_to)}


LOSS_CODES = ("LOSS", "ADJUSTMENT")


def losses(date_from, date_to):
    """Goods lost in the period by cause — packaging waste, shortfall in transit or damaged on
    refund (movements into LOSS), count shortfalls (into ADJUSTMENT) — with the volume in kg
    or litres and the retail value of packaged units."""
    start, end = period_bounds(date_from, date_to)
    targets = dict(db.session.execute(select(Location.id, Location.code)
                                      .where(Location.code.in_(LOSS_CODES))).all())
    m = StockMovement
    volume = m.quantity * func.coalesce(Product.net_content, 1)
    value = m.quantity * case((Product.kind == "unit", func.coalesce(Product.retail_price, 0)), else_=0)
    rows = db.session.execute(
        select(m.kind, Product.category, func.coalesce(Product.content_uom, Product.uom),
               func.sum(volume), func.sum(value), func.count())
        .select_from(m).join(Lot, Lot.id == m.lot_id).join(Product, Product.id == Lot.product_id)
        .where(m.to_location_id.in_(list(targets) or [0]), m.created_at >= start, m.created_at < end)
        .group_by(m.kind, Product.category, func.coalesce(Product.content_uom, Product.uom))).all()
    out = [{"cause": kind, "family": fam, "unit": unit, "volume": quantity(dec(vol)),
            "value": money(dec(val)), "movements": n} for kind, fam, unit, vol, val, n in rows]
    return sorted(out, key=lambda r: (r["cause"], r["family"], r["unit"]))


# --- stock ageing -------------------------------------------------------------------------------

def stock_ageing(today, warn_days, by="outlet"):
    """Stock on hand now by outlet or cooperative: quantity (kg/l for bulk, pieces) and retail
    value by age since the lot was made (0–30, 31–90, 91–180, over 180 days), and the value at
    risk: expired, or best before within `warn_days`."""
    if by not in ("outlet", "cooperative"):
        raise ValueError(by)
    b = StockBalance
    midnight = datetime.combine(today, datetime.min.time())
    cut = [midnight - timedelta(days=d) for d in AGE_BUCKETS]
    bucket = case((Lot.created_at >= cut[0], 0), (Lot.created_at >= cut[1], 1),
                  (Lot.created_at >= cut[2], 2), else_=3)
    risk = case((Lot.best_before < today, 2),
                (Lot.best_before <= today + timedelta(days=warn_days), 1), else_=0)
    key = b.location_id if by == "outlet" else Lot.cooperative_id
    value = b.quantity * func.coalesce(Product.retail_price, 0)
    rows = db.session.execute(
        select(key, bucket, risk, func.sum(b.quantity), func.sum(value))
        .select_from(b).join(Lot, Lot.id == b.lot_id).join(Product, Product.id == Lot.product_id)
        .join(Location, Location.id == b.location_id)
        .where(b.quantity > 0, Location.kind.in_(REAL_KINDS))
        .group_by(key, bucket, risk)).all()
    out = {}
    for k, bk, rk, qty, val in rows:
        r = out.setdefault(k, {"key": k, "quantity": ZERO, "value": ZERO,
                               "ages": [ZERO] * (len(AGE_BUCKETS) + 1),
                               "expired": ZERO, "expiring": ZERO})
        qty, val = dec(qty), money(dec(val))
        r["quantity"] += qty
        r["value"] += val
        r["ages"][bk] += val
        if rk == 2:
            r["expired"] += val
        elif rk == 1:
            r["expiring"] += val
    rows = sorted(out.values(), key=lambda r: (-(r["expired"] + r["expiring"]), -r["value"], r["key"]))
    names = labels_for("outlet" if by == "outlet" else "cooperative", list(out))
    for r in rows:
        r["quantity"] = quantity(r["quantity"])
        r["at_risk"] = r["expired"] + r["expiring"]
        r["label_fr"], r["label_ar"] = names.get(r["key"], (str(r["key"]), str(r["key"])))
    totals = {f: sum((r[f] for r in rows), ZERO) for f in ("value", "expired", "expiring", "at_risk")}
    totals["ages"] = [sum((r["ages"][i] for r in rows), ZERO) for i in range(len(AGE_BUCKETS) + 1)]
    return {"report": "stock", "by": by, "today": today, "warn_days": warn_days,
            "rows": rows, "totals": totals}


# --- cooperatives' revenue ----------------------------------------------------------------------

def _revenue_sums(date_from, date_to):
    """{cooperative: {gross, commission, owed, fees, paid}} over the period."""
    out = {}
    for coop, kind, _qty, gross, commission, amount, _age in grouped(
            date_from, date_to, None, "cooperative_id", "kind"):
        r = out.setdefault(coop, {"gross": ZERO, "commission": ZERO, "owed": ZERO, "fees": ZERO,
                                  "paid": ZERO, "adjustments": ZERO})
        if kind in SALE_KINDS:
            r["gross"] += money(dec(gross))
            r["commission"] += money(dec(commission))
            r["owed"] += money(dec(amount))
        elif kind == "fee":
            r["fees"] -= money(dec(amount))
        elif kind == "payout":
            r["paid"] -= money(dec(amount))
        else:
            r["adjustments"] += money(dec(amount))
    return out


def pending_at(day):
    """{cooperative: what it was owed and not yet paid at the end of `day`} (balance)."""
    first = _month_start(day)
    m, d = ConsignmentMonthly.__table__, ConsignmentDaily.__table__
    out = {}
    for q in (select(m.c.cooperative_id, func.sum(m.c.amount)).where(m.c.day < first)
              .group_by(m.c.cooperative_id),
              select(d.c.cooperative_id, func.sum(d.c.amount)).where(d.c.day >= first, d.c.day <= day)
              .group_by(d.c.cooperative_id)):
        for coop, amount in db.session.execute(q):
            out[coop] = out.get(coop, ZERO) + money(dec(amount))
    return out


REVENUE_FIELDS = ("gross", "commission", "owed", "fees", "paid", "pending")


def revenue(date_from, date_to, by="cooperative"):
    """The cooperatives' revenue: retail value of their sales, commission, owed to them
    (sales less commission), fees, paid out in the period, and pending (balance) at its end;
    by cooperative or province, per member, with the members' women's and youth shares where
    the cooperative declared its members. Compared with the same period a year before."""
    if by not in ("cooperative", "province"):
        raise ValueError(by)
    check_period(date_from, date_to)
    p_from, p_to = year_before(date_from, date_to)
    coops = {c.id: c for c in db.session.execute(select(Cooperative)).scalars()}

    def collect(d0, d1):
        sums = _revenue_sums(d0, d1)
        pending = pending_at(d1)
        out = {}
        for coop_id in set(sums) | set(pending):
            coop = coops.get(coop_id)
            key = coop_id if by == "cooperative" else (coop.province if coop else None)
            r = out.setdefault(key, {f: ZERO for f in REVENUE_FIELDS})
            for f, v in sums.get(coop_id, {}).items():
                if f in r:
                    r[f] += v
            r["pending"] += pending.get(coop_id, ZERO)
        return out

    rows, totals, prev_totals = _compare(collect(date_from, date_to), collect(p_from, p_to),
                                         REVENUE_FIELDS)
    members = {}
    for c in coops.values():
        key = c.id if by == "cooperative" else c.province
        m = members.setdefault(key, {"cooperatives": 0, "members": 0, "women": 0, "youth": 0})
        m["cooperatives"] += 1
        if c.members_total:
            m["members"] += c.members_total
            m["women"] += c.members_women
            m["youth"] += c.members_youth
    if by == "province":
        known = {r["key"] for r in rows}
        rows += [{"key": p, **{f: ZERO for f in REVENUE_FIELDS},
                  "previous": {f: ZERO for f in REVENUE_FIELDS}} for p in PROVINCES if p not in known]
    for r in rows:
        m = members.get(r["key"], {"cooperatives": 0, "members": 0, "women": 0, "youth": 0})
        r.update(m)
        r["owed_per_member"] = money(r["owed"] / m["members"]) if m["members"] else None
        r["women_share"] = (Decimal(m["women"]) / m["members"]).quantize(Decimal("0.0001")) if m["members"] else None
        r["youth_share"] = (Decimal(m["youth"]) / m["members"]).quantize(Decimal("0.0001")) if m["members"] else None
    rows.sort(key=lambda r: (-r["owed"], str(r["key"])))
    if by == "cooperative":
        for r in rows:
            c = coops.get(r["key"])
            r["label_fr"], r["label_ar"] = (c.name_fr, c.name_ar) if c else (str(r["key"]),) * 2
            r["province"] = c.province if c else None
    else:
        for r in rows:
            r["label_fr"] = r["label_ar"] = r["key"]
    return {"report": "revenue", "by": by, "from": date_from, "to": date_to,
            "previous_from": p_from, "previous_to": p_to, "rows": rows, "totals": totals,
            "previous_totals": prev_totals}


# --- value chain --------------------------------------------------------------------------------

def value_chain(date_from, date_to):
    """Per product family, where each dirham of retail goes: to the cooperative (owed), to the
    platform (commission), and the packaging fees charged on the family's packed units in the
    period; and the mean days from reception to sale, weighted by quantity."""
    check_period(date_from, date_to)
    p_from, p_to = year_before(date_from, date_to)
    facts = product_facts()

    def collect(d0, d1):
        out = {}
        for product, kind, qty, gross, commission, amount, age in grouped(
                d0, d1, SALE_KINDS + ("fee",), "product_id", "kind"):
            fam = facts[product][0] if product in facts else "other"
            r = out.setdefault(fam, {"gross": ZERO, "commission": ZERO, "cooperative": ZERO,
                                     "fees": ZERO, "quantity": ZERO, "age_days": ZERO})
            if kind == "fee":
                r["fees"] -= money(dec(amount))
            else:
                r["gross"] += money(dec(gross))
                r["commission"] += money(dec(commission))
                r["cooperative"] += money(dec(amount))
                r["quantity"] += dec(qty)
                r["age_days"] += dec(age)
        return out

    fields = ("gross", "commission", "cooperative", "fees", "quantity", "age_days")
    rows, totals, prev_totals = _compare(collect(date_from, date_to), collect(p_from, p_to), fields)
    unit = Decimal("0.0001")

    def shares(r):
        g = r["gross"]
        r["cooperative_share"] = (r["cooperative"] / g).quantize(unit) if g else None
        r["commission_share"] = (r["commission"] / g).quantize(unit) if g else None
        r["fee_share"] = (r["fees"] / g).quantize(unit) if g else None
        r["days_to_sale"] = (r["age_days"] / r["quantity"]).quantize(Decimal("0.1")) if r["quantity"] else None

    for r in rows:
        shares(r)
        shares(r["previous"])
    shares(totals)
    shares(prev_totals)
    rows.sort(key=lambda r: -r["gross"])
    return {"report": "value_chain", "from": date_from, "to": date_to, "previous_from": p_from,
            "previous_to": p_to, "rows": rows, "totals": totals, "previous_totals": prev_totals}


# --- sell-through -------------------------------------------------------------------------------

def sell_through(date_from, date_to):
    """Per outlet (shops and stands): quantity received in the period (transfers' receipts),
    quantity sold net of refunds, and sell-through = sold ÷ received; the airport shop against
    the stands. Quantities are pieces for packaged units, kg or litres for bulk."""
    check_period(date_from, date_to)
    p_from, p_to = year_before(date_from, date_to)
    shops = {loc.id: loc for loc in db.session.execute(
        select(Location).where(Location.kind == KIND_SHOP)).scalars()}

    def collect(d0, d1):
        start, end = period_bounds(d0, d1)
        m = StockMovement
        received = dict(db.session.execute(
            select(m.to_location_id, func.sum(m.quantity))
            .where(m.to_location_id.in_(list(shops) or [0]), m.kind == "receipt",
                   m.created_at >= start, m.created_at < end)
            .group_by(m.to_location_id)).all())
        sold = {r[0]: r[1] for r in grouped(d0, d1, SALE_KINDS, "location_id")}
        return {loc: {"received": quantity(dec(received.get(loc))), "sold": quantity(dec(sold.get(loc)))}
                for loc in shops}

    rows, totals, prev_totals = _compare(collect(date_from, date_to), collect(p_from, p_to),
                                         ("received", "sold"))
    groups = {t: {"received": ZERO, "sold": ZERO, "previous": {"received": ZERO, "sold": ZERO}}
              for t in OUTLET_TYPES}

    def ratio(r):
        r["sell_through"] = (r["sold"] / r["received"]).quantize(Decimal("0.0001")) if r["received"] else None

    for r in rows:
        loc = shops[r["key"]]
        r["label_fr"], r["label_ar"], r["outlet_type"] = loc.name_fr, loc.name_ar, outlet_type(loc.code)
        g = groups[r["outlet_type"]]
        for f in ("received", "sold"):
            g[f] += r[f]
            g["previous"][f] += r["previous"][f]
        ratio(r)
        ratio(r["previous"])
    for g in groups.values():
        ratio(g)
        ratio(g["previous"])
    ratio(totals)
    ratio(prev_totals)
    rows.sort(key=lambda r: (r["outlet_type"] != "airport", -r["sold"]))
    return {"report": "sell_through", "from": date_from, "to": date_to, "previous_from": p_from,
            "previous_to": p_to, "rows": rows, "groups": groups, "totals": totals,
            "previous_totals": prev_totals}


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
                      _month(lo) if _month(lo) == _month(hi) else None))
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
            key = (month or _month(day[0]), provinces.get(coop), fam, otype)
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
