"""nominations: (year, subject, award) unique by the subject's id, one partial index per kind

Revision ID: b5d2e8f1a3c7
Revises: f4b8c2d6e9a1
Create Date: 2026-12-06 21:30:00

The unique constraint on (year, subject_key, award) and the indexes on person_id and unit_id
become two partial unique indexes, (person_id, year, award) where person_id is set and
(unit_id, year, award) where unit_id is set: the same uniqueness (subject_key is "p" or "u"
and the id), the same cascades and lookups, one index fewer and no text key to maintain when
a proposal stores a city's rows (issue 12, bench/README.md).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5d2e8f1a3c7'
down_revision = 'f4b8c2d6e9a1'
branch_labels = None
depends_on = None

PERSON = sa.text("person_id IS NOT NULL")
UNIT = sa.text("unit_id IS NOT NULL")


def upgrade():
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_nominations_year_subject_key_award', type_='unique')
        batch_op.drop_index('ix_nominations_person_id')
        batch_op.drop_index('ix_nominations_unit_id')
        batch_op.create_index(
            'uq_nominations_person_year_award', ['person_id', 'year', 'award'], unique=True,
            postgresql_where=PERSON, sqlite_where=PERSON,
        )
        batch_op.create_index(
            'uq_nominations_unit_year_award', ['unit_id', 'year', 'award'], unique=True,
            postgresql_where=UNIT, sqlite_where=UNIT,
        )


def downgrade():
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_index('uq_nominations_unit_year_award')
        batch_op.drop_index('uq_nominations_person_year_award')
        batch_op.create_index('ix_nominations_unit_id', ['unit_id'], unique=False)
        batch_op.create_index('ix_nominations_person_id', ['person_id'], unique=False)
        batch_op.create_unique_constraint(
            'uq_nominations_year_subject_key_award', ['year', 'subject_key', 'award']
        )
