"""Scheduler: each clock's next reminder time, the last run of each job, SQLite tick leases.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clocks") as batch_op:
        batch_op.add_column(
            sa.Column("next_reminder_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_clocks_next_reminder", ["next_reminder_at", "id"])
    # Wake every running clock at the first sweep, which works out its real next threshold.
    op.execute(
        "UPDATE clocks SET next_reminder_at = started_at"
        " WHERE met_at IS NULL AND paused_since IS NULL"
    )
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_runs")),
    )
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_leases")),
    )


def downgrade():
    op.drop_table("scheduler_leases")
    op.drop_table("job_runs")
    with op.batch_alter_table("clocks") as batch_op:
        batch_op.drop_index("ix_clocks_next_reminder")
        batch_op.drop_column("next_reminder_at")
