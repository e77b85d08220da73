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
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from extensions import db
from models.catalogue import Product
from models.consignment import ConsignmentEntry, balance
from models.cooperatives import Cooperative
from models.errors import ValidationFailed
from models.stock import Location, Lot
from models.types import money
from models import clock

MAX_PERIOD_DAYS = 3 * 366


def platform_timezone():
    """The platform's time zone (Africa/Casablanca by default)."""
    return clock.platform_tz()


def local_midnight_utc(day, tz=None):
    """00:00 local time on `day`, as a naive UTC datetime (how entries are stored)."""
    return clock.local_midnight_utc(day, tz)


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
    today = today or clock.today()
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


ENTRY_KINDS_ORDER = ("sale", "refund", "fee", "payout", "adjustment")


def _cents(value):
    """A stored money value as integer centimes: exact for PostgreSQL's Decimal, and for
    SQLite's REAL the nearest integer (a double holds a 2-decimal amount to ~1e-13)."""
    if isinstance(value, Decimal):
        return int(value.scaleb(2))
    return round(value * 100)


stored_cents = _cents  # the same, for the exports that read driver rows


def cents_text(cents):
    """Centimes as the API writes money: "-1234.50"."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def scaled_text(value, places):
    """A raw stored decimal (Decimal on PostgreSQL, float/int on SQLite) as text with the
    column's scale, as marshmallow writes the Decimal SQLAlchemy would have made; None stays."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return _FLOAT_FORMATS[places] % value


_FLOAT_FORMATS = {2: "%.2f", 3: "%.3f", 4: "%.4f"}


def stored_datetime(value):
    """A raw stored timestamp (datetime on PostgreSQL, text on SQLite) as a naive datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


# statement_query(plain=dialect): the SQL of the columns read as integer centimes or texts.
# ROUND(x * 100) is exact on both (PostgreSQL's numeric; SQLite's REAL of a 2-decimal amount
# is within 1e-9 of its centimes, as stored_cents rounds it).
_CENTS = "CAST(ROUND(%s * 100) AS BIGINT)"
PLAIN_SQL = {
    "sqlite": {"amount": _CENTS},
    "postgresql": {"amount": _CENTS, "created_at": "to_char(%s, 'YYYY-MM-DD HH24:MI:SS.US')",
                   "gross": "CAST(%s AS TEXT)", "commission_rate": "CAST(%s AS TEXT)",
                   "commission": "CAST(%s AS TEXT)", "quantity": "CAST(%s AS TEXT)"},
}


def statement_query(cooperative_id, start, end, plain=None):
    """The entries of [start, end) in order, columns as the driver gives them (no Numeric /
    DateTime processing: REAL and ISO text on SQLite, Decimal and datetime on PostgreSQL):
    id, created_at, kind, amount, gross, commission_rate, commission, quantity, lot_id,
    location_id, document_type, document_id, reference, note, receipt number (of the sale,
    or of the refunded sale; read here rather than looked up by tens of thousands of ids).
    An index-only read of ix_consignment_entries_statement.

    `plain` (the dialect's name, for the exports of a whole year: the CSV and the PDF): the
    amount as integer centimes, and on PostgreSQL the time as SQLite keeps it
    ("YYYY-MM-DD HH:MM:SS.ffffff", UTC) and gross, rate, commission and quantity as the texts
    of their numerics (with the column's scale: what `scaled_text` writes of the Decimal), so
    the driver makes no Decimal and no datetime (~60,000 rows x 6 values; PLAIN_SQL)."""
    from sqlalchemy import literal_column
    from sqlalchemy.types import NullType

    from models.sales import Refund, Sale

    e = ConsignmentEntry.__table__
    sale, refund, refunded = Sale.__table__.alias("s"), Refund.__table__.alias("r"), Sale.__table__.alias("rs")
    forms = PLAIN_SQL.get(plain, {})

    def raw(col):
        """The column without result processing (in its plain form when asked)."""
        name = f"{e.name}.{col.name}"
        return literal_column(forms.get(col.name, "%s") % name, NullType())

    # Per-entry primary-key look-ups (scalar subqueries): PostgreSQL would otherwise hash-join
    # the whole sales table for a cooperative's year (~1.7x slower); SQLite does the same either way.
    number = case(
        (e.c.document_type == "sale",
         select(sale.c.number).where(sale.c.id == e.c.document_id).scalar_subquery()),
        (e.c.document_type == "refund",
         select(refunded.c.number).join(refund, refunded.c.id == refund.c.sale_id)
         .where(refund.c.id == e.c.document_id).scalar_subquery()))
    return (
        select(e.c.id, raw(e.c.created_at), e.c.kind, raw(e.c.amount), raw(e.c.gross),
               raw(e.c.commission_rate), raw(e.c.commission), raw(e.c.quantity), e.c.lot_id,
               e.c.location_id, e.c.document_type, e.c.document_id, e.c.reference, e.c.note,
               number)
        .where(e.c.cooperative_id == cooperative_id, e.c.created_at >= start, e.c.created_at < end)
        .order_by(e.c.created_at, e.c.id)
    )


def statement_lines(cooperative_id, date_from, date_to):
    """A period's statement for big exports: (head, lines) where `lines` yields one tuple per
    entry, in order, without ORM objects or per-value type processing.

    Each tuple: (id, created_at naive UTC datetime, kind, amount cents, running balance cents,
    gross, commission_rate, commission, quantity (texts with the column's scale or None),
    lot_id, location_id, document_type, document_id, reference, note, receipt number of the
    sale / refunded sale or None). `head` = {"start", "end", "opening_cents"}; once the
    generator is exhausted head also has "closing_cents", "totals_cents" by kind, and the
    sales' and refunds' "gross_cents" and "commission_cents".
    """
    start, end = period_bounds(date_from, date_to)
    head = {"start": start, "end": end,
            "opening_cents": _cents(balance(cooperative_id, until=start)["balance"])}
    query = statement_query(cooperative_id, start, end)

    def lines():
        """The entries with their running balance; fills head's closing figures at the end."""
        running = head["opening_cents"]
        totals = dict.fromkeys(ENTRY_KINDS_ORDER, 0)
        gross_sum = commission_sum = 0
        for (eid, created, kind, amount, gross, rate, commission, qty, lot_id, location_id,
             doc_type, doc_id, reference, note, number) in db.session.execute(query):
            cents = _cents(amount)
            running += cents
            totals[kind] += cents
            if kind in ("sale", "refund"):
                gross_sum += _cents(gross or 0)
                commission_sum += _cents(commission or 0)
            yield (eid, stored_datetime(created), kind, cents, running, scaled_text(gross, 2),
                   scaled_text(rate, 4), scaled_text(commission, 2), scaled_text(qty, 3),
                   lot_id, location_id, doc_type, doc_id, reference, note, number)
        head.update(closing_cents=running, totals_cents=totals, gross_cents=gross_sum,
                    commission_cents=commission_sum)

    return head, lines()
