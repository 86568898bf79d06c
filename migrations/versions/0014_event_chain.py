"""Chain each case's audit events by hash: events.seq and events.hash, existing events sealed.

Revision ID: 0014
Revises: 0013

Existing events are numbered and sealed per case in the order they were written (by id),
with the algorithm of ``casetracker.cases.chain`` (copied here: a migration must keep doing
what it did when it was written). The append-only triggers are lifted for the backfill only.
"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit events are append-only"
GENESIS = "0" * 64
BATCH = 1000

events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("case_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_type", sa.String),
    sa.column("actor", sa.String),
    sa.column("source", sa.String),
    sa.column("action", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("reason", sa.Text),
    sa.column("seq", sa.Integer),
    sa.column("hash", sa.String),
)
cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("reference", sa.String))


def upgrade():
    _drop_events_guard()
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _seal_existing(op.get_bind())
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_events_case_seq", ["case_id", "seq"])
    _make_events_append_only()


def downgrade():
    _drop_events_guard()
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_events_case_seq", type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("seq")
    _make_events_append_only()


def _seal_existing(connection):
    """Number and hash every event, case by case, oldest first, a batch at a time."""
    query = (
        sa.select(events, cases.c.reference)
        .join(cases, cases.c.id == events.c.case_id)
        .order_by(events.c.case_id, events.c.id)
        .limit(BATCH)
    )
    case_id, seq, previous, after = None, 0, GENESIS, (0, 0)
    while rows := connection.execute(
        query.where(sa.tuple_(events.c.case_id, events.c.id) > after)
    ).all():
        sealed = []
        for row in rows:
            if row.case_id != case_id:
                case_id, seq, previous = row.case_id, 0, GENESIS
            seq += 1
            previous = _digest(row, seq=seq, previous=previous)
            sealed.append({"event_id": row.id, "seq": seq, "hash": previous})
        connection.execute(
            events.update()
            .where(events.c.id == sa.bindparam("event_id"))
            .values(seq=sa.bindparam("seq"), hash=sa.bindparam("hash")),
            sealed,
        )
        after = (rows[-1].case_id, rows[-1].id)


def _digest(row, *, seq: int, previous: str) -> str:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    record = {
        "case": row.reference,
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_type": row.actor_type,
        "actor": row.actor,
        "source": row.source,
        "action": row.action,
        "before": row.before,
        "after": row.after,
        "reason": row.reason,
        "previous": previous,
    }
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _make_events_append_only():
    """Refuse UPDATE and DELETE on events in the database itself (as revision 0001 did)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )


def _drop_events_guard():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS events_no_{verb}")
