"""decision registry: decisions, award_lists.decision_id

Revision ID: 9d4e2a7b1c60
Revises: 0214ee3c97ce
Create Date: 2026-12-04 19:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9d4e2a7b1c60"
down_revision = "0214ee3c97ce"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint(
            "level IN ('co_so','huyen','thanh_pho','nha_nuoc')", name=op.f("ck_decisions_level")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_decisions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_decisions_unit_id_units"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("unit_id", "year", "number", name=op.f("uq_decisions_unit_id_year_number")),
    )
    op.create_index("ix_decisions_decided_on", "decisions", ["decided_on"])
    with op.batch_alter_table("award_lists") as batch:
        batch.add_column(sa.Column("decision_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_award_lists_decision_id_decisions"), "decisions", ["decision_id"], ["id"],
            ondelete="RESTRICT",
        )
        batch.create_index("ix_award_lists_decision_id", ["decision_id"])


def downgrade():
    with op.batch_alter_table("award_lists") as batch:
        batch.drop_index("ix_award_lists_decision_id")
        batch.drop_constraint("fk_award_lists_decision_id_decisions", type_="foreignkey")
        batch.drop_column("decision_id")
    op.drop_index("ix_decisions_decided_on", table_name="decisions")
    op.drop_table("decisions")
