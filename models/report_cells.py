"""The open data's summary: sales net of refunds per local day and per local month,
cooperative, product family and outlet type (the airport shop or the stands), so the open
data's cells (month × province × family × outlet type, with how many cooperatives each sums)
read a few thousand rows instead of the monthly table's tens of thousands.

Kept like the other summaries (models/report_summaries.py): `add` runs in the entries'
transaction (one upsert statement per posting), `rebuild` recomputes it from the ledger's
sums, `mismatches` proves it equals them (`flask integrity-check`). The cooperative stays in
the key (its province is looked up when read: a cooperative that moves province moves its
figures, and the small-cell rule counts distinct cooperatives). Family and outlet type are
the product's category and the location's code as they are now: editing either moves the
product's or the outlet's sums to their new cell in the same transaction (`move_product`,
`move_location`), so the table always equals the ledger read with today's catalogue.
"""
from decimal import Decimal

from sqlalchemy import text

from extensions import db
from models import rawsql
from models.types import Money, Quantity, money, quantity

SALE_KINDS = ("sale", "refund")
AIRPORT_CODES = ("SHOP-AIRPORT",)
OUTLET_TYPES = ("airport", "stand")
OTHER = "other"  # the family of a sale whose product is unknown
KEY = ("grain", "day", "cooperative_id", "family", "outlet_type")
SUMS = ("entries", "quantity", "gross", "commission", "amount")
GRAINS = ("day", "month")


class ReportCell(db.Model):
    """Sales net of refunds of one local day (grain 'day') or month (grain 'month', `day` the
    month's first day), cooperative, product family and outlet type."""

    __tablename__ = "report_cells"
    __table_args__ = {"sqlite_with_rowid": False}  # a period: one sequential range of the key

    grain = db.Column(db.String(5), primary_key=True)
    day = db.Column(db.Date, primary_key=True)
    cooperative_id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    family = db.Column(db.String(32), primary_key=True)
    outlet_type = db.Column(db.String(16), primary_key=True)
    entries = db.Column(db.Integer, nullable=False, default=0)
    quantity = db.Column(Quantity, nullable=False, default=0)
    gross = db.Column(Money, nullable=False, default=0)
    commission = db.Column(Money, nullable=False, default=0)
    amount = db.Column(Money, nullable=False, default=0)


def outlet_type(code):
    """'airport' for the airport shop, 'stand' for the solidarity stands and other places."""
    return "airport" if code in AIRPORT_CODES else "stand"


# The same rule in SQL, for a locations row `l` (codes are constants of this module).
OUTLET_TYPE_SQL = ("CASE WHEN l.code IN (" + ", ".join(f"'{c}'" for c in AIRPORT_CODES)
                   + ") THEN 'airport' ELSE 'stand' END")


def _dec(value):
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _day(value):
    if isinstance(value, str):
        from datetime import date

        return date.fromisoformat(value[:10])
    return value


def cell_sums(fine, families, outlet_of):
    """The cells of fine summary sums ({(day, cooperative, kind, location, product): [entries,
    quantity, gross, commission, amount, …]}, refunds already negative), both grains:
    {(grain, day, cooperative, family, outlet): [entries, quantity, gross, commission, amount]}.
    `families`: {product: family}; `outlet_of(location)` the outlet key (a type, or the
    location itself where the database maps it)."""
    out = {}
    for (day, coop, kind, location, product), s in fine.items():
        if kind not in SALE_KINDS:
            continue
        family = families.get(product) or OTHER
        outlet = outlet_of(location)
        for grain, d in (("day", day), ("month", day.replace(day=1))):
            c = out.get((grain, d, coop, family, outlet))
            if c is None:
                out[(grain, d, coop, family, outlet)] = list(s[:5])
            else:
                for i in range(5):
                    c[i] += s[i]
    return out


def _rows(sums):
    return [dict(zip(KEY, k), entries=s[0], quantity=quantity(s[1]), gross=money(s[2]),
                 commission=money(s[3]), amount=money(s[4]))
            for k, s in sorted(sums.items(), key=lambda kv: tuple(str(x) for x in kv[0]))]


