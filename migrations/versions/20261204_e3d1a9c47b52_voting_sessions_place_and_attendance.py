"""voting sessions: place and attendance of the meeting (for the minutes, biên bản)

Revision ID: e3d1a9c47b52
Revises: 9d4e2a7b1c05
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3d1a9c47b52'
down_revision = '9d4e2a7b1c05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('voting_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('present_count', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('voting_sessions', schema=None) as batch_op:
        batch_op.drop_column('present_count')
        batch_op.drop_column('place')
