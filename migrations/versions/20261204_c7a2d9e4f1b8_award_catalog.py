"""award catalog per year

Revision ID: c7a2d9e4f1b8
Revises: 4bd4c622faca
Create Date: 2026-12-04 17:55:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c7a2d9e4f1b8"
down_revision = "4bd4c622faca"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "award_catalog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("authority", sa.String(length=300), nullable=False),
        sa.Column("cap_pct", sa.Integer(), nullable=True),
        sa.Column("vote_pct", sa.Integer(), nullable=False),
        sa.Column("vote_strict", sa.Boolean(), nullable=False),
        sa.Column("state_level", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "cap_pct IS NULL OR (cap_pct BETWEEN 0 AND 100)",
            name=op.f("ck_award_catalog_cap_pct"),
        ),
        sa.CheckConstraint("vote_pct BETWEEN 1 AND 100", name=op.f("ck_award_catalog_vote_pct")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_catalog")),
        sa.UniqueConstraint("year", "code", name=op.f("uq_award_catalog_year_code")),
    )


def downgrade():
    op.drop_table("award_catalog")
