"""The scheduler process killed (SIGKILL) in the middle of an SLA sweep, then started again.

A real `flask --app wsgi scheduler` process sweeps a PostgreSQL database holding thousands of
due reminders; the sweep commits a batch at a time, so the test kills the process once some
batches are in and the sweep still holds its tick lock. The next scheduler must finish the
sweep: every due reminder enqueued exactly once, none lost with the killed transaction.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from casetracker.jobs import locks
from tests.conftest import _truncate
from tests.faults.support import figure

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
DUE = 4000
PATIENCE = 60  # seconds a scheduler may take to start and sweep; a safety net, not a check

# DUE open complaints owned by one staff member, each with a respond clock due tomorrow and
# waiting for the sweep: the "2 days before" reminder of every one of them is due now.
SEED = """
WITH new_cases AS (
    INSERT INTO cases (
        reference, kind, jurisdiction, data_context, summary, channel, route, stage, status,
        owner_id, priority, received_at, next_due_at, created_at, updated_at, version
    )
    SELECT 'PC-2026-' || lpad(i::text, 5, '0'), 'complaint', 'EU', 'website',
        'Seeded complaint ' || i, 'web', 'dpf', 'internal_review', 'open', :owner, 'normal',
        now() - interval '44 days', now() + interval '1 day', now() - interval '44 days',
        now() - interval '44 days', 2
    FROM generate_series(1, :due) AS i
    RETURNING id, received_at
)
INSERT INTO clocks (case_id, name, rule, started_at, due_at, pauses, next_reminder_at)
SELECT id, 'respond',
    json_build_object('duration', '45 days', 'calendar', NULL, 'roll_forward', false,
        'pausable', false, 'extension', NULL, 'stages', json_build_array('internal_review'),
        'met_by', json_build_array(), 'starts_on', NULL, 'source', 'fault test'),
    received_at, received_at + interval '45 days', '[]'::json, now() - interval '1 minute'
FROM new_cases
"""
OWNER = """
INSERT INTO staff (name, email, role, active, created_at)
VALUES ('Sam Staff', 'sam@example.com', 'staff', true, now()) RETURNING id
"""
LOCK_HELD = """
SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND database = (
    SELECT oid FROM pg_database WHERE datname = current_database())
  AND classid::bigint = :high AND objid::bigint = :low
"""
LEDGER = "SELECT count(*), count(DISTINCT clock_id) FROM reminders_sent"
REMINDERS = """
SELECT count(*), count(DISTINCT case_id) FROM outbox_messages WHERE topic = 'reminder'
"""
# A ledger row says "this reminder was sent": one without its message would be a lost one.
LOST = """
SELECT count(*) FROM reminders_sent AS r JOIN clocks ON clocks.id = r.clock_id
WHERE NOT EXISTS (
    SELECT 1 FROM outbox_messages AS m WHERE m.topic = 'reminder' AND m.case_id = clocks.case_id)
"""


@pytest.fixture
def database(postgres_url):
    _truncate(postgres_url)
    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        owner = connection.scalar(sa.text(OWNER))
        connection.execute(sa.text(SEED), {"owner": owner, "due": DUE})
        connection.execute(sa.text("ANALYZE"))
    yield engine
    engine.dispose()


def start_scheduler(url: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "CASETRACKER_SCHEDULER": "off",
        "CASETRACKER_TIMEZONE": "Europe/Berlin",
    }
    for name in ("SLACK_BOT_TOKEN", "SMTP_HOST", "IMAP_HOST"):
        env.pop(name, None)  # messages stay in the outbox, where the test counts them
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"]
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and command
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def wait_for(condition, what: str, process: subprocess.Popen | None = None, log=None):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            pytest.fail(f"the scheduler exited before {what}:\n{log.read_text()}")
        time.sleep(0.005)
    pytest.fail(f"gave up waiting for {what}")


def test_a_scheduler_killed_mid_sweep_leaves_every_reminder_to_be_sent_exactly_once(
    database, postgres_url, tmp_path
):
    key = locks._key("sla-sweep")
    lock = {"high": key >> 32, "low": key & 0xFFFFFFFF}
    log = tmp_path / "scheduler.log"

    def scalar(statement, **params):
        with database.connect() as connection:
            return connection.execute(sa.text(statement), params).first()

    def part_way() -> int:
        """Ledger rows written, once a third are in and the sweep still runs; else 0."""
        written = scalar(LEDGER)[0]
        return written if DUE // 3 <= written < DUE and scalar(LOCK_HELD, **lock)[0] else 0

    first = start_scheduler(postgres_url, log)
    try:
        at_kill = wait_for(part_way, "the sweep was part-way", first, log)
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        first.kill()
    assert first.returncode == -signal.SIGKILL
    left, _ = scalar(LEDGER)
    assert DUE // 3 <= left < DUE, f"the killed sweep should have been part-way: {left} of {DUE}"
    # The server notices the dead connection and frees the tick for the next scheduler.
    wait_for(lambda: scalar(LOCK_HELD, **lock)[0] == 0, "the killed sweep's lock was released")

    second = start_scheduler(postgres_url, log)
    try:
        wait_for(
            lambda: scalar("SELECT 1 FROM job_runs WHERE name = 'sla-sweep'"),
            "the new scheduler finished its sweep",
            second,
            log,
        )
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=PATIENCE)
    finally:
        second.kill()

    outcome, summary = scalar("SELECT outcome, summary FROM job_runs WHERE name = 'sla-sweep'")
    assert (outcome, summary.split(",")[0]) == ("ok", f"{DUE - left} reminders enqueued")
    assert tuple(scalar(LEDGER)) == (DUE, DUE)
    assert tuple(scalar(REMINDERS)) == (DUE, DUE)
    assert scalar(LOST)[0] == 0
    figure(
        "Scheduler SIGKILL mid-sweep",
        "reminders expected / enqueued after restart (ledger, outbox), lost, duplicates",
        f"{DUE} / {DUE}, {DUE} (killed after {at_kill}; {left} kept); 0 lost, 0 duplicates",
    )
