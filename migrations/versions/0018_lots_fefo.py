"""lots in first-expired-first-out order: an index for the stock page's order

Revision ID: 0018_lots_fefo
Revises: 0017_channel_rates
Create Date: 2026-11-30 06:30:00

- ix_lots_fefo on lots ((best_before IS NULL), best_before, code): the order of the stock
  page (models.stock_traceability.stock_query: dated lots first, then by date and code). Its
  first page of 200 is then read lot by lot in that order until 200 holdings are found, not
  every holding of the year joined and sorted (PostgreSQL ~22 ms -> ~1 ms, SQLite ~11 -> ~1 ms
  of CPU on the bench year; bench/README.md, "perf18"). Lots are written at receptions and
  packaging runs, never on the sale path; stock_balances (updated by each sale) gets no index.
"""
from alembic import op
import sqlalchemy as sa

revision = '0018_lots_fefo'
down_revision = '0017_channel_rates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_lots_fefo', 'lots', [sa.text('(best_before IS NULL)'), 'best_before', 'code'])


def downgrade():
    op.drop_index('ix_lots_fefo', table_name='lots')
