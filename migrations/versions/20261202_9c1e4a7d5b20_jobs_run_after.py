"""jobs: run_after (a recompute after saves waits until its scope is quiet)

Revision ID: 9c1e4a7d5b20
Revises: 3b8d61f0a2c4
Create Date: 2026-12-02 08:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9c1e4a7d5b20'
down_revision = '3b8d61f0a2c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_after', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('run_after')
