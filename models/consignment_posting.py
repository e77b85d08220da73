"""Posting consignment entries, the only writer of the ledger of what each cooperative is
owed (models/consignment.py): entries chained per cooperative (models.books), added to the
running balances under their row locks in the same transaction, and to the reports' daily sums.
Also the entry a sold or refunded line makes, at its frozen rate, and the packaging fee.
Flush, never commit.
"""
from decimal import ROUND_HALF_UP, Decimal

from models import rawsql
from models.books import chain_hash, entry_values
from models.consignment import ENTRY_KINDS, ConsignmentEntry, packaging_fee_per_unit
from models.consignment_rates import commission_rate_for
from models.cooperatives import utcnow
from models.errors import ValidationFailed
from models.types import CENT, MILLI, money

BUCKETS = {"sale": "owed", "refund": "owed", "fee": "fees", "payout": "paid", "adjustment": "adjustments"}


def sale_entry_values(gross, rate):
    """(commission, owed) for a sale line of value `gross` at `rate`, to the centime."""
    gross = money(gross)
    commission = money(gross * Decimal(rate))
    return commission, gross - commission


_SCALES = {"amount": CENT, "gross": CENT, "commission": CENT, "quantity": MILLI,
           "commission_rate": Decimal("0.0001")}


def post_entries(entries):
    """Write consignment entries (dicts of ConsignmentEntry columns) through Core, in the
    caller's transaction. Sale and refund entries must carry gross, rate and commission.

    Each entry is chained (models.books): the cooperatives' running balance rows are locked
    first, in id order, and their chain heads move with the totals."""
    if not entries:
        return
    now = utcnow()
    rows = []
    for e in entries:
        if e.get("kind") not in ENTRY_KINDS:
            raise ValidationFailed("Unknown consignment entry kind", fields={"kind": [str(e.get("kind"))]})
        row = {c.name: None for c in ConsignmentEntry.__table__.columns if c.name != "id"}
        row.update(e)
        row["created_at"] = row["created_at"] or now
        # The values as the database keeps them (its scale), so the hash reads them back alike.
        for name, scale in _SCALES.items():
            if row[name] is not None:
                row[name] = Decimal(row[name]).quantize(scale, rounding=ROUND_HALF_UP)
        rows.append(row)
    heads = _lock_heads({row["cooperative_id"] for row in rows})
    for row in rows:
        row["chain_hash"] = heads[row["cooperative_id"]] = chain_hash(
            heads.get(row["cooperative_id"]), entry_values(row))
    rawsql.insert("consignment_entries", rows)
    _add_to_balances(rows, now, heads)
    from models.report_summaries import add_entries  # the reports' daily sums, same transaction

    add_entries(rows)


LOCK_HEADS = ("SELECT cooperative_id, chain_head FROM consignment_balances "
              "WHERE cooperative_id IN ({ids}) ORDER BY cooperative_id")


def _lock_heads(coop_ids):
    """{cooperative: chain head} with the running balance rows locked FOR UPDATE in id order
    (created when missing, so two first postings of a cooperative cannot fork its chain)."""
    _raw, dialect = rawsql.connection()

    def read(wanted):
        ids, params = rawsql.in_list("coop", sorted(wanted))
        sql = LOCK_HEADS.format(ids=ids) + (" FOR UPDATE" if dialect == "postgresql" else "")
        return dict(rawsql.execute(sql, params).fetchall())

    heads = read(coop_ids)
    missing = set(coop_ids) - heads.keys()
    if missing:
        zero = Decimal(0)
        rawsql.executemany(
            "INSERT INTO consignment_balances (cooperative_id, owed, fees, paid, adjustments, updated_at) "
            "VALUES (:cooperative_id, :owed, :fees, :paid, :adjustments, :updated_at) "
            "ON CONFLICT (cooperative_id) DO NOTHING",
            [{"cooperative_id": c, "owed": zero, "fees": zero, "paid": zero, "adjustments": zero,
              "updated_at": utcnow()} for c in sorted(missing)])
        heads.update(read(missing))
    return heads


