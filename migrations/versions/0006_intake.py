"""Intake: the public form's records (language, consent, status link) and OpenGDPR requests.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "intake_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_salt", sa.String(length=32), nullable=False),
        sa.Column("status_token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent_authorization", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_intake_records_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_records")),
        sa.UniqueConstraint("case_id", name=op.f("uq_intake_records_case_id")),
        sa.UniqueConstraint("status_token_hash", name=op.f("uq_intake_records_status_token_hash")),
    )
    op.create_table(
        "opengdpr_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_request_id", sa.String(length=36), nullable=False),
        sa.Column("controller_id", sa.String(length=254), nullable=False),
        sa.Column("request_type", sa.String(length=16), nullable=False),
        sa.Column("api_version", sa.String(length=16), nullable=False),
        sa.Column("submitted_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_callback_urls", sa.JSON(), nullable=False),
        sa.Column("reported_status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_opengdpr_requests_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opengdpr_requests")),
        sa.UniqueConstraint("case_id", name=op.f("uq_opengdpr_requests_case_id")),
        sa.UniqueConstraint(
            "subject_request_id", name=op.f("uq_opengdpr_requests_subject_request_id")
        ),
    )


def downgrade():
    op.drop_table("opengdpr_requests")
    op.drop_table("intake_records")
