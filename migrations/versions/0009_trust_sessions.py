"""trust: sessions that end and tokens that expire

Revision ID: 0009_trust_sessions
Revises: 0008_perf_indexes
Create Date: 2026-12-01 09:00:00

users.session_version: a signed-in session carries the version it was opened with; sign-out
and a password change raise it, which ends every session opened before (server side, although
sessions live in signed cookies). api_tokens.expires_at: a token stops working at that time;
tokens issued before this revision expire 90 days after their creation.
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = '0009_trust_sessions'
down_revision = '0008_perf_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    tokens = sa.table('api_tokens', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
                      sa.column('expires_at', sa.DateTime))
    conn = op.get_bind()
    for token_id, created in conn.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        conn.execute(tokens.update().where(tokens.c.id == token_id)
                     .values(expires_at=created + timedelta(days=90)))


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
