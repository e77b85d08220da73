"""A statement as JSON without marshmallow: a year of the busiest cooperative is ~58,000
entries (26 MB), which dumping through the schema took ~5 s to write.

The text is the one StatementSchema documents and flask's JSON provider wrote before
(sorted keys, decimals as strings with the column's scale, times ISO 8601 in UTC, ASCII),
built from plain tuples (models.consignment_statements.statement_lines) with each lot's, outlet's and
document's label worked out once, not once per entry.
"""
from json.encoder import encode_basestring_ascii as js

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models import rawsql
from models.catalogue import Product
from models.documents import document_labels
from models.consignment import balance
from models.consignment_statements import ENTRY_KINDS_ORDER, period_bounds, statement_query
from models.stock import Location, Lot


def _text(value):
    """A JSON string or null."""
    return "null" if value is None else js(value)


def _lot_fragments(lot_ids):
    """{lot_id: '"lot_code":…' and '"product":…'} JSON fragments, one query."""
    rows = db.session.execute(select(Lot.id, Lot.code, Product.name_fr)
                              .join(Product, Product.id == Lot.product_id)
                              .where(Lot.id.in_(lot_ids))) if lot_ids else ()
    found = {r.id: (js(r.code), _text(r.name_fr)) for r in rows}
    return {i: found.get(i, ("null", "null")) for i in lot_ids}


def _other_labels(docs):
    """Labels of the few documents that are not sales or refunds (payouts, packaging runs…),
    through the document registry, by type."""
    by_type = {}
    for doc_type, doc_id in docs:
        by_type.setdefault(doc_type, set()).add(doc_id)
    return {(t, i): info.get("label") for t, ids in by_type.items()
            for i, info in document_labels(t, ids).items()}


# One entry, keys in sorted order as flask's provider (sort_keys) wrote them.
ENTRY = ('{"amount":"%.2f","commission":%s,"commission_rate":%s,"created_at":"%s",'
         '"document":%s,"document_id":%s,"document_type":%s,"gross":%s,"id":%d,"kind":"%s",'
         '"location":%s,"location_id":%s,"lot_code":%s,"lot_id":%s,"note":%s,"product":%s,'
         '"quantity":%s,"reference":%s,"running_balance":"%.2f"}')


def _iso(created):
    """A stored naive UTC time (SQLite text or a datetime) as marshmallow writes it aware:
    2026-03-02T09:00:27+00:00, microseconds only when there are some."""
    text = created if isinstance(created, str) else str(created)
    frac = text[19:]
    return f"{text[:10]}T{text[11:19]}{frac if frac.strip('.0') else ''}+00:00"


class _Formatter:
    """Entries as JSON fragments with their running balance (integer centimes), the labels of
    a batch of rows worked out once: shared by the whole-period answer and the pages."""

    def __init__(self):
        self.receipt, self.refund_of = _("Receipt %(number)s"), _("Refund on receipt %(number)s")
        self.locations = {i: _text(name) for i, name in db.session.execute(select(Location.id, Location.name_fr))}
        self.kinds = {k: js(k)[1:-1] for k in ENTRY_KINDS_ORDER}
        self.totals = dict.fromkeys(ENTRY_KINDS_ORDER, 0)

    def entries(self, rows, running):
        """(list of JSON entry texts, running balance in centimes after the last row)."""
        receipt, refund_of, kinds, locations, totals = (self.receipt, self.refund_of, self.kinds,
                                                        self.locations, self.totals)
        lots = _lot_fragments({r[8] for r in rows if r[8] is not None})
        others = _other_labels({(r[10], r[11]) for r in rows
                                if r[10] not in ("sale", "refund", None) and r[11] is not None})
        no_lot = ("null", "null")
        out = []
        append = out.append
        for (eid, created, kind, amount, gross, rate, commission, qty, lot_id, location_id,
             doc_type, doc_id, reference, note, number) in rows:
            cents = round(amount * 100)
            running += cents
            totals[kind] += cents
            if number is not None and doc_type == "sale":
                document = js(receipt % {"number": number})
            elif number is not None and doc_type == "refund":
                document = js(refund_of % {"number": number})
            elif doc_type is not None and doc_id is not None:
                document = _text(others.get((doc_type, doc_id)) or f"{doc_type} #{doc_id}")
            else:
                document = "null"
            lot_code, product = no_lot if lot_id is None else lots[lot_id]
            append(ENTRY % (
                amount, "null" if commission is None else '"%.2f"' % commission,
                "null" if rate is None else '"%.4f"' % rate, _iso(created), document,
                "null" if doc_id is None else doc_id, "null" if doc_type is None else js(doc_type),
                "null" if gross is None else '"%.2f"' % gross, eid, kinds[kind],
                "null" if location_id is None else locations.get(location_id, "null"),
                "null" if location_id is None else location_id, lot_code,
                "null" if lot_id is None else lot_id, "null" if note is None else js(note), product,
                "null" if qty is None else '"%.3f"' % qty,
                "null" if reference is None else js(reference), running / 100))
        return out, running


