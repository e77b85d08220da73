"""The reports' summary table: the consignment ledger summed per local day, cooperative, kind,
outlet and product, so a year's report reads thousands of rows instead of millions.

`post_entries` (the only writer of consignment entries) adds each posting here in the same
transaction (`add_entries`); `rebuild` recomputes the table from the entries (after a bulk
load, or a migration), and `summary_mismatches` proves it equals the ledger
(`flask integrity-check`). The open data's coarser cells (models/report_cells.py) are kept,
rebuilt and checked with them. Rows are keyed by the Africa/Casablanca day of the entry; outlet
and product are 0 where an entry has none (a payout). A refund's quantity is counted
negative, so sums are net of refunds. `age_days` is the sum over sold quantities of the
days from the goods' reception (the lot's own reception, or its packaging inputs') to the
sale: divided by the quantity it gives the mean days from reception to sale.
"""
from datetime import timedelta, timezone
from decimal import Decimal

from sqlalchemy import Numeric, func, select, text

from extensions import db
from models import rawsql, report_cells
from models.types import Money, Quantity, money, quantity

AgeDays = Numeric(18, 3)
SALE_KINDS = ("sale", "refund")
KEY = ("day", "cooperative_id", "kind", "location_id", "product_id")
SUMS = ("entries", "quantity", "gross", "commission", "amount", "age_days")


class _Sums:
    """The summed columns both summary tables share."""

    cooperative_id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    kind = db.Column(db.String(16), primary_key=True)
    location_id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    product_id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    entries = db.Column(db.Integer, nullable=False, default=0)
    quantity = db.Column(Quantity, nullable=False, default=0)
    gross = db.Column(Money, nullable=False, default=0)
    commission = db.Column(Money, nullable=False, default=0)
    amount = db.Column(Money, nullable=False, default=0)
    age_days = db.Column(AgeDays, nullable=False, default=0)


class ConsignmentDaily(_Sums, db.Model):
    """Sums of the consignment entries of one local day, cooperative, kind, outlet, product."""

    __tablename__ = "consignment_daily"
    # SQLite: rows stored in key order (day first), so a period is one sequential range.
    __table_args__ = {"sqlite_with_rowid": False}

    day = db.Column(db.Date, primary_key=True)


class ConsignmentMonthly(_Sums, db.Model):
    """The same sums per local month (`day` is the month's first day): a year is read from
    twelve months of rows, the edges of a period from the daily table."""

    __tablename__ = "consignment_monthly"
    __table_args__ = {"sqlite_with_rowid": False}

    day = db.Column(db.Date, primary_key=True)


TABLES = (ConsignmentDaily, ConsignmentMonthly)


def _tz():
    """The platform's time zone (models.clock: zoneinfo, from config)."""
    from models.clock import platform_tz

    return platform_tz()


class _Days:
    """Naive UTC datetime -> local date, cached by the hour (a year is ~9,000 hours)."""

    def __init__(self):
        self.tz = _tz()
        self.cache = {}

    def __call__(self, at):
        if isinstance(at, str):
            from datetime import datetime

            at = datetime.fromisoformat(at)
        hour = at.replace(minute=0, second=0, microsecond=0)
        day = self.cache.get(hour)
        if day is None:
            day = self.cache[hour] = hour.replace(tzinfo=timezone.utc).astimezone(self.tz).date()
        return day


