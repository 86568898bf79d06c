"""Clocks: snooze reminders without moving the deadline; remember which action met them.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clocks") as batch_op:
        batch_op.add_column(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("met_by", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("clocks") as batch_op:
        batch_op.drop_column("met_by")
        batch_op.drop_column("snoozed_until")
