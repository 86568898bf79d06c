"""The backup drill: pg_dump under load, pg_restore into a fresh database, the app runs on it.

The commands are those of README.md's production section: ``pg_dump -Fc``, ``createdb``,
``pg_restore --no-owner --exit-on-error``, ``flask db upgrade`` (nothing to do) and
``flask audit verify``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from flask import Flask

import slackbot
from casetracker.jobs import runner
from tests import factories
from tests.conftest import _migrate, running_app
from tests.faults.support import figure
from tests.slackbot.conftest import slack_settings

POST = "chat.postMessage"
SEEDED = 10
WRITERS = 2
JOBS_AHEAD = timedelta(days=25)
NOTHING_LEFT = "0 sent, 0 to retry, 0 failed"


@contextlib.contextmanager
def _started(url: str, clock, fake_slack) -> Iterator[Flask]:
    """Run the app on URL as wsgi.py builds it, Slack pointed at the fake; stop it after."""
    settings = slack_settings(fake_slack, OUTBOX_AFTER_COMMIT="off")
    with contextlib.contextmanager(running_app)(url, clock, **settings) as app:
        slackbot.init_app(app)
        yield app


def _drain(app, *, now) -> None:
    """Run the sweep and then deliver the outbox until nothing is left, as the ticks would."""
    assert runner.run(app, "sla-sweep", now=now).status == "ok"
    while (outcome := runner.run(app, "deliver-outbox", now=now)).summary != NOTHING_LEFT:
        assert outcome.status == "ok", outcome


@dataclass
class Before:
    """What the old deployment had done: its token, the cases, what Slack was sent."""

    token: str
    acknowledged: set[str]
    posts: set[tuple[str, str]]
    post_count: int
    reminders: int


@pytest.mark.postgres
def test_a_dump_taken_under_load_restores_into_a_working_app_that_sends_nothing_twice(
    private_pg, clock, fake_slack, tmp_path
):
    live_url = private_pg.create_database("live")
    _migrate(live_url)
    dump = tmp_path / "casetracker.dump"
    jobs_now = clock() + JOBS_AHEAD
    with _started(live_url, clock, fake_slack) as live:
        before = _work_and_dump(live, private_pg, dump, fake_slack, now=jobs_now)
    assert before.reminders > 0

    restored_url = private_pg.create_database("restored")
    private_pg.run_client(
        "pg_restore", "--no-owner", "--exit-on-error", "-d", "restored", str(dump)
    )
    with _started(restored_url, clock, fake_slack) as restored:
        cli = restored.test_cli_runner()
        head = _alembic_head(restored_url)
        upgrade = cli.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        assert _alembic_head(restored_url) == head == _alembic_head(live_url)
        audit = cli.invoke(args=["audit", "verify"])
        assert audit.exit_code == 0, audit.output
        assert "every chain is intact" in audit.output

        # The restored database holds every case acknowledged before the dump began, numbered
        # without a gap, and the app serves them with the tokens it had.
        api = factories.ApiClient(restored.test_client(), before.token)
        stored = _references(restored_url)
        assert before.acknowledged <= set(stored)
        assert sorted(stored) == [f"PC-2026-{n:05d}" for n in range(1, len(stored) + 1)]
        assert restored.test_client().get("/healthz").status_code == 200
        for reference in sorted(before.acknowledged)[::5]:
            assert api.get(f"/api/v1/cases/{reference}").status_code == 200
        assert api.create()["reference"] == f"PC-2026-{len(stored) + 1:05d}"

        # The first ticks on the restored database: the reminder ledger and the outbox came
        # with the dump, so what went out before does not go out again.
        _drain(restored, now=jobs_now)
        after = [(p["channel"], p["text"]) for p in fake_slack.called(POST)[before.post_count :]]
        assert after, "the cases written during and after the dump were announced"
        assert [post for post in after if post in before.posts] == []
        assert _sent(restored_url, topic="reminder") > before.reminders  # the new cases'
        assert _unsent(restored_url) == 0
    figure(
        "Backup and restore",
        "pg_dump -Fc under load, pg_restore, app on it",
        f"{len(stored)} cases restored, all {len(before.acknowledged)} acknowledged before the"
        " dump among them; audit chain intact",
    )
    figure(
        "Backup and restore",
        "Slack messages sent again after the switch",
        f"0 of {before.post_count} ({before.reminders} reminders)",
    )


def _work_and_dump(live: Flask, private_pg, dump: Path, fake_slack, *, now) -> Before:
    """Open cases, send their news and reminders, then dump the database while writing."""
    member = factories.staff(
        email="sam@example.com", name="Sam Staff", role="staff", slack_user_id="U0SAM"
    )
    token = factories.token(member, scopes=["pii"])
    api = factories.ApiClient(live.test_client(), token)
    seeded = {api.create(owner=member.email)["reference"] for _ in range(SEEDED)}
    _drain(live, now=now)  # announcements and the reminders due by then go out
    posts = fake_slack.called(POST)

    acknowledged, stop = [], threading.Event()
    progress = threading.Condition()

    def writer() -> None:
        client = factories.ApiClient(live.test_client(), token)
        while not stop.is_set():
            response = client.post("/api/v1/cases", json=factories.case_payload())
            assert response.status_code == 201, response.get_json()
            with progress:
                acknowledged.append(response.get_json()["reference"])
                progress.notify_all()

    def written(count: int) -> None:
        with progress:
            assert progress.wait_for(lambda: len(acknowledged) >= count, timeout=60)

    writers = [threading.Thread(target=writer, daemon=True) for _ in range(WRITERS)]
    for thread in writers:
        thread.start()
    try:
        written(3)
        before_dump = set(acknowledged)
        private_pg.run_client("pg_dump", "-Fc", "-d", "live", "-f", str(dump))
        written(len(acknowledged) + 3)  # the writers kept going through the dump
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=60)
    return Before(
        token=token,
        acknowledged=seeded | before_dump,
        posts={(p["channel"], p["text"]) for p in posts},
        post_count=len(posts),
        reminders=_sent(live.config["SQLALCHEMY_DATABASE_URI"], topic="reminder"),
    )


def _alembic_head(url: str) -> str:
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def _references(url: str) -> list[str]:
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        return [r for (r,) in connection.execute("SELECT reference FROM cases")]


def _sent(url: str, *, topic: str) -> int:
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        query = "SELECT count(*) FROM outbox_messages WHERE sent_at IS NOT NULL AND topic = %s"
        return connection.execute(query, (topic,)).fetchone()[0]


def _unsent(url: str) -> int:
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        query = "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL AND channel = 'slack'"
        return connection.execute(query).fetchone()[0]
