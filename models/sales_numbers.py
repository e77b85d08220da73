"""Receipts, credit notes and Z reports numbered per shop without gaps, from the receipt
counter row.

The UPDATE locks the shop's counter row until commit (a rolled-back sale, refund or close
gives its number back). Flushes nothing else, never commits.
"""
from sqlalchemy import update

from extensions import db
from models import rawsql
from models.sales import ReceiptCounter
from models.stock import Location

# counter column → printed prefix before the shop's
SERIES = {"last_credit_note": "AV", "last_z_report": "Z"}


def take_number(location_id, column):
    """(seq, number) of the shop's next credit note ("last_credit_note") or Z report
    ("last_z_report"): AV-AIR-000001, Z-AIR-000001."""
    table = ReceiptCounter.__table__
    bump = (update(table).where(table.c.location_id == location_id)
            .values({column: table.c[column] + 1}).returning(table.c[column], table.c.prefix))
    row = db.session.execute(bump).first()
    if row is None:
        from sqlalchemy.dialects import postgresql, sqlite

        code = db.session.get(Location, location_id).code
        ins = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        db.session.execute(ins(table).values(location_id=location_id, last_number=0,
                                             last_credit_note=0, last_z_report=0,
                                             prefix=receipt_prefix(code))
                           .on_conflict_do_nothing(index_elements=["location_id"]))
        row = db.session.execute(bump).first()
    return row[0], f"{SERIES[column]}-{row[1]}-{row[0]:06d}"


def receipt_prefix(location_code):
    """AIR for SHOP-AIRPORT, OUJ for STAND-OUJDA: short, readable on a receipt."""
    tail = (location_code or "SHOP").split("-")[-1]
    letters = "".join(ch for ch in tail.upper() if ch.isalnum())
    return (letters[:3] or "SHP")


def next_receipt(location_id, location_code):
    """Take the shop's next receipt number inside the caller's transaction, with the chain
    head of the shop's sales: (seq, number, hash of the previous sale or None).

    The UPDATE locks the counter row until commit, so a rolled-back sale gives its number
    back: receipts stay sequential per shop without gaps. The next statement reads the
    previous sale's hash (receipts are gapless: seq − 1), read under the same lock.
    """
    bump = ("UPDATE receipt_counters SET last_number = last_number + 1 "
            "WHERE location_id = :loc RETURNING last_number, prefix")
    row = rawsql.execute(bump, {"loc": location_id}).fetchone()
    if row is None:
        from sqlalchemy.dialects import postgresql, sqlite

        table = ReceiptCounter.__table__
        ins = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        db.session.execute(ins(table).values(location_id=location_id, last_number=0,
                                             prefix=receipt_prefix(location_code))
                           .on_conflict_do_nothing(index_elements=["location_id"]))
        row = rawsql.execute(bump, {"loc": location_id}).fetchone()
    last_number, prefix = row
    # Read after the UPDATE, in a statement of its own: on PostgreSQL a statement's snapshot is
    # taken when it starts, so a subquery of the UPDATE that waited for the counter's lock would
    # not see the sale the previous holder just committed (its chain would fork).
    previous = rawsql.execute("SELECT chain_hash FROM sales WHERE location_id = :loc AND seq = :seq",
                              {"loc": location_id, "seq": last_number - 1}).fetchone()
    return last_number, f"{prefix}-{last_number:06d}", previous[0] if previous else None
