"""Consignment statements and balances: a period's entries explained line by line.

Period boundaries, precisely: entries are stored with their time in UTC. A period
`from`–`to` is made of whole days in Morocco's time zone (Africa/Casablanca, the platform's
BABEL_DEFAULT_TIMEZONE): it starts at 00:00 local time on `from` (inclusive) and ends at
00:00 local time on the day after `to` (exclusive, i.e. `to` is included to its last
instant). Each bound is turned into UTC once, so one period's end is exactly the next
period's start: the closing balance of 1–31 March is the opening balance of 1–30 April.
The opening balance sums every entry before the start; entries at the same instant are
ordered by id, the order they were written in.
"""
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from extensions import db
from models.catalogue import Product
from models.consignment import ConsignmentEntry, balance
from models.cooperatives import Cooperative
from models.errors import ValidationFailed
from models.stock import Location, Lot
from models.types import money

MAX_PERIOD_DAYS = 3 * 366


def platform_timezone():
    """The platform's time zone (Africa/Casablanca by default)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC"
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - no tz database: pytz ships its own
        import pytz

        return pytz.timezone(name)


def local_midnight_utc(day, tz=None):
    """00:00 local time on `day`, as a naive UTC datetime (how entries are stored)."""
    tz = tz or platform_timezone()
    naive = datetime.combine(day, time())
    aware = tz.localize(naive) if hasattr(tz, "localize") else naive.replace(tzinfo=tz)
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def period_bounds(date_from, date_to):
    """[start, end) in naive UTC for the local days `date_from` to `date_to` inclusive."""
    if date_from > date_to:
        raise ValidationFailed(_("The period ends before it starts."),
                               fields={"to": [_("Must be on or after the start date.")]})
    if (date_to - date_from).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(_("The period is too long (three years at most)."),
                               fields={"to": [_("At most three years after the start date.")]})
    tz = platform_timezone()
    return local_midnight_utc(date_from, tz), local_midnight_utc(date_to + timedelta(days=1), tz)


def default_period(today=None):
    """The current month so far: the period a statement page opens on."""
    today = today or date.today()
    return today.replace(day=1), today


def statement(cooperative_id, date_from, date_to):
    """The statement of a period: opening balance, each entry with its running balance,
    totals by kind and the closing balance. Two indexed queries, whatever the history."""
    start, end = period_bounds(date_from, date_to)
    opening = balance(cooperative_id, until=start)["balance"]
    e = ConsignmentEntry
    rows = db.session.execute(
        select(e.id, e.created_at, e.kind, e.amount, e.gross, e.commission_rate, e.commission,
               e.quantity, e.lot_id, e.location_id, e.document_type, e.document_id,
               e.reference, e.note, Lot.code.label("lot_code"),
               Product.name_fr.label("product_fr"), Product.name_ar.label("product_ar"),
               Location.name_fr.label("location_fr"), Location.name_ar.label("location_ar"))
        .outerjoin(Lot, Lot.id == e.lot_id)
        .outerjoin(Product, Product.id == Lot.product_id)
        .outerjoin(Location, Location.id == e.location_id)
        .where(e.cooperative_id == cooperative_id, e.created_at >= start, e.created_at < end)
        .order_by(e.created_at, e.id)
    ).all()
    running = opening
    entries = []
    totals = {k: Decimal("0.00") for k in ("sale", "refund", "fee", "payout", "adjustment")}
    gross = commission = Decimal("0.00")
    for r in rows:
        amount = money(r.amount)
        running += amount
        totals[r.kind] += amount
        if r.kind in ("sale", "refund"):
            gross += money(r.gross or 0)
            commission += money(r.commission or 0)
        entry = r._asdict()
        entry["amount"] = amount
        entry["running_balance"] = running
        entries.append(entry)
    return {
        "cooperative_id": cooperative_id, "from": date_from, "to": date_to,
        "start": start, "end": end, "opening_balance": opening, "entries": entries,
        "totals": totals, "gross": gross, "commission": commission,
        "closing_balance": running,
    }


def overview(sort="name", descending=False):
    """Every cooperative's owed, fees, paid, adjustments and balance in one grouped query,
    with totals. `sort` is one of name, owed, fees, paid, balance."""
    e = ConsignmentEntry
    sums = (
        select(
            e.cooperative_id,
            func.sum(case((e.kind.in_(("sale", "refund")), e.amount), else_=0)).label("owed"),
            func.sum(case((e.kind == "fee", e.amount), else_=0)).label("fees"),
            func.sum(case((e.kind == "payout", e.amount), else_=0)).label("paid"),
            func.sum(case((e.kind == "adjustment", e.amount), else_=0)).label("adjustments"),
        ).group_by(e.cooperative_id).subquery()
    )
    rows = db.session.execute(
        select(Cooperative.id, Cooperative.name_fr, Cooperative.name_ar, Cooperative.province,
               sums.c.owed, sums.c.fees, sums.c.paid, sums.c.adjustments)
        .outerjoin(sums, sums.c.cooperative_id == Cooperative.id)
    ).all()
    items = []
    for r in rows:
        owed, fees, paid, adj = (money(v or 0) for v in (r.owed, r.fees, r.paid, r.adjustments))
        items.append({"cooperative_id": r.id, "name_fr": r.name_fr, "name_ar": r.name_ar,
                      "province": r.province, "owed": owed, "fees": -fees, "paid": -paid,
                      "adjustments": adj, "balance": owed + fees + paid + adj})
    if sort not in ("owed", "fees", "paid", "adjustments", "balance"):
        sort = "name"
    key = (lambda i: i["name_fr"].lower()) if sort == "name" else (lambda i: i[sort])
    items.sort(key=key, reverse=descending)
    totals = {k: sum((i[k] for i in items), Decimal("0.00"))
              for k in ("owed", "fees", "paid", "adjustments", "balance")}
    return {"items": items, "totals": totals}
