"""lots: blocked lots (recalls that stop sales), with their history

Revision ID: 0010_lots_blocks
Revises: 0009_trust_sessions
Create Date: 2026-11-29 21:00:00

`lot_blocks` is append-only: each row blocks or unblocks one lot with a reason, who and
when (and the lot whose recall page it came from). A lot is blocked while its latest row is
a block; models.ledger refuses to take stock out of it except to the loss or adjustment
locations or back to its cooperative.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010_lots_blocks'
down_revision = '0009_trust_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lot_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=8), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=False),
        sa.Column('recall_lot_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("action IN ('block', 'unblock')", name=op.f('ck_lot_blocks_lot_block_action')),
        sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_lot_blocks_lot_id_lots')),
        sa.ForeignKeyConstraint(['recall_lot_id'], ['lots.id'], name=op.f('fk_lot_blocks_recall_lot_id_lots')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lot_blocks_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lot_blocks')),
    )
    op.create_index(op.f('ix_lot_blocks_lot_id'), 'lot_blocks', ['lot_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_lot_blocks_lot_id'), table_name='lot_blocks')
    op.drop_table('lot_blocks')
