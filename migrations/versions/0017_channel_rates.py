"""commission rates per buyer channel: till sales, orders for delivery, pick-up orders

Revision ID: 0017_channel_rates
Revises: 0016_report_cells
Create Date: 2026-11-30 02:30:00

- commission_rules.channel and commission_rate_changes.channel (NULL: every channel; else
  'till', 'delivery' or 'pickup', the names models.orders uses for an order's fulfilment).
- A rule's scope is (cooperative, category, channel): uq_commission_rules_scope widened.
- The history stays sealed: on SQLite the update trigger names the new column too.
"""
from alembic import op
import sqlalchemy as sa

revision = '0017_channel_rates'
down_revision = '0016_report_cells'
branch_labels = None
depends_on = None

CHANNELS = "channel IS NULL OR channel IN ('till', 'delivery', 'pickup')"
CHANGE_COLUMNS = ('id', 'cooperative_id', 'category', 'rate', 'effective_from', 'created_at',
                  'user_id')


def _sqlite_seal(columns):
    op.execute("DROP TRIGGER IF EXISTS commission_rate_changes_sealed_update")
    op.execute(f"CREATE TRIGGER commission_rate_changes_sealed_update BEFORE UPDATE OF "
               f"{', '.join(columns)} ON commission_rate_changes BEGIN SELECT RAISE(ABORT, "
               "'sealed books: commission_rate_changes rows are never updated'); END")


def upgrade():
    with op.batch_alter_table('commission_rules') as batch:
        batch.add_column(sa.Column('channel', sa.String(length=16), nullable=True))
        batch.drop_constraint(op.f('uq_commission_rules_scope'), type_='unique')
        batch.create_unique_constraint(op.f('uq_commission_rules_scope'),
                                       ['cooperative_id', 'category', 'channel'])
        batch.create_check_constraint(op.f('ck_commission_rules_channel'), CHANNELS)
    # A plain ADD COLUMN (no table rebuild): the sealed table keeps its rows and triggers.
    op.add_column('commission_rate_changes', sa.Column('channel', sa.String(length=16), nullable=True))
    if op.get_bind().dialect.name != 'postgresql':
        _sqlite_seal(CHANGE_COLUMNS + ('channel',))


def downgrade():
    dialect = op.get_bind().dialect.name
    op.execute("DELETE FROM commission_rules WHERE channel IS NOT NULL")
    with op.batch_alter_table('commission_rules') as batch:
        batch.drop_constraint(op.f('ck_commission_rules_channel'), type_='check')
        batch.drop_constraint(op.f('uq_commission_rules_scope'), type_='unique')
        batch.create_unique_constraint(op.f('uq_commission_rules_scope'), ['cooperative_id', 'category'])
        batch.drop_column('channel')
    # The channel decisions cannot be told apart without the column: they go with it.
    if dialect == 'postgresql':
        op.execute("ALTER TABLE commission_rate_changes DISABLE TRIGGER commission_rate_changes_sealed")
        op.execute("DELETE FROM commission_rate_changes WHERE channel IS NOT NULL")
        op.execute("ALTER TABLE commission_rate_changes ENABLE TRIGGER commission_rate_changes_sealed")
        op.drop_column('commission_rate_changes', 'channel')
    else:
        op.execute("DROP TRIGGER IF EXISTS commission_rate_changes_sealed_update")
        op.execute("DROP TRIGGER IF EXISTS commission_rate_changes_sealed_delete")
        op.execute("DELETE FROM commission_rate_changes WHERE channel IS NOT NULL")
        op.drop_column('commission_rate_changes', 'channel')
        _sqlite_seal(CHANGE_COLUMNS)
        op.execute("CREATE TRIGGER commission_rate_changes_sealed_delete BEFORE DELETE ON "
                   "commission_rate_changes BEGIN SELECT RAISE(ABORT, 'sealed books: "
                   "commission_rate_changes rows are never deleted'); END")