def statement_json(cooperative_id, date_from, date_to):
    """The statement of a period as JSON text (what GET …/statement answers).

    Money is formatted with "%.2f" from the stored value (a REAL holding a 2-decimal amount
    on SQLite, a Decimal of scale 2 on PostgreSQL: both well inside a double's exact range
    for centimes) and summed in integer centimes, so the running balance is exact.
    """
    start, end = period_bounds(date_from, date_to)
    opening = round(balance(cooperative_id, until=start)["balance"] * 100)
    rows = rawsql.driver_rows(statement_query(cooperative_id, start, end))
    # The labels the document registry gives sales and refunds (shop/document_labels.py), with the
    # receipt number joined in the query instead of looked up by tens of thousands of ids.
    fmt = _Formatter()
    out, running = fmt.entries(rows, opening)
    totals = fmt.totals
    total_text = ",".join(f'"{k}":"{totals[k] / 100:.2f}"' for k in sorted(ENTRY_KINDS_ORDER))
    return (f'{{"closing_balance":"{running / 100:.2f}",'
            f'"cooperative_id":{cooperative_id},"end":"{end.isoformat()}+00:00",'
            f'"entries":[{",".join(out)}],"from":"{date_from.isoformat()}",'
            f'"opening_balance":"{opening / 100:.2f}",'
            f'"start":"{start.isoformat()}+00:00","to":"{date_to.isoformat()}",'
            f'"totals":{{{total_text}}}}}\n')


# --- pages ------------------------------------------------------------------------------------

PAGE_SIZE = 500
MAX_PAGE_SIZE = 2000
_CURSOR_SALT = "statement-cursor"


def _serializer():
    from flask import current_app
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.secret_key, salt=_CURSOR_SALT)


def make_cursor(cooperative_id, date_from, date_to, created, entry_id, running_cents):
    """An opaque, signed cursor: where the next page starts (the last entry's time and id, the
    statement's keyset order) and the running balance there. Signed, so a client can neither
    forge a balance nor carry one cooperative's or period's cursor over to another."""
    created = created if isinstance(created, str) else created.isoformat(sep=" ", timespec="microseconds")
    return _serializer().dumps([cooperative_id, date_from.isoformat(), date_to.isoformat(),
                                created, entry_id, running_cents])


def read_cursor(cursor, cooperative_id, date_from, date_to):
    """(created_at as stored, entry id, running balance in centimes) of a cursor this statement gave,
    or ValidationFailed (422, code bad_cursor)."""
    from datetime import datetime

    from itsdangerous import BadSignature

    from models.errors import ValidationFailed

    try:
        coop, frm, to, created, entry_id, running = _serializer().loads(cursor)
        if (coop, frm, to) != (cooperative_id, date_from.isoformat(), date_to.isoformat()):
            raise ValueError("another statement's cursor")
        datetime.fromisoformat(created)  # a time, as the cursor was made
        return created, int(entry_id), int(running)
    except (BadSignature, ValueError, TypeError):
        raise ValidationFailed(_("This cursor does not belong to this statement."), code="bad_cursor",
                               fields={"cursor": [_("Not a cursor of this statement.")]}) from None


