"""performance: cooperatives' running consignment balances

Revision ID: 0007_perf
Revises: 0006_portal
Create Date: 2026-11-29 04:40:00

A cooperative's balance was a sum over all its entries (tens of thousands a year); the
running totals make it one row. Filled here from the existing entries; from then on
models.consignment.post_entries (the only writer of entries) keeps them, in the same
transaction, and `flask integrity-check` proves they equal the entries' sums.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_perf'
down_revision = '0006_portal'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consignment_balances',
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('owed', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('fees', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('adjustments', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_consignment_balances_cooperative_id_cooperatives')),
    sa.PrimaryKeyConstraint('cooperative_id', name=op.f('pk_consignment_balances'))
    )
    op.execute("""
        INSERT INTO consignment_balances (cooperative_id, owed, fees, paid, adjustments, updated_at)
        SELECT cooperative_id,
               coalesce(sum(CASE WHEN kind IN ('sale', 'refund') THEN amount ELSE 0 END), 0),
               coalesce(sum(CASE WHEN kind = 'fee' THEN amount ELSE 0 END), 0),
               coalesce(sum(CASE WHEN kind = 'payout' THEN amount ELSE 0 END), 0),
               coalesce(sum(CASE WHEN kind = 'adjustment' THEN amount ELSE 0 END), 0),
               CURRENT_TIMESTAMP
        FROM consignment_entries GROUP BY cooperative_id""")


def downgrade():
    op.drop_table('consignment_balances')
