"""users.session_version: sessions end at logout, password change and deactivation

Revision ID: b3c9e1f04d21
Revises: a721308c3fb6
Create Date: 2026-12-04 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b3c9e1f04d21"
down_revision = "a721308c3fb6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_version")
