"""jobs: unit_id (its readers are the roles reaching it) and worker (the process running it)

Existing rows keep everything; their unit is unknown (NULL: readable by their starter and the
administrators) and so is their worker (a row left "running" is failed at the next start-up).

Revision ID: a7c3e9f1b2d4
Revises: 5d2f8b3c9a61
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e9f1b2d4'
down_revision = '5d2f8b3c9a61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_jobs_unit_id_units'), 'units', ['unit_id'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_jobs_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('worker')
        batch_op.drop_column('unit_id')
