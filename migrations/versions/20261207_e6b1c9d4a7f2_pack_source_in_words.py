"""The years whose rule pack came from the defaults say so in words ("mặc định theo quy định"),
not by the spec's file name ("mặc định (RULES.md)"), on their pages.

Revision ID: e6b1c9d4a7f2
Revises: a9e4c2f7b1d3
Create Date: 2026-12-07
"""

from alembic import op
import sqlalchemy as sa

revision = "e6b1c9d4a7f2"
down_revision = "a9e4c2f7b1d3"
branch_labels = None
depends_on = None

OLD, NEW = "mặc định (RULES.md)", "mặc định theo quy định"
years = sa.table("eval_years", sa.column("pack_source", sa.String))


def upgrade():
    op.execute(years.update().where(years.c.pack_source == OLD).values(pack_source=NEW))


def downgrade():
    op.execute(years.update().where(years.c.pack_source == NEW).values(pack_source=OLD))