def _lot_facts(conn, lot_ids=None):
    """lot -> (product, day received, product's family): a lot born of a reception was
    received on the reception's day; a packaged lot on its earliest input's (else when the
    lot was made)."""
    where = ""
    params = {}
    if lot_ids is not None:
        if not lot_ids:
            return {}
        ids = sorted(lot_ids)
        where = "WHERE l.id IN (" + ", ".join(f":l{i}" for i in range(len(ids))) + ")"
        params = {f"l{i}": v for i, v in enumerate(ids)}
    rows = conn.execute(text(
        "SELECT l.id, l.product_id, l.created_at, r.received_on, min(pr.received_on), "
        "min(p.created_at), pp.category FROM lots l "
        "LEFT JOIN products pp ON pp.id = l.product_id "
        "LEFT JOIN receptions r ON l.origin_type = 'reception' AND r.id = l.origin_id "
        "LEFT JOIN lot_parents lp ON lp.child_lot_id = l.id "
        "LEFT JOIN lots p ON p.id = lp.parent_lot_id "
        f"LEFT JOIN receptions pr ON p.origin_type = 'reception' AND pr.id = p.origin_id {where} "
        "GROUP BY l.id, l.product_id, l.created_at, r.received_on, pp.category"), params)
    days = _Days()

    def day(value):
        if isinstance(value, str):
            from datetime import date

            return date.fromisoformat(value[:10])
        return value

    return {r[0]: (r[1], day(r[3]) or day(r[4]) or days(r[5] or r[2]), r[6]) for r in rows}


def _fee_products(conn, run_ids=None):
    """packaging run -> its output product (a packaging fee counts for that product)."""
    if run_ids is not None and not run_ids:
        return {}
    sql = "SELECT id, output_product_id FROM packaging_runs"
    params = {}
    if run_ids is not None:
        ids = sorted(run_ids)
        sql += " WHERE id IN (" + ", ".join(f":r{i}" for i in range(len(ids))) + ")"
        params = {f"r{i}": v for i, v in enumerate(ids)}
    return dict(conn.execute(text(sql), params).all())


