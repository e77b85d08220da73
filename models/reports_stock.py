"""The observatory's figures of the goods: volumes received, packaged and sold by product
family, losses by cause, the stock on hand by age and at risk of expiry, and the outlets'
sell-through (sold ÷ received), each for a period and the same period a year before where it
compares. The period helpers and the summary reads are models/reports.py.
"""
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from extensions import db
from models.catalogue import Product
from models.consignment_statements import period_bounds
from models.report_cells import OUTLET_TYPES, outlet_type
from models.report_summaries import SALE_KINDS
from models.reports import (ZERO, check_period, compare, dec, grouped, labels_for, product_facts,
                            year_before)
from models.stock import KIND_SHOP, REAL_KINDS, Location, Lot, StockBalance, StockMovement
from models.types import money, quantity
from models.warehouse import PackagingRun, Reception, ReceptionLine

AGE_BUCKETS = (30, 90, 180)  # days: 0–30, 31–90, 91–180, over 180


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

    rows, totals, prev_totals = compare(collect(date_from, date_to), collect(p_from, p_to),
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
