"""The observatory's figures of the cooperatives' money: their revenue (retail value of their
sales, commission, owed, fees, paid, pending) by cooperative or province, per member, and the
value chain (where each dirham of retail goes, by product family), compared with the same
period a year before. Read from the summary tables through models/reports.py.
"""
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models.cooperatives import PROVINCES, Cooperative
from models.report_summaries import SALE_KINDS, ConsignmentDaily, ConsignmentMonthly
from models.reports import (ZERO, check_period, compare, dec, grouped, month_start, product_facts,
                            year_before)
from models.types import money


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
    first = month_start(day)
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

    rows, totals, prev_totals = compare(collect(date_from, date_to), collect(p_from, p_to),
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
    rows, totals, prev_totals = compare(collect(date_from, date_to), collect(p_from, p_to), fields)
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
