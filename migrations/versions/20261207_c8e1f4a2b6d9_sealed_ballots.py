"""sealed_ballots: a secret vote's ballots are sealed while the session is open

Revision ID: c8e1f4a2b6d9
Revises: b5d2e8f1a3c7
Create Date: 2026-12-07 00:00:00

A vote writes the register row and the ballot in one transaction, so the two share the
transaction's id (xmin) and sit together on disk: stored in clear, the ballot could be paired
with its voter by anyone reading the tables. Sealed (awards.ballot_box), it tells nothing;
closing the session opens the box into `ballots` in one random order over all members.

The ballots stored before this revision still carry their voter's transaction id and lie in
one block per voter: the upgrade writes them again, all in its own transaction, in the order
of fresh random keys. Their old row versions stay on disk until the table is vacuumed: run
`VACUUM FULL ballots` (PostgreSQL) or `VACUUM` (SQLite) after upgrading.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8e1f4a2b6d9'
down_revision = 'b5d2e8f1a3c7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sealed_ballots',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ['session_id'],
            ['voting_sessions.id'],
            name=op.f('fk_sealed_ballots_session_id_voting_sessions'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_ballots')),
    )
    op.create_index('ix_sealed_ballots_session_id', 'sealed_ballots', ['session_id'], unique=False)
    # the earlier ballots, written again: one transaction, one random order over all voters
    if op.get_bind().dialect.name == 'postgresql':
        fresh = "replace(gen_random_uuid()::text, '-', '')"
    else:
        fresh = 'lower(hex(randomblob(16)))'
    op.execute(
        f'CREATE TEMPORARY TABLE ballots_mixed AS SELECT {fresh} AS id, session_id, '
        'nomination_id, yes FROM ballots'
    )
    op.execute('DELETE FROM ballots')
    op.execute(
        'INSERT INTO ballots (id, session_id, nomination_id, yes) '
        'SELECT id, session_id, nomination_id, yes FROM ballots_mixed ORDER BY id'
    )
    op.execute('DROP TABLE ballots_mixed')


def downgrade():
    # the sealed ballots of an open session cannot go back into `ballots` without the
    # server's key; refuse rather than lose votes
    held = op.get_bind().execute(sa.text('SELECT count(*) FROM sealed_ballots')).scalar()
    if held:
        raise RuntimeError(
            f'{held} phiếu kín của phiên đang mở: đóng các phiên bỏ phiếu trước khi hạ phiên bản.'
        )
    op.drop_index('ix_sealed_ballots_session_id', table_name='sealed_ballots')
    op.drop_table('sealed_ballots')
