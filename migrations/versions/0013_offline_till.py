"""offline till: devices, their receipt-number blocks, offline sales and what they left to settle

Revision ID: 0013_offline_till
Revises: 0013_write_offs
Create Date: 2026-11-30 00:00:00

- till_devices: a browser selling at a shop (T1, T2…), the cash session it sells into, how
  many sales it said were waiting, and the last receipt number it has reserved.
- device_receipt_blocks: each block of numbers reserved while online (gapless per device).
- offline_sales: a sale made offline, with its device number (AIR-T2-000123), device time and
  sync time; (device, number) unique.
- offline_sale_issues: a shortfall posted from UNRECONCILED, or a lot blocked or expired by
  the time the sale synced; listed until settled.
- The virtual location UNRECONCILED (kind adjustment).
"""
from alembic import op
import sqlalchemy as sa

revision = '0013_offline_till'
down_revision = '0013_write_offs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('till_devices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('cash_session_id', sa.Integer(), nullable=True),
        sa.Column('queued_count', sa.Integer(), nullable=False),
        sa.Column('reserved_through', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['cash_session_id'], ['cash_sessions.id'], name=op.f('fk_till_devices_cash_session_id_cash_sessions')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_till_devices_created_by_users')),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_till_devices_location_id_locations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_till_devices')),
        sa.UniqueConstraint('location_id', 'code', name='uq_till_devices_code'))
    op.create_table('device_receipt_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('first', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.Column('reserved_at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['device_id'], ['till_devices.id'], name=op.f('fk_device_receipt_blocks_device_id_till_devices')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_device_receipt_blocks_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_device_receipt_blocks')))
    op.create_index(op.f('ix_device_receipt_blocks_device_id'), 'device_receipt_blocks', ['device_id'])
    op.create_table('offline_sales',
        sa.Column('sale_id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('device_seq', sa.Integer(), nullable=False),
        sa.Column('device_number', sa.String(length=32), nullable=False),
        sa.Column('sold_at', sa.DateTime(), nullable=False),
        sa.Column('synced_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['device_id'], ['till_devices.id'], name=op.f('fk_offline_sales_device_id_till_devices')),
        sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_offline_sales_sale_id_sales')),
        sa.PrimaryKeyConstraint('sale_id', name=op.f('pk_offline_sales')),
        sa.UniqueConstraint('device_id', 'device_seq', name='uq_offline_sales_device_seq'))
    op.create_table('offline_sale_issues',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sale_id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('settled_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('shortfall', 'lot_blocked', 'lot_expired')", name=op.f('ck_offline_sale_issues_kind')),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_offline_sale_issues_location_id_locations')),
        sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_offline_sale_issues_lot_id_lots')),
        sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_offline_sale_issues_sale_id_sales')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_sale_issues')))
    op.create_index(op.f('ix_offline_sale_issues_sale_id'), 'offline_sale_issues', ['sale_id'])
    table = sa.table("locations", sa.column("code"), sa.column("kind"), sa.column("name_fr"),
                     sa.column("name_ar"), sa.column("active", sa.Boolean))
    op.bulk_insert(table, [dict(code="UNRECONCILED", kind="adjustment",
                                name_fr="Ventes hors ligne à rapprocher",
                                name_ar="مبيعات دون اتصال في انتظار التسوية", active=True)])


def downgrade():
    op.execute("DELETE FROM locations WHERE code = 'UNRECONCILED'")
    op.drop_index(op.f('ix_offline_sale_issues_sale_id'), table_name='offline_sale_issues')
    op.drop_table('offline_sale_issues')
    op.drop_table('offline_sales')
    op.drop_index(op.f('ix_device_receipt_blocks_device_id'), table_name='device_receipt_blocks')
    op.drop_table('device_receipt_blocks')
    op.drop_table('till_devices')
