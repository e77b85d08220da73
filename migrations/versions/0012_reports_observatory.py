"""reports: the observer role, the consignment's daily sums, losses and receipts by place

Revision ID: 0012_reports_observatory
Revises: 0011_audit_books
Create Date: 2026-11-29 21:00:00

- users.role accepts 'observer' (Council or observatory staff: aggregates only).
- consignment_daily and consignment_monthly: the consignment entries summed per local day
  (and month), cooperative, kind, outlet and product (models/report_summaries.py). Filled here from the existing entries;
  from then on models.consignment.post_entries keeps it in the entries' transaction, and
  `flask integrity-check` proves it equals the entries.
- ix_stock_movements_to_time (to_location_id, created_at): the losses of a period (movements
  into LOSS and ADJUSTMENT) and an outlet's receipts, without scanning the year's movements.
"""
from alembic import op
import sqlalchemy as sa

revision = '0012_reports_observatory'
down_revision = '0011_audit_books'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('admin', 'operator', 'cashier', 'cooperative')"
NEW_ROLES = "role IN ('admin', 'operator', 'cashier', 'cooperative', 'observer')"


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint(op.f('ck_users_role'), type_='check')
        batch.create_check_constraint(op.f('ck_users_role'), NEW_ROLES)
    for table in ('consignment_daily', 'consignment_monthly'):
        op.create_table(table,
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('cooperative_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('location_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column('gross', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('commission', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('age_days', sa.Numeric(precision=18, scale=3), nullable=False),
        sa.PrimaryKeyConstraint('day', 'cooperative_id', 'kind', 'location_id', 'product_id',
                                name=op.f(f'pk_{table}')),
        sqlite_with_rowid=False,  # rows in key order: a period is one sequential range
        )
    op.create_index('ix_stock_movements_to_time', 'stock_movements', ['to_location_id', 'created_at'])
    from models.report_summaries import rebuild

    rebuild(op.get_bind(), cells=False)  # report_cells comes with 0015


def downgrade():
    op.drop_index('ix_stock_movements_to_time', table_name='stock_movements')
    op.drop_table('consignment_monthly')
    op.drop_table('consignment_daily')
    op.execute("DELETE FROM users WHERE role = 'observer'")
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint(op.f('ck_users_role'), type_='check')
        batch.create_check_constraint(op.f('ck_users_role'), OLD_ROLES)
