"""Clock targets: the company's promise, earlier than the legal due time, on each clock.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("clocks", sa.Column("target_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("clocks", "target_at")
