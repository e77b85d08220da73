"""Sealed books: the rows that are never updated (a short list of counters excepted) nor
deleted, and the hash chains that prove it after the fact.

The database refuses UPDATE and DELETE on these tables by triggers (`create_seals`, written
by migration 0011_audit_books on SQLite and PostgreSQL). Sales per shop and consignment
entries per cooperative carry `chain_hash` = SHA-256 of the previous row's hash and the
row's own canonical fields (as POS inalterability rules such as France's NF 525 ask): a row
forced past a trigger breaks its chain, and `flask integrity-check` names it.

Pure functions and plain SQL: the migration uses them too (no app, no session needed).
"""
import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

# table -> the columns an UPDATE may still change (counters kept under the row's lock).
SEALED = {
    "stock_movements": (),
    "consignment_entries": (),
    "sales": ("print_count",),
    "sale_lines": ("refunded_quantity", "refunded_amount"),
    "sale_payments": (),
    "refunds": ("print_count",),
    "refund_lines": (),
    "payouts": (),
    "payout_reversals": (),
    "audit_entries": (),
    "commission_rate_changes": (),
}

# The fields a hash covers, in order. A sale's hash also covers its lines and payments.
SALE_FIELDS = ("location_id", "seq", "number", "cashier_id", "cash_session_id", "client_ref",
               "created_at", "subtotal", "discount_total", "total", "paid", "change")
SALE_LINE_FIELDS = ("lot_id", "product_id", "cooperative_id", "quantity", "unit_price",
                    "discount", "total", "commission_rate")
PAYMENT_FIELDS = ("method", "amount")
ENTRY_FIELDS = ("cooperative_id", "created_at", "kind", "amount", "gross", "commission_rate",
                "commission", "lot_id", "quantity", "location_id", "document_type",
                "document_id", "reference", "note", "user_id")


def _text(value):
    """One field as the hash reads it: the same text whichever database gave it back."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (Decimal, float)):
        number = Decimal(str(value))
        return "0" if number == 0 else format(number.normalize(), "f")
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) == 26 and value[10:11] in (" ", "T") and value[4] == "-":
        # SQLite read without type information (the migration's raw rows): a datetime text.
        return value.replace("T", " ")
    return str(value)


def chain_hash(previous, values):
    """SHA-256 (hex) of the previous hash and these values, canonically written."""
    payload = json.dumps([previous or "", [_text(v) for v in values]], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def sale_values(sale, lines, payments):
    """The values a sale's hash covers: its own fields, its lines', its payments' (mappings)."""
    values = [sale[f] for f in SALE_FIELDS]
    for line in lines:
        values.extend(line[f] for f in SALE_LINE_FIELDS)
    for payment in payments:
        values.extend(payment[f] for f in PAYMENT_FIELDS)
    return values


def entry_values(entry):
    """The values a consignment entry's hash covers (a mapping of its columns)."""
    return [entry[f] for f in ENTRY_FIELDS]


# --- triggers ------------------------------------------------------------------------------

def _pg_function():
    return """
        CREATE OR REPLACE FUNCTION sealed_row() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'sealed books: % rows are never deleted', TG_TABLE_NAME;
            END IF;
            IF TG_NARGS = 0 OR (to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV) THEN
                RAISE EXCEPTION 'sealed books: % rows are never updated', TG_TABLE_NAME;
            END IF;
            RETURN NEW;
        END; $$ LANGUAGE plpgsql
    """


def seal_statements(dialect, columns_of):
    """The statements creating the seals. `columns_of(table)` lists a table's columns (SQLite
    names the sealed columns in the trigger: every column but the allowed counters)."""
    statements = []
    if dialect == "postgresql":
        statements.append(_pg_function())
        for table, allowed in SEALED.items():
            args = ", ".join(f"'{c}'" for c in allowed)
            statements.append(f"CREATE TRIGGER {table}_sealed BEFORE UPDATE OR DELETE ON {table} "
                              f"FOR EACH ROW EXECUTE FUNCTION sealed_row({args})")
        return statements
    for table, allowed in SEALED.items():
        sealed = [c for c in columns_of(table) if c not in allowed]
        statements.append(
            f"CREATE TRIGGER {table}_sealed_update BEFORE UPDATE OF {', '.join(sealed)} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'sealed books: {table} rows are never updated'); END")
        statements.append(
            f"CREATE TRIGGER {table}_sealed_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'sealed books: {table} rows are never deleted'); END")
    return statements