def _dec(value):
    """A driver's number as a Decimal (SQLite hands NUMERIC sums back as floats)."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _accumulate(sums, rows, lots, runs, days):
    """Add entry rows (mappings of ConsignmentEntry columns) into `sums` by key."""
    zero = Decimal(0)
    for e in rows:
        day = days(e["created_at"])
        product, received = 0, None
        if e["lot_id"] is not None and e["lot_id"] in lots:
            product, received, _family = lots[e["lot_id"]]
        elif e["document_type"] == "packaging_run":
            product = runs.get(e["document_id"], 0)
        qty = _dec(e["quantity"])
        if e["kind"] == "refund":
            qty = -qty
        key = (day, e["cooperative_id"], e["kind"], e["location_id"] or 0, product or 0)
        s = sums.get(key)
        if s is None:
            s = sums[key] = [0, zero, zero, zero, zero, zero]
        s[0] += 1
        s[1] += qty
        s[2] += _dec(e["gross"])
        s[3] += _dec(e["commission"])
        s[4] += _dec(e["amount"])
        if received is not None and e["kind"] in SALE_KINDS:
            s[5] += qty * max(0, (day - received).days)
    return sums


def monthly(sums):
    """Daily sums rolled up by month (the key's day becomes the month's first day)."""
    out = {}
    for key, s in sums.items():
        mkey = (key[0].replace(day=1),) + key[1:]
        m = out.get(mkey)
        if m is None:
            out[mkey] = list(s)
        else:
            for i, v in enumerate(s):
                m[i] += v
    return out


def _as_rows(sums):
    """Summed keys as table rows, in key order (the order rows are locked in)."""
    return [dict(zip(KEY, key), entries=s[0], quantity=quantity(s[1]), gross=money(s[2]),
                 commission=money(s[3]), amount=money(s[4]), age_days=quantity(s[5]))
            for key, s in sorted(sums.items(), key=lambda kv: tuple(str(k) for k in kv[0]))]


_UPSERTS = {}


def _upsert(dialect, model):
    """INSERT … ON CONFLICT (key) DO UPDATE adding every sum: built once per dialect."""
    if (dialect, model) not in _UPSERTS:
        from sqlalchemy.dialects import postgresql, sqlite

        table = model.__table__
        stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        _UPSERTS[(dialect, model)] = stmt.on_conflict_do_update(
            index_elements=list(KEY), set_={k: table.c[k] + stmt.excluded[k] for k in SUMS})
    return _UPSERTS[(dialect, model)]


class _DriverConnection:
    """`conn.execute(text(…), params)` for the look-ups below, run on the driver
    (models.rawsql): add_entries runs in every sale."""

    class Rows(list):
        def all(self):
            return self

    def execute(self, clause, params=None):
        return self.Rows(rawsql.execute(str(clause), params or None).fetchall())


def _upsert_sql(model):
    """INSERT … ON CONFLICT (key) DO UPDATE adding every sum, as SQL text (both databases)."""
    table = model.__tablename__
    columns = KEY + SUMS
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
            + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in SUMS))


def add_entries(rows):
    """Add freshly posted consignment entries (dicts of their columns) to the summary, in the
    caller's transaction. Two small look-ups (lots, packaging runs) and one upsert per table,
    straight to the driver (models.rawsql)."""
    if not rows:
        return
    conn = _DriverConnection()
    lots = _lot_facts(conn, {r["lot_id"] for r in rows if r.get("lot_id") is not None})
    runs = _fee_products(conn, {r["document_id"] for r in rows
                                if r.get("lot_id") is None and r.get("document_type") == "packaging_run"
                                and r.get("document_id") is not None})
    sums = _accumulate({}, rows, lots, runs, _Days())
    for model, table_sums in ((ConsignmentDaily, sums), (ConsignmentMonthly, monthly(sums))):
        if model not in _UPSERT_SQL:
            _UPSERT_SQL[model] = _upsert_sql(model)
        rawsql.executemany(_UPSERT_SQL[model], _as_rows(table_sums))
    report_cells.add(sums, {product: family for product, _day, family in lots.values()})


_UPSERT_SQL = {}


ENTRY_SQL = ("SELECT created_at, cooperative_id, kind, location_id, lot_id, document_type, "
             "document_id, quantity, gross, commission, amount FROM consignment_entries")


def ledger_sums(conn):
    """The summary as the entries give it: {key: [entries, qty, gross, commission, amount, age]}."""
    lots = _lot_facts(conn)
    runs = _fee_products(conn)
    days = _Days()
    sums = {}
    # Streamed on the statement, not the connection: a connection's options would stay set
    # and send the next statements through a server-side cursor (PostgreSQL refuses a DELETE).
    result = conn.execute(text(ENTRY_SQL).execution_options(stream_results=True, yield_per=20000))
    for chunk in result.mappings().partitions(20000):
        _accumulate(sums, chunk, lots, runs, days)
    return sums


def rebuild(conn=None, cells=True):
    """Recompute the whole summary from the consignment entries (a command, a migration, or
    after a bulk load), and the open data's cells (models/report_cells.py) unless `cells` is
    false (the migration that made the daily tables ran before the cells existed). Returns
    the number of rows written."""
    conn = conn or db.session.connection()
    sums = ledger_sums(conn)
    written = 0
    for model, table_sums in ((ConsignmentDaily, sums), (ConsignmentMonthly, monthly(sums))):
        rows = _as_rows(table_sums)
        conn.execute(text(f"DELETE FROM {model.__tablename__}"))
        for i in range(0, len(rows), 5000):
            conn.execute(model.__table__.insert(), rows[i:i + 5000])
        written += len(rows)
    if cells:
        written += report_cells.rebuild(conn, sums)
    return written


def summary_mismatches(conn=None):
    """Summary rows that differ from the entries' sums (empty: the summary equals the ledger)."""
    conn = conn or db.session.connection()
    sums = ledger_sums(conn)
    return (_mismatches(conn, ConsignmentDaily, sums)
            + _mismatches(conn, ConsignmentMonthly, monthly(sums))
            + report_cells.mismatches(conn, sums))


