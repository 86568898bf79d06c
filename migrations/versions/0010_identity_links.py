"""Identity links: single-use links that let an individual confirm a request filed online.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "identity_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=True),
        sa.Column("used_at", UTC, nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_identity_links_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_links")),
        sa.UniqueConstraint("case_id", "round", "kind", name=op.f("uq_identity_links_case_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_identity_links_token_hash")),
    )
    op.create_index(op.f("ix_identity_links_case_id"), "identity_links", ["case_id"])


def downgrade():
    op.drop_index(op.f("ix_identity_links_case_id"), table_name="identity_links")
    op.drop_table("identity_links")