# One parameter set per (day, cooperative, family, outlet) of a posting writes both grains:
# the day's row and the month's, the outlet's type read by the statement itself (no extra
# round trip, nothing cached in a worker).
_ADD_SQL = (
    "INSERT INTO report_cells (grain, day, cooperative_id, family, outlet_type, entries, quantity, "
    "gross, commission, amount) SELECT g.grain, g.day, :cooperative_id, :family, "
    f"COALESCE((SELECT {OUTLET_TYPE_SQL} FROM locations l WHERE l.id = :location_id), 'stand'), "
    ":entries, :quantity, :gross, :commission, :amount "
    "FROM (SELECT 'day' AS grain, :day AS day UNION ALL SELECT 'month', :month) g "
    "WHERE true "  # SQLite: an INSERT … SELECT needs a WHERE before its ON CONFLICT
    "ON CONFLICT (grain, day, cooperative_id, family, outlet_type) DO UPDATE SET "
    + ", ".join(f"{c} = report_cells.{c} + excluded.{c}" for c in SUMS))


def add(fine, families):
    """Add a posting's fine sums ({(day, cooperative, kind, location, product): [entries,
    quantity, gross, commission, amount, …]}) to the cells, in the caller's transaction: one
    upsert statement, one parameter set per (day, cooperative, family, outlet). The values
    are already at their columns' scale (post_entries quantized them)."""
    out = {}
    for (day, coop, kind, location, product), s in fine.items():
        if kind not in SALE_KINDS:
            continue
        key = (day, coop, families.get(product) or OTHER, location)
        c = out.get(key)
        if c is None:
            out[key] = list(s[:5])
        else:
            for i in range(5):
                c[i] += s[i]
    if out:
        rawsql.executemany(_ADD_SQL, [
            {"day": day, "month": day.replace(day=1), "cooperative_id": coop, "family": family,
             "location_id": location, "entries": s[0], "quantity": s[1], "gross": s[2],
             "commission": s[3], "amount": s[4]}
            for (day, coop, family, location), s in sorted(out.items())])


def _families(conn):
    return {pid: cat for pid, cat in conn.execute(text("SELECT id, category FROM products"))}


def _outlets(conn):
    codes = dict(conn.execute(text("SELECT id, code FROM locations")).all())
    return lambda location: outlet_type(codes.get(location))


def ledger_cells(conn, fine):
    """The cells as the ledger's fine sums give them, with today's catalogue."""
    return cell_sums(fine, _families(conn), _outlets(conn))


def rebuild(conn, fine):
    """Rewrite the cells from the ledger's fine sums. Returns the number of rows written."""
    rows = _rows(ledger_cells(conn, fine))
    conn.execute(text("DELETE FROM report_cells"))
    for i in range(0, len(rows), 5000):
        conn.execute(ReportCell.__table__.insert(), rows[i:i + 5000])
    return len(rows)


def fill_from_summaries(conn):
    """Fill the cells from the daily and monthly summaries (already proven equal to the
    ledger): one grouped INSERT … SELECT per grain (the migration that adds the table)."""
    conn.execute(text("DELETE FROM report_cells"))
    for grain, table in (("day", "consignment_daily"), ("month", "consignment_monthly")):
        conn.execute(text(
            "INSERT INTO report_cells (grain, day, cooperative_id, family, outlet_type, entries, "
            "quantity, gross, commission, amount) "
            f"SELECT '{grain}', s.day, s.cooperative_id, COALESCE(p.category, '{OTHER}'), "
            f"COALESCE({OUTLET_TYPE_SQL}, 'stand'), sum(s.entries), sum(s.quantity), sum(s.gross), "
            f"sum(s.commission), sum(s.amount) FROM {table} s "
            "LEFT JOIN products p ON p.id = s.product_id LEFT JOIN locations l ON l.id = s.location_id "
            "WHERE s.kind IN ('sale', 'refund') "
            f"GROUP BY s.day, s.cooperative_id, COALESCE(p.category, '{OTHER}'), "
            f"COALESCE({OUTLET_TYPE_SQL}, 'stand')"))


