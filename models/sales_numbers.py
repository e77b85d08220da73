"""Credit notes and Z reports numbered per shop without gaps, from the receipt counter row.

The UPDATE locks the shop's counter row until commit (a rolled-back refund or close gives
its number back). Flushes nothing else, never commits.
"""
from sqlalchemy import update

from extensions import db
from models.sales import ReceiptCounter
from models.stock import Location

# counter column → printed prefix before the shop's
SERIES = {"last_credit_note": "AV", "last_z_report": "Z"}


def take_number(location_id, column):
    """(seq, number) of the shop's next credit note ("last_credit_note") or Z report
    ("last_z_report"): AV-AIR-000001, Z-AIR-000001."""
    from models.sales_posting import receipt_prefix

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
