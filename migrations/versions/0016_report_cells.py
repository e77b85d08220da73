"""report cells: the open data's sales per day and month, cooperative, family and outlet type

Revision ID: 0016_report_cells
Revises: 0015_pickup_sessions
Create Date: 2026-11-30 02:30:00

- report_cells: sales net of refunds per local day (grain 'day') and month (grain 'month'),
  cooperative, product family and outlet type (models/report_cells.py), so the open data's
  monthly cells read a few thousand rows. Filled here from consignment_daily and
  consignment_monthly; from then on models.consignment.post_entries keeps it in the entries'
  transaction, master-data edits (a product's category, a location's code) move their sums,
  and `flask integrity-check` proves it equals the entries.
"""
from alembic import op
import sqlalchemy as sa

revision = '0016_report_cells'
down_revision = '0015_pickup_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_cells',
    sa.Column('grain', sa.String(length=5), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('family', sa.String(length=32), nullable=False),
    sa.Column('outlet_type', sa.String(length=16), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('gross', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('commission', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('grain', 'day', 'cooperative_id', 'family', 'outlet_type',
                            name=op.f('pk_report_cells')),
    sqlite_with_rowid=False,  # rows in key order: a period is one sequential range
    )
    from models.report_cells import fill_from_summaries

    fill_from_summaries(op.get_bind())


def downgrade():
    op.drop_table('report_cells')
