"""users: must_change_password (accounts created for people change it at first login); one
account per person (unique person_id)

Revision ID: e5b19d7c3a42
Revises: c41e8a2f6b90
Create Date: 2026-12-03 17:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e5b19d7c3a42'
down_revision = 'c41e8a2f6b90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.create_unique_constraint('uq_users_person_id', ['person_id'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_person_id', type_='unique')
        batch_op.drop_column('must_change_password')
