"""Broken audit chains already reported: the daily integrity check tells the DPOs once.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_breaks",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("why", sa.String(length=200), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_audit_breaks_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_audit_breaks")),
    )


def downgrade():
    op.drop_table("audit_breaks")
