"""Mail: messages in and out of cases, their attachments, the IMAP fetch cursor, bounces.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.add_column("outbox_messages", sa.Column("bounced_at", UTC, nullable=True))
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=255), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("in_reply_to", sa.Text(), nullable=True),
        sa.Column("references", sa.Text(), nullable=True),
        sa.Column("from_address", sa.String(length=254), nullable=True),
        sa.Column("from_name", sa.String(length=200), nullable=True),
        sa.Column("to_addresses", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("foreign_sender", sa.Boolean(), nullable=False),
        sa.Column("auto_submitted", sa.Boolean(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("handled_at", UTC, nullable=True),
        sa.Column("handled_by", sa.String(length=254), nullable=True),
        sa.Column("erased_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_mail_messages_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_mail_messages_outbox_message_id_outbox_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint("identity", name=op.f("uq_mail_messages_identity")),
    )
    op.create_index(
        "ix_mail_messages_status", "mail_messages", ["status", "received_at", "id"], unique=False
    )
    op.create_index(
        "ix_mail_messages_case", "mail_messages", ["case_id", "received_at"], unique=False
    )
    op.create_index("ix_mail_messages_message_id", "mail_messages", ["message_id"], unique=False)
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_message_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("refused", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("erased_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["mail_message_id"],
            ["mail_messages.id"],
            name=op.f("fk_attachments_mail_message_id_mail_messages"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_attachments_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(
        op.f("ix_attachments_mail_message_id"), "attachments", ["mail_message_id"], unique=False
    )
    op.create_index(op.f("ix_attachments_case_id"), "attachments", ["case_id"], unique=False)
    op.create_table(
        "mail_cursors",
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("folder", name=op.f("pk_mail_cursors")),
    )


def downgrade():
    op.drop_table("mail_cursors")
    op.drop_index(op.f("ix_attachments_case_id"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_mail_message_id"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_index("ix_mail_messages_message_id", table_name="mail_messages")
    op.drop_index("ix_mail_messages_case", table_name="mail_messages")
    op.drop_index("ix_mail_messages_status", table_name="mail_messages")
    op.drop_table("mail_messages")
    op.drop_column("outbox_messages", "bounced_at")
