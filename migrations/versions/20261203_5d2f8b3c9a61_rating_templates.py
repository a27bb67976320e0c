"""rating_templates: explanation steps name their message template by key

A rating's steps are stored as [rule_id, template key, figures] (figures 0 where a step shares
the step before's); the messages are rendered from rating_templates when read. Rows written
before keep their rendered steps, which read as they are.

Revision ID: 5d2f8b3c9a61
Revises: 9c1e4a7d5b20
Create Date: 2026-12-03 01:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d2f8b3c9a61'
down_revision = '9c1e4a7d5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rating_templates',
        sa.Column('id', sa.String(length=16), nullable=False),
        sa.Column('template', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_templates')),
    )


def downgrade():
    op.drop_table('rating_templates')
