"""write-offs: goods broken, spoiled or lost at a warehouse zone or a shop

Revision ID: 0013_write_offs
Revises: 0012_reports_observatory
Create Date: 2026-11-30 00:10:00

- write_offs: the loss document (lot, location, quantity, cause, reason, who, when); its
  movement to LOSS and its compensation (proposed, or borne by the cooperative) are written by
  models.stock_writeoffs in the same transaction.
- Sealed like the other books: rows refuse UPDATE and DELETE (the trigger function
  sealed_row() of 0011 on PostgreSQL, two triggers on SQLite).
"""
from alembic import op
import sqlalchemy as sa

revision = '0013_write_offs'
down_revision = '0012_reports_observatory'
branch_labels = None
depends_on = None

COLUMNS = ('lot_id', 'location_id', 'quantity', 'cause', 'reason', 'created_at', 'created_by_id')


def _fk(column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_write_offs_{column}_{target}"))


def upgrade():
    op.create_table(
        'write_offs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column('cause', sa.String(length=12), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_write_offs_quantity_positive')),
        sa.CheckConstraint("cause IN ('damaged', 'lost', 'expired', 'defect')",
                           name=op.f('ck_write_offs_cause')),
        _fk('lot_id', 'lots'),
        _fk('location_id', 'locations'),
        _fk('created_by_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_write_offs')))
    with op.batch_alter_table('write_offs') as batch:
        batch.create_index(batch.f('ix_write_offs_lot_id'), ['lot_id'], unique=False)
        batch.create_index(batch.f('ix_write_offs_location_id'), ['location_id'], unique=False)
        batch.create_index(batch.f('ix_write_offs_created_at'), ['created_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE TRIGGER write_offs_sealed BEFORE UPDATE OR DELETE ON write_offs "
                   "FOR EACH ROW EXECUTE FUNCTION sealed_row()")
    else:
        op.execute(f"CREATE TRIGGER write_offs_sealed_update BEFORE UPDATE OF {', '.join(COLUMNS)} "
                   "ON write_offs BEGIN SELECT RAISE(ABORT, 'sealed books: write_offs rows are never "
                   "updated'); END")
        op.execute("CREATE TRIGGER write_offs_sealed_delete BEFORE DELETE ON write_offs BEGIN "
                   "SELECT RAISE(ABORT, 'sealed books: write_offs rows are never deleted'); END")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS write_offs_sealed ON write_offs")
    else:
        op.execute("DROP TRIGGER IF EXISTS write_offs_sealed_update")
        op.execute("DROP TRIGGER IF EXISTS write_offs_sealed_delete")
    op.drop_table('write_offs')
