"""performance: statements read from a covering index

Revision ID: 0008_perf_indexes
Revises: 0007_perf
Create Date: 2026-11-29 05:05:00

A year's statement of a busy cooperative is ~60,000 entries scattered through millions of
rows: fetching each row from the table was most of the time. The new index holds every
column a statement shows, in the statement's order (cooperative, time, id), so it is read
in order from the index alone. It replaces ix_consignment_entries_coop_time, whose columns
are its prefix (balances before a date stay index-only sums). Cost: the index is about as
large as the table (+~20 % on a year's SQLite file).
"""
from alembic import op

revision = '0008_perf_indexes'
down_revision = '0007_perf'
branch_labels = None
depends_on = None

COLUMNS = ["cooperative_id", "created_at", "id", "kind", "amount", "gross", "commission_rate",
           "commission", "quantity", "lot_id", "location_id", "document_type", "document_id",
           "reference", "note"]


def upgrade():
    op.create_index("ix_consignment_entries_statement", "consignment_entries", COLUMNS, unique=False)
    op.drop_index("ix_consignment_entries_coop_time", table_name="consignment_entries")


def downgrade():
    op.create_index("ix_consignment_entries_coop_time", "consignment_entries",
                    ["cooperative_id", "created_at", "kind", "amount"], unique=False)
    op.drop_index("ix_consignment_entries_statement", table_name="consignment_entries")
