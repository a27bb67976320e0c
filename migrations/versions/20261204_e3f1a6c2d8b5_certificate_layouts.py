"""certificate layouts: field positions on the pre-printed blank of each award code

Revision ID: e3f1a6c2d8b5
Revises: e3f7a9c1d5b2
Create Date: 2026-12-04 20:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e3f1a6c2d8b5"
down_revision = "e3f7a9c1d5b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificate_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("page_size", sa.String(length=4), nullable=False),
        sa.Column("orientation", sa.String(length=10), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "page_size IN ('A3','A4','A5')", name=op.f("ck_certificate_layouts_page_size")
        ),
        sa.CheckConstraint(
            "orientation IN ('landscape','portrait')",
            name=op.f("ck_certificate_layouts_orientation"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_certificate_layouts_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_layouts")),
        sa.UniqueConstraint("code", name=op.f("uq_certificate_layouts_code")),
    )


def downgrade():
    op.drop_table("certificate_layouts")