def mismatches(conn, fine):
    """Cells that differ from the ledger's (empty: the table equals the ledger)."""
    want = {k: [s[0], quantity(s[1]), money(s[2]), money(s[3]), money(s[4])]
            for k, s in ledger_cells(conn, fine).items()}
    have = {}
    for r in conn.execute(text(
            "SELECT grain, day, cooperative_id, family, outlet_type, entries, quantity, gross, "
            "commission, amount FROM report_cells")):
        have[(r[0], _day(r[1]), r[2], r[3], r[4])] = [
            r[5], quantity(_dec(r[6])), money(_dec(r[7])), money(_dec(r[8])), money(_dec(r[9]))]
    problems = []
    for key in sorted(want.keys() | have.keys(), key=lambda k: tuple(str(x) for x in k)):
        w, h = want.get(key), have.get(key)
        if w != h:
            problems.append({"table": "report_cells", "key": dict(zip(KEY, key)),
                             "ledger": w and dict(zip(SUMS, w)), "kept": h and dict(zip(SUMS, h))})
    return problems


# --- master data edits ------------------------------------------------------------------------

_SHIFT_SQL = (
    "INSERT INTO report_cells (grain, day, cooperative_id, family, outlet_type, entries, quantity, "
    "gross, commission, amount) VALUES (:grain, :day, :cooperative_id, :family, :outlet_type, "
    ":entries, :quantity, :gross, :commission, :amount) "
    "ON CONFLICT (grain, day, cooperative_id, family, outlet_type) DO UPDATE SET "
    + ", ".join(f"{c} = report_cells.{c} + excluded.{c}" for c in SUMS))


def _move(where, params, before, after):
    """Move the sums of the fine rows matching `where` from the cell `before(row)` names to
    the one `after(row)` names ((family, outlet type) of a row (location, product)); cells
    left with no entry are removed."""
    deltas = {}
    for grain, table in (("day", "consignment_daily"), ("month", "consignment_monthly")):
        for day, coop, location, product, *sums in db.session.execute(text(
                "SELECT day, cooperative_id, location_id, product_id, sum(entries), sum(quantity), "
                f"sum(gross), sum(commission), sum(amount) FROM {table} "
                f"WHERE kind IN ('sale', 'refund') AND {where} "
                "GROUP BY day, cooperative_id, location_id, product_id"), params):
            old, new = before(location, product), after(location, product)
            if old == new:
                continue
            day = _day(day)
            for key, sign in (((grain, day, coop) + old, -1), ((grain, day, coop) + new, 1)):
                d = deltas.setdefault(key, [0, Decimal(0), Decimal(0), Decimal(0), Decimal(0)])
                d[0] += sign * int(sums[0])
                for i in range(1, 5):
                    d[i] += sign * _dec(sums[i])
    if not deltas:
        return
    db.session.flush()
    rawsql.executemany(_SHIFT_SQL, _rows(deltas))
    rawsql.execute("DELETE FROM report_cells WHERE entries = 0")


def move_product(product_id, old_family, new_family):
    """A product's category changed: its sales move to the new family's cells."""
    if (old_family or OTHER) == (new_family or OTHER):
        return
    codes = dict(db.session.execute(text("SELECT id, code FROM locations")).all())
    _move("product_id = :p", {"p": product_id},
          lambda loc, _p: (old_family or OTHER, outlet_type(codes.get(loc))),
          lambda loc, _p: (new_family or OTHER, outlet_type(codes.get(loc))))


def move_location(location_id, old_code, new_code):
    """A location's code changed from or to the airport shop's: its sales change outlet type."""
    if outlet_type(old_code) == outlet_type(new_code):
        return
    families = {pid: cat for pid, cat in db.session.execute(text("SELECT id, category FROM products"))}
    _move("location_id = :l", {"l": location_id},
          lambda _l, p: (families.get(p) or OTHER, outlet_type(old_code)),
          lambda _l, p: (families.get(p) or OTHER, outlet_type(new_code)))
