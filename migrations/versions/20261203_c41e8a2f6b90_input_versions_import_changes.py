"""person_evals, unit_evals: version (optimistic saves, 409 on a stale row); import_runs:
changes (what a successful import did, per row, for its answer and its report)

Existing rows start at version 1 and with no listed changes.

Revision ID: c41e8a2f6b90
Revises: a7c3e9f1b2d4
Create Date: 2026-12-03 14:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c41e8a2f6b90'
down_revision = 'a7c3e9f1b2d4'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('person_evals', 'unit_evals'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('version', sa.Integer(), server_default='1', nullable=False)
            )
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changes', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.drop_column('changes')
    for table in ('unit_evals', 'person_evals'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
