"""people: sort_name (vi_sort_key of full_name, the Vietnamese name order); the people index
per unit follows the page order (unit_id, sort_name, code)

Existing rows get their key from service.common.vietnamese.vi_sort_key.

Revision ID: e5a1c7d93f02
Revises: e5b19d7c3a42
Create Date: 2026-12-03 17:40:00

"""
from alembic import op
import sqlalchemy as sa

from service.common.vietnamese import vi_sort_key


revision = 'e5a1c7d93f02'
down_revision = 'e5b19d7c3a42'
branch_labels = None
depends_on = None

SortKey = sa.String(600).with_variant(sa.String(600, collation='C'), 'postgresql')


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_name', SortKey, nullable=True))
    people = sa.table(
        'people', sa.column('id', sa.Integer), sa.column('full_name'), sa.column('sort_name')
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(people.c.id, people.c.full_name)).all()
    if rows:
        conn.execute(
            people.update().where(people.c.id == sa.bindparam('pid')),
            [{'pid': pid, 'sort_name': vi_sort_key(name or '')} for pid, name in rows],
        )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.alter_column('sort_name', existing_type=SortKey, nullable=False)
        batch_op.drop_index('ix_people_unit_id_full_name')
        batch_op.create_index(
            'ix_people_unit_id_sort_name', ['unit_id', 'sort_name', 'code'], unique=False
        )


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_unit_id_sort_name')
        batch_op.create_index(
            'ix_people_unit_id_full_name', ['unit_id', 'full_name', 'code'], unique=False
        )
        batch_op.drop_column('sort_name')