_KEYSET_SQL = {}  # (dialect, cooperative, start, end, from the start?, limit) -> SQL text
_AT, _ID = "@after_created_at@", "@after_id@"


def keyset_rows(cooperative_id, start, end, after=None, limit=PAGE_SIZE, plain=False):
    """At most `limit` driver rows of statement_query after the position `after` = (created_at
    as stored, or its text, and entry id), or from the period's start: one range of the
    covering index. `plain`: the rows of statement_query(plain=the dialect) (the CSV).

    The SQL is built and compiled once per statement and page size, the position put into the
    text (building statement_query's aliases and compiling them cost ~10 ms a chunk, a
    year's CSV reads ~30 chunks)."""
    conn = db.session.connection()
    key = (conn.dialect.name, cooperative_id, start, end, after is None, limit, plain)
    sql = _KEYSET_SQL.get(key)
    if sql is None:
        from sqlalchemy import and_, literal_column, or_

        from models.consignment import ConsignmentEntry

        query = statement_query(cooperative_id, start, end, conn.dialect.name if plain else None)
        if after is not None:
            e = ConsignmentEntry.__table__
            at, entry_id = literal_column(_AT), literal_column(_ID)
            query = query.where(e.c.created_at >= at,
                                or_(e.c.created_at > at, and_(e.c.created_at == at, e.c.id > entry_id)))
        sql = str(query.limit(limit).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        if len(_KEYSET_SQL) > 256:
            _KEYSET_SQL.clear()
        _KEYSET_SQL[key] = sql
    if after is not None:
        # The time exactly as stored (SQLite compares the text; PostgreSQL reads the literal
        # as a timestamp): an ISO time (a signed cursor, or a row just read).
        at = after[0] if isinstance(after[0], str) else after[0].isoformat(sep=" ", timespec="microseconds")
        sql = sql.replace(_AT, "'%s'" % at.replace("'", "")).replace(_ID, str(int(after[1])))
    return rawsql.fetch_text(sql)


def statement_page_json(cooperative_id, date_from, date_to, cursor=None, limit=PAGE_SIZE):
    """One page of a period's statement as JSON text: at most `limit` entries after `cursor`
    (from the period's start when None) in the statement's order (created_at, id), each
    with its running balance; the page's opening and closing balances; `next_cursor` (null
    on the last page). Reads `limit` + 1 rows of the covering index from the cursor on, so a
    page costs the same at the end of a year as at its start: the running balance travels in
    the signed cursor, only the first page sums the entries before the period (index-only)."""
    start, end = period_bounds(date_from, date_to)
    after = None
    if cursor:
        after_at, after_id, opening = read_cursor(cursor, cooperative_id, date_from, date_to)
        after = (after_at, after_id)
    else:
        opening = round(balance(cooperative_id, until=start)["balance"] * 100)
    rows = keyset_rows(cooperative_id, start, end, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    out, running = _Formatter().entries(rows, opening)
    next_cursor = "null"
    if more:
        last = rows[-1]
        next_cursor = js(make_cursor(cooperative_id, date_from, date_to, last[1], last[0], running))
    return (f'{{"closing_balance":"{running / 100:.2f}",'
            f'"cooperative_id":{cooperative_id},"end":"{end.isoformat()}+00:00",'
            f'"entries":[{",".join(out)}],"from":"{date_from.isoformat()}",'
            f'"has_more":{"true" if more else "false"},"limit":{limit},"next_cursor":{next_cursor},'
            f'"opening_balance":"{opening / 100:.2f}",'
            f'"start":"{start.isoformat()}+00:00","to":"{date_to.isoformat()}"}}\n')
