"""The PII access log: one row per view of an individual's personal data, never changed.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
APPEND_ONLY = "the access log is append-only"


def upgrade():
    op.create_table(
        "pii_access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_pii_access_log_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_pii_access_log_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pii_access_log")),
    )
    op.create_index("ix_pii_access_log_case", "pii_access_log", ["case_id", "id"])
    op.create_index("ix_pii_access_log_staff", "pii_access_log", ["staff_id", "id"])
    _make_append_only()


def downgrade():
    _drop_append_only_guard()
    op.drop_index("ix_pii_access_log_staff", table_name="pii_access_log")
    op.drop_index("ix_pii_access_log_case", table_name="pii_access_log")
    op.drop_table("pii_access_log")


def _make_append_only():
    """Refuse UPDATE and DELETE on the log in the database itself, whatever the caller."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION pii_access_log_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER pii_access_log_append_only BEFORE UPDATE OR DELETE ON pii_access_log "
            "FOR EACH ROW EXECUTE FUNCTION pii_access_log_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER pii_access_log_no_{verb.lower()} BEFORE {verb} ON pii_access_log "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )


def _drop_append_only_guard():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS pii_access_log_append_only ON pii_access_log")
        op.execute("DROP FUNCTION IF EXISTS pii_access_log_append_only()")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS pii_access_log_no_{verb}")
