"""accountability: audit log, sealed books with hash chains, credit-note and Z numbers,
commission rates with effective dates, compensations, payout reversals

Revision ID: 0011_audit_books
Revises: 0010_lots_blocks
Create Date: 2026-11-29 21:00:00

Existing refunds are numbered per shop in the order they were made; existing sales and
consignment entries are chained (models.books.backfill_chains) before the seals (triggers
refusing UPDATE and DELETE, models.books.SEALED) are laid on the books.
"""
from alembic import op
import sqlalchemy as sa

from models import books

revision = '0011_audit_books'
down_revision = '0010_lots_blocks'
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.String(length=40), nullable=True),
        sa.Column('before', sa.Text(), nullable=True),
        sa.Column('after', sa.Text(), nullable=True),
        _fk('audit_entries', 'user_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')))
    op.create_index('ix_audit_entries_created_at', 'audit_entries', ['created_at'])
    op.create_index('ix_audit_entries_user_id', 'audit_entries', ['user_id'])
    op.create_index('ix_audit_entries_object', 'audit_entries', ['object_type', 'object_id', 'id'])

    op.create_table(
        'commission_rate_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cooperative_id', sa.Integer(), nullable=True),
        sa.Column('category', sa.String(length=32), nullable=True),
        sa.Column('rate', sa.Numeric(precision=6, scale=4), nullable=True),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('rate IS NULL OR (rate >= 0 AND rate < 1)',
                           name=op.f('ck_commission_rate_changes_rate_range')),
        _fk('commission_rate_changes', 'cooperative_id', 'cooperatives'),
        _fk('commission_rate_changes', 'user_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_rate_changes')))
    op.create_index('ix_commission_rate_changes_scope', 'commission_rate_changes',
                    ['cooperative_id', 'category', 'effective_from'])

    op.create_table(
        'payout_reversals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('payout_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        _fk('payout_reversals', 'payout_id', 'payouts'),
        _fk('payout_reversals', 'user_id', 'users'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_reversals')),
        sa.UniqueConstraint('payout_id', name=op.f('uq_payout_reversals_payout_id')))

    op.create_table(
        'compensations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cooperative_id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=True),
        sa.Column('location_id', sa.Integer(), nullable=True),
        sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column('loss_kind', sa.String(length=24), nullable=False),
        sa.Column('document_type', sa.String(length=32), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=True),
        sa.Column('basis', sa.String(length=16), nullable=False),
        sa.Column('retail_price', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('commission_rate', sa.Numeric(precision=6, scale=4), nullable=True),
        sa.Column('unit_value', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decision_note', sa.String(length=255), nullable=True),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_compensations_quantity_positive')),
        sa.CheckConstraint('amount >= 0', name=op.f('ck_compensations_amount_nonneg')),
        sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected', 'borne')",
                           name=op.f('ck_compensations_status')),
        _fk('compensations', 'cooperative_id', 'cooperatives'),
        _fk('compensations', 'product_id', 'products'),
        _fk('compensations', 'lot_id', 'lots'),
        _fk('compensations', 'location_id', 'locations'),
        _fk('compensations', 'created_by_id', 'users'),
        _fk('compensations', 'decided_by_id', 'users'),
        _fk('compensations', 'entry_id', 'consignment_entries'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_compensations')))
    op.create_index('ix_compensations_cooperative_id', 'compensations', ['cooperative_id'])
    op.create_index('ix_compensations_status', 'compensations', ['status'])
    op.create_index('ix_compensations_document', 'compensations', ['document_type', 'document_id'])

    # The old single-purpose triggers give way to the seals.
    for table in ("stock_movements", "consignment_entries"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update" + (f" ON {table}" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {table}_immutable()")

    op.add_column('sales', sa.Column('chain_hash', sa.String(length=64), nullable=True))
    op.add_column('consignment_entries', sa.Column('chain_hash', sa.String(length=64), nullable=True))
    op.add_column('consignment_balances', sa.Column('chain_head', sa.String(length=64), nullable=True))
    op.add_column('receipt_counters', sa.Column('last_credit_note', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('receipt_counters', sa.Column('last_z_report', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('cash_sessions', sa.Column('z_seq', sa.Integer(), nullable=True))
    op.add_column('cash_sessions', sa.Column('z_number', sa.String(length=32), nullable=True))
    op.add_column('refunds', sa.Column('location_id', sa.Integer(), nullable=True))
    op.add_column('refunds', sa.Column('seq', sa.Integer(), nullable=True))
    op.add_column('refunds', sa.Column('number', sa.String(length=32), nullable=True))
    op.add_column('refunds', sa.Column('print_count', sa.Integer(), nullable=False, server_default='0'))
    _number_existing_refunds()
    op.create_index('uq_refunds_location_seq', 'refunds', ['location_id', 'seq'], unique=True)
    bind = op.get_bind()
    books.backfill_chains(bind)
    columns = lambda table: [c["name"] for c in sa.inspect(bind).get_columns(table)]  # noqa: E731
    for statement in books.seal_statements(dialect, columns):
        op.execute(statement)


def _number_existing_refunds():
    """Credit-note numbers for the refunds made before they were numbered, in order."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT r.id, s.location_id, c.prefix FROM refunds r JOIN sales s ON s.id = r.sale_id "
        "LEFT JOIN receipt_counters c ON c.location_id = s.location_id ORDER BY r.id")).all()
    last = {}
    for refund_id, location_id, prefix in rows:
        last[location_id] = last.get(location_id, 0) + 1
        bind.execute(sa.text("UPDATE refunds SET location_id = :l, seq = :s, number = :n WHERE id = :id"),
                     {"l": location_id, "s": last[location_id],
                      "n": f"AV-{prefix or 'SHP'}-{last[location_id]:06d}", "id": refund_id})
    for location_id, n in last.items():
        bind.execute(sa.text("UPDATE receipt_counters SET last_credit_note = :n WHERE location_id = :l"),
                     {"n": n, "l": location_id})


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in books.unseal_statements(dialect):
        op.execute(statement)
    op.drop_index('uq_refunds_location_seq', table_name='refunds')
    with op.batch_alter_table('refunds') as batch:
        for name in ('print_count', 'number', 'seq', 'location_id'):
            batch.drop_column(name)
    with op.batch_alter_table('cash_sessions') as batch:
        batch.drop_column('z_number')
        batch.drop_column('z_seq')
    with op.batch_alter_table('receipt_counters') as batch:
        batch.drop_column('last_z_report')
        batch.drop_column('last_credit_note')
    with op.batch_alter_table('consignment_balances') as batch:
        batch.drop_column('chain_head')
    with op.batch_alter_table('consignment_entries') as batch:
        batch.drop_column('chain_hash')
    with op.batch_alter_table('sales') as batch:
        batch.drop_column('chain_hash')
    op.drop_table('compensations')
    op.drop_table('payout_reversals')
    op.drop_table('commission_rate_changes')
    op.drop_table('audit_entries')
    for table in ("stock_movements", "consignment_entries"):
        if dialect == "postgresql":
            op.execute(f"CREATE FUNCTION {table}_immutable() RETURNS trigger AS $$ BEGIN "
                       f"RAISE EXCEPTION '{table} are immutable'; END; $$ LANGUAGE plpgsql")
            op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {table}_immutable()")
        else:
            op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} are immutable'); END")
