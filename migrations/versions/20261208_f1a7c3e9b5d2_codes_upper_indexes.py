"""Indexes on upper(code) of units and people: a code is looked up whatever its case (a new
unit or person is refused when `pw001` is taken as `PW001`; the imports read `pw-kt` as the
unit PW-KT). Without them each such lookup read the whole table (500,000 people at city scale).

Revision ID: f1a7c3e9b5d2
Revises: e6b1c9d4a7f2
Create Date: 2026-12-08 00:10:00

Not unique: a database may already hold two codes that differ only in case (written by an
import before the codes were folded), and this upgrade must not fail on it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a7c3e9b5d2'
down_revision = 'e6b1c9d4a7f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_units_code_upper', 'units', [sa.text('upper(code)')])
    op.create_index('ix_people_code_upper', 'people', [sa.text('upper(code)')])


def downgrade():
    op.drop_index('ix_people_code_upper', table_name='people')
    op.drop_index('ix_units_code_upper', table_name='units')