def _mismatches(conn, model, sums):
    """One table's rows against the sums it should hold."""
    want = {tuple(r[k] for k in KEY): r for r in _as_rows(sums)}
    have = {}
    for r in conn.execute(text(
            "SELECT day, cooperative_id, kind, location_id, product_id, entries, quantity, gross, "
            f"commission, amount, age_days FROM {model.__tablename__}")).mappings():
        day = r["day"]
        if isinstance(day, str):
            from datetime import date

            day = date.fromisoformat(day)
        key = (day, r["cooperative_id"], r["kind"], r["location_id"], r["product_id"])
        have[key] = {"entries": r["entries"], "quantity": quantity(_dec(r["quantity"])),
                     "gross": money(_dec(r["gross"])), "commission": money(_dec(r["commission"])),
                     "amount": money(_dec(r["amount"])), "age_days": quantity(_dec(r["age_days"]))}
    problems = []
    for key in sorted(want.keys() | have.keys(), key=lambda k: tuple(str(x) for x in k)):
        w, h = want.get(key), have.get(key)
        w = {k: w[k] for k in SUMS} if w else None
        if w != h:
            problems.append({"table": model.__tablename__, "key": dict(zip(KEY, key)),
                             "ledger": w, "kept": h})
    return problems


def _next_month(day):
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _parts(date_from, date_to):
    """The local days [date_from, date_to] (either may be None: open) as (table, conditions)
    parts: the whole months from the monthly table, the edges from the daily one."""
    m, d = ConsignmentMonthly.__table__, ConsignmentDaily.__table__
    first = date_from if date_from is None or date_from.day == 1 else _next_month(date_from)
    after = None
    if date_to is not None:
        after = _next_month(date_to)
        if after - timedelta(days=1) != date_to:
            after = date_to.replace(day=1)
    if first is not None and after is not None and first >= after:
        return [(d, [d.c.day >= date_from, d.c.day <= date_to])]
    parts = [(m, ([m.c.day >= first] if first else []) + ([m.c.day < after] if after else []))]
    if date_from is not None and date_from < first:
        parts.append((d, [d.c.day >= date_from, d.c.day < first]))
    if after is not None and after <= date_to:
        parts.append((d, [d.c.day >= after, d.c.day <= date_to]))
    return parts


def cooperative_sums(cooperative_id, date_from=None, date_to=None, kinds=None, location_id=None):
    """{kind: {"entries", "gross", "commission", "amount"}} of a cooperative's entries on the
    local days [date_from, date_to] (None: open), from the summary tables (whole months from
    the monthly one, the edges from the daily one): a portal page's counts and totals read a
    few hundred summary rows, not a year's 60,000 entries. Equal to the ledger's sums over
    the same local days (`summary_mismatches` proves the tables)."""
    out = {}
    for t, where in _parts(date_from, date_to):
        where = [t.c.cooperative_id == cooperative_id, *where]
        if kinds is not None:
            where.append(t.c.kind.in_(kinds))
        if location_id:
            where.append(t.c.location_id == location_id)
        query = (select(t.c.kind, func.sum(t.c.entries), func.sum(t.c.gross), func.sum(t.c.commission),
                        func.sum(t.c.amount)).where(*where).group_by(t.c.kind))
        for kind, entries, gross, commission, amount in db.session.execute(query):
            s = out.setdefault(kind, {"entries": 0, "gross": Decimal(0), "commission": Decimal(0),
                                      "amount": Decimal(0)})
            s["entries"] += int(entries or 0)
            s["gross"] += money(_dec(gross))
            s["commission"] += money(_dec(commission))
            s["amount"] += money(_dec(amount))
    return out


def sale_locations(cooperative_id):
    """The ids of the outlets where a cooperative's goods sold or were refunded (summary rows)."""
    m = ConsignmentMonthly.__table__
    return {r[0] for r in db.session.execute(
        select(m.c.location_id).where(m.c.cooperative_id == cooperative_id, m.c.kind.in_(SALE_KINDS),
                                      m.c.location_id != 0).distinct())}
