"""people.search_name and units.search_name: the name without tones and letter marks,
lower-case (service.common.vietnamese.fold), so a search typed without accents is a plain LIKE
over a stored column instead of a fold of every row's name (PostgreSQL's translate over the
precomposed letters took 6 s for a district's search in a 500,000-person city)

Existing rows get it from their name, in this revision (the fold is copied here as it is
today, so the revision does the same whatever the code becomes).

Revision ID: a9e4c2f7b1d3
Revises: d3f7a9c1e5b2
Create Date: 2026-12-07 15:00:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = 'a9e4c2f7b1d3'
down_revision = 'd3f7a9c1e5b2'
branch_labels = None
depends_on = None

BATCH = 10_000


def _fold(text):
    if not text:
        return ''
    kept = (ch for ch in unicodedata.normalize('NFD', text) if not unicodedata.combining(ch))
    return ''.join(kept).replace('đ', 'd').replace('Đ', 'D').lower()


def _fill(conn, name: str, source: str) -> None:
    table = sa.table(
        name, sa.column('id', sa.Integer), sa.column(source), sa.column('search_name')
    )
    rows = conn.execute(sa.select(table.c.id, table.c[source])).all()
    stmt = table.update().where(table.c.id == sa.bindparam('rid'))
    for i in range(0, len(rows), BATCH):
        conn.execute(
            stmt, [{'rid': rid, 'search_name': _fold(text)} for rid, text in rows[i : i + BATCH]]
        )


def upgrade():
    # ADD COLUMN with a default, not a batch: SQLite's batch copies the table, and dropping
    # `units` while people refer to it fails with the foreign keys on
    conn = op.get_bind()
    for name, source in (('people', 'full_name'), ('units', 'name')):
        op.add_column(
            name, sa.Column('search_name', sa.String(255), nullable=False, server_default='')
        )
        _fill(conn, name, source)
        if conn.dialect.name == 'postgresql':  # the service always writes it (SQLite keeps '')
            op.alter_column(name, 'search_name', server_default=None)


def downgrade():
    for name in ('people', 'units'):
        op.drop_column(name, 'search_name')
