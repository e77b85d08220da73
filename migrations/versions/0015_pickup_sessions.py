"""pre-orders paid at the till belong to the cashier's day

Revision ID: 0015_pickup_sessions
Revises: 0014_buyer_orders
Create Date: 2026-11-30 02:30:00

- buyer_payments.cash_session_id: a traveller's pre-order paid at a shop's till is in that
  cashier's open cash session (its expected cash at close, its Z report).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_pickup_sessions'
down_revision = '0014_buyer_orders'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('buyer_payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cash_session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_buyer_payments_cash_session_id_cash_sessions'),
                                    'cash_sessions', ['cash_session_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_buyer_payments_cash_session_id'),
                              ['cash_session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('buyer_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_buyer_payments_cash_session_id'))
        batch_op.drop_constraint(batch_op.f('fk_buyer_payments_cash_session_id_cash_sessions'),
                                 type_='foreignkey')
        batch_op.drop_column('cash_session_id')