def unseal_statements(dialect, keep_function=False):
    """The statements dropping the seals (the migration's downgrade, the bench's bulk load).
    `keep_function`: PostgreSQL's sealed_row() stays (tables outside SEALED use it too, such as
    write_offs since 0013: only 0011's downgrade, which comes after theirs, may drop it)."""
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_sealed ON {t}" for t in SEALED] + \
            ([] if keep_function else ["DROP FUNCTION IF EXISTS sealed_row()"])
    return [f"DROP TRIGGER IF EXISTS {t}_sealed_{op}" for t in SEALED for op in ("update", "delete")]


# --- chains over existing rows (the migration, the bench's bulk load) ----------------------

def _rows(conn, sql, params=None):
    from sqlalchemy import text

    return [dict(r._mapping) for r in conn.execute(text(sql), params or {})]


def backfill_chains(conn, only_missing=True, batch=5000):
    """Write the chain hash of every sale and consignment entry that has none, in chain order
    (sales per shop by receipt sequence, entries per cooperative by id), and each
    cooperative's chain head. Needs the seals lifted (UPDATE).

    Read one chain (a shop's sales, a cooperative's entries) at a time and written in batches
    of `batch` rows (executemany): a year's 2 M entries and 670k sales in a few minutes, in
    bounded memory (the bench's bulk load; the migration's rows go the same way)."""
    from sqlalchemy import text

    sale_update = text("UPDATE sales SET chain_hash = :h WHERE id = :id")
    entry_update = text("UPDATE consignment_entries SET chain_hash = :h WHERE id = :id")
    pending = []

    def write(statement, force=False):
        if pending and (force or len(pending) >= batch):
            conn.execute(statement, list(pending))
            pending.clear()

    shops = [r[0] for r in conn.execute(text("SELECT DISTINCT location_id FROM sales ORDER BY location_id"))]
    for shop in shops:
        lines, payments = {}, {}
        for line in _rows(conn, "SELECT l.* FROM sale_lines l JOIN sales s ON s.id = l.sale_id "
                                "WHERE s.location_id = :s ORDER BY l.id", {"s": shop}):
            lines.setdefault(line["sale_id"], []).append(line)
        for payment in _rows(conn, "SELECT p.* FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
                                   "WHERE s.location_id = :s ORDER BY p.id", {"s": shop}):
            payments.setdefault(payment["sale_id"], []).append(payment)
        previous = None
        for sale in _rows(conn, "SELECT * FROM sales WHERE location_id = :s ORDER BY seq", {"s": shop}):
            if sale["chain_hash"] is None or not only_missing:
                sale["chain_hash"] = chain_hash(previous, sale_values(
                    sale, lines.get(sale["id"], []), payments.get(sale["id"], [])))
                pending.append({"h": sale["chain_hash"], "id": sale["id"]})
                write(sale_update)
            previous = sale["chain_hash"]
        write(sale_update, force=True)
    heads = {}
    coops = [r[0] for r in conn.execute(text(
        "SELECT DISTINCT cooperative_id FROM consignment_entries ORDER BY cooperative_id"))]
    for coop in coops:
        previous = None
        for entry in _rows(conn, "SELECT * FROM consignment_entries WHERE cooperative_id = :c ORDER BY id",
                           {"c": coop}):
            if entry["chain_hash"] is None or not only_missing:
                entry["chain_hash"] = chain_hash(previous, entry_values(entry))
                pending.append({"h": entry["chain_hash"], "id": entry["id"]})
                write(entry_update)
            previous = entry["chain_hash"]
        write(entry_update, force=True)
        heads[coop] = previous
    for coop, head in heads.items():
        conn.execute(text("UPDATE consignment_balances SET chain_head = :h WHERE cooperative_id = :c"),
                     {"h": head, "c": coop})
