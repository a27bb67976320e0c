"""unnamed initiatives: the registry's entries written from the count columns of "Đánh giá cá
nhân" and "Lịch sử" (quantity, source), and those of the data already stored

Revision ID: a7c4e2b9d610
Revises: e3f1a6c2d8b5
Create Date: 2026-12-04 19:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c4e2b9d610"
down_revision = "e3f1a6c2d8b5"
branch_labels = None
depends_on = None

# (count table, its year, its subject column, source, kind) of the unnamed entries: a person's
# counts are sáng kiến authored by the person, a unit's history counts mô hình of the unit. The
# history of a year the service evaluates is a copy of its "Đánh giá cá nhân" (record_awards):
# written once, from the evaluation (awards.unnamed).
_SOURCES = (
    ("person_evals JOIN eval_years ON eval_years.id = person_evals.year_id", "eval_years.year",
     "person_evals.person_id", "p", "person_eval", "sang_kien", "NULL"),
    ("history", "history.year", "history.person_id", "p", "history", "sang_kien", "NULL"),
    ("history", "history.year", "history.unit_id", "u", "history", "mo_hinh", "history.unit_id"),
)  # fmt: skip
_LEVELS = (("co_so", "initiatives_base"), ("thanh_pho", "initiatives_city"))


def upgrade():
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quantity", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(
            sa.Column("source", sa.String(length=12), server_default="registry", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_initiatives_source"), "source IN ('registry','person_eval','history')"
        )
        batch_op.create_check_constraint(
            op.f("ck_initiatives_quantity"),
            "quantity >= 1 AND (source <> 'registry' OR quantity = 1)",
        )
    for table, year, subject, tag, source, kind, unit in _SOURCES:
        for level, column in _LEVELS:
            count = f"{table.split()[0]}.{column}"
            where = f"{subject} IS NOT NULL AND {count} > 0"
            if source == "history":
                where += " AND history.year NOT IN (SELECT year FROM eval_years)"
            key = f"'{tag}' || {subject} || ':{source}:{level}'"
            op.execute(
                "INSERT INTO initiatives (year, kind, title, level, unit_id, owner_key, "
                "decision_no, version, quantity, source) "
                f"SELECT {year}, '{kind}', '', '{level}', {unit}, {key}, '', 1, {count}, "
                f"'{source}' FROM {table} WHERE {where}"
            )
            if tag == "p":
                op.execute(
                    "INSERT INTO initiative_authors (initiative_id, person_id, position) "
                    f"SELECT initiatives.id, {subject}, 0 FROM {table} JOIN initiatives ON "
                    f"initiatives.year = {year} AND initiatives.source = '{source}' AND "
                    f"initiatives.owner_key = {key} WHERE {where}"
                )


def downgrade():
    op.execute(
        "DELETE FROM initiative_authors WHERE initiative_id IN "
        "(SELECT id FROM initiatives WHERE source <> 'registry')"
    )
    op.execute("DELETE FROM initiatives WHERE source <> 'registry'")
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_initiatives_quantity"), type_="check")
        batch_op.drop_constraint(op.f("ck_initiatives_source"), type_="check")
        batch_op.drop_column("source")
        batch_op.drop_column("quantity")