# INSERT … ON CONFLICT (cooperative_id) DO UPDATE adding every bucket (SQLite and PostgreSQL).
BALANCE_UPSERT = (
    "INSERT INTO consignment_balances (cooperative_id, owed, fees, paid, adjustments, updated_at, "
    "chain_head) VALUES (:cooperative_id, :owed, :fees, :paid, :adjustments, :updated_at, :chain_head) "
    "ON CONFLICT (cooperative_id) DO UPDATE SET owed = consignment_balances.owed + excluded.owed, "
    "fees = consignment_balances.fees + excluded.fees, paid = consignment_balances.paid + excluded.paid, "
    "adjustments = consignment_balances.adjustments + excluded.adjustments, "
    "updated_at = excluded.updated_at, chain_head = excluded.chain_head")


def _add_to_balances(rows, now, heads):
    """Add the entries to their cooperatives' running totals and move their chain heads, in
    cooperative order so two writers never deadlock (the row stays locked until the caller
    commits)."""
    zero = Decimal(0)
    deltas = {}
    for row in rows:
        bucket = deltas.setdefault(row["cooperative_id"], {
            "cooperative_id": row["cooperative_id"], "owed": zero, "fees": zero, "paid": zero,
            "adjustments": zero, "updated_at": now, "chain_head": heads[row["cooperative_id"]]})
        bucket[BUCKETS[row["kind"]]] += row["amount"]
    # One prepared upsert, executed for every cooperative in id order (executemany: the rows
    # are still taken one after the other, in that order); untouched buckets add zero.
    rawsql.executemany(BALANCE_UPSERT, [deltas[coop] for coop in sorted(deltas)])


def sale_line_entry(*, cooperative_id, category, gross, lot_id, quantity, location_id,
                    document_type, document_id, user_id=None, at=None, kind="sale", rate=None):
    """The entry (a dict for `post_entries`) a sold or refunded line makes, not yet posted."""
    rate = commission_rate_for(cooperative_id, category) if rate is None else Decimal(rate)
    commission, owed = sale_entry_values(gross, rate)
    sign = Decimal(-1) if kind == "refund" else Decimal(1)
    return {
        "cooperative_id": cooperative_id, "kind": kind, "created_at": at,
        "amount": sign * owed, "gross": sign * money(gross), "commission_rate": rate,
        "commission": sign * commission, "lot_id": lot_id, "quantity": quantity,
        "location_id": location_id, "document_type": document_type,
        "document_id": document_id, "user_id": user_id,
    }


def record_sale_line(**kwargs):
    """The entry a sold (or refunded, kind='refund') line makes: owed = gross less commission.

    A refund passes the sale's frozen `rate` and is written with negative amounts. Several
    lines of one document: build them with `sale_line_entry` and post them in one call.
    Returns (rate, commission, owed).
    """
    entry = sale_line_entry(**kwargs)
    post_entries([entry])
    sign = Decimal(-1) if entry["kind"] == "refund" else Decimal(1)
    return entry["commission_rate"], sign * entry["commission"], sign * entry["amount"]


def charge_packaging_fee(*, cooperative_id, units, document_id, user_id=None, at=None):
    """The packaging fee a packaging run charges its cooperative: units × fee per unit.

    The fee per unit is the admin's setting (ConsignmentSetting "packaging_fee_per_unit"),
    else PACKAGING_FEE_PER_UNIT from the config (zero: no fee). Returns the fee charged.
    """
    per_unit = packaging_fee_per_unit()
    fee = money(per_unit * Decimal(units))
    if fee > 0:
        post_entries([{
            "cooperative_id": cooperative_id, "kind": "fee", "amount": -fee,
            "quantity": Decimal(units), "document_type": "packaging_run",
            "document_id": document_id, "user_id": user_id, "created_at": at,
            "note": "packaging fee",
        }])
    return fee
