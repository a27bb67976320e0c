"""voting_sessions.closed_at: when a session actually closed (early by the committee, or at
its closing time), so the page and the minutes do not show the planned end of a session
closed before it

Revision ID: d3f7a9c1e5b2
Revises: c8e1f4a2b6d9
Create Date: 2026-12-07 09:00:00

Sessions closed before this revision keep NULL: they read as closed at their closing time.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3f7a9c1e5b2'
down_revision = 'c8e1f4a2b6d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('voting_sessions') as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('voting_sessions') as batch_op:
        batch_op.drop_column('closed_at')
