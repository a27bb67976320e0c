"""ratings: digest of the stored result; unique keys led by the subject

A recompute compares each new result's digest with the stored one and rewrites only what
changed. The unique keys (person, year, kind) and (unit, year, kind) also serve the lookups by
person, so the separate person_id index goes (one index less to maintain per written row).

Revision ID: 3b8d61f0a2c4
Revises: fe38df14a385
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3b8d61f0a2c4'
down_revision = 'fe38df14a385'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.BigInteger(), nullable=True))
        batch_op.drop_constraint('uq_ratings_year_id_kind_person_id', type_='unique')
        batch_op.drop_constraint('uq_ratings_year_id_kind_unit_id', type_='unique')
        batch_op.drop_index('ix_ratings_person_id')
        batch_op.create_unique_constraint(
            batch_op.f('uq_ratings_person_id_year_id_kind'), ['person_id', 'year_id', 'kind']
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_ratings_unit_id_year_id_kind'), ['unit_id', 'year_id', 'kind']
        )


def downgrade():
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ratings_unit_id_year_id_kind', type_='unique')
        batch_op.drop_constraint('uq_ratings_person_id_year_id_kind', type_='unique')
        batch_op.create_index('ix_ratings_person_id', ['person_id'], unique=False)
        batch_op.create_unique_constraint(
            'uq_ratings_year_id_kind_unit_id', ['year_id', 'kind', 'unit_id']
        )
        batch_op.create_unique_constraint(
            'uq_ratings_year_id_kind_person_id', ['year_id', 'kind', 'person_id']
        )
        batch_op.drop_column('digest')
