"""ballots: one foreign key, the voting item (session, nomination), instead of two

Revision ID: f4b8c2d6e9a1
Revises: a7c4e2b9d610
Create Date: 2026-12-04 22:00:00

A ballot can only be on its session's frozen ballot, and inserting a member's 200 ballots
checks one key per row instead of two (issue 12, bench/bench_vote.py).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f4b8c2d6e9a1'
down_revision = 'a7c4e2b9d610'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ballots_session_id_voting_sessions', type_='foreignkey')
        batch_op.drop_constraint('fk_ballots_nomination_id_nominations', type_='foreignkey')
        batch_op.create_foreign_key(
            batch_op.f('fk_ballots_session_id_voting_items'),
            'voting_items',
            ['session_id', 'nomination_id'],
            ['session_id', 'nomination_id'],
            ondelete='CASCADE',
        )


def downgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ballots_session_id_voting_items', type_='foreignkey')
        batch_op.create_foreign_key(
            batch_op.f('fk_ballots_nomination_id_nominations'),
            'nominations',
            ['nomination_id'],
            ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_ballots_session_id_voting_sessions'),
            'voting_sessions',
            ['session_id'],
            ['id'],
            ondelete='CASCADE',
        )
