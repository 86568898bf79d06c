"""Response packages: what an individual downloads from a private, expiring link.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "response_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("contents", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("max_downloads", sa.Integer(), nullable=False),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("erased_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_response_packages_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_packages")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_response_packages_token_hash")),
    )
    op.create_index(op.f("ix_response_packages_case_id"), "response_packages", ["case_id"])


def downgrade():
    op.drop_index(op.f("ix_response_packages_case_id"), table_name="response_packages")
    op.drop_table("response_packages")
