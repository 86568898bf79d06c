"""PostgreSQL restarted under mixed load: the web, the SLA sweep and Slack delivery recover."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import psycopg
import pytest

import slackbot
from casetracker.jobs import runner
from tests import factories
from tests.conftest import _migrate, running_app
from tests.faults.http_load import Call, Calls, call, number, served
from tests.faults.support import figure
from tests.slackbot.conftest import CASES_CHANNEL, slack_settings

WRITERS = 2
READERS = 2
# Every component has succeeded this often before the restart, and after it.
WARM = {"create": 5, "read": 5, "sla-sweep": 1, "deliver-outbox": 1}
AFTER = {"create": 10, "read": 10, "sla-sweep": 2, "deliver-outbox": 2}
# The jobs run with "now" far enough ahead that every new case has a reminder due.
JOBS_AHEAD = timedelta(days=25)
# Seconds between a client's calls: each case makes several Slack messages, and delivery (one
# message at a time, as in production) must keep up.
PACE = {"create": 0.2, "read": 0.05, "jobs": 0.05}
NOTHING_LEFT = "0 sent, 0 to retry, 0 failed"


@pytest.fixture
def restart_app(private_pg, clock, fake_slack):
    url = private_pg.create_database("restarted")
    _migrate(url)
    settings = slack_settings(fake_slack, OUTBOX_AFTER_COMMIT="off")
    for app in running_app(url, clock, **settings):
        slackbot.init_app(app)
        member = factories.staff(
            email="sam@example.com", name="Sam Staff", role="staff", slack_user_id="U0SAM"
        )
        yield app, url, factories.token(member, scopes=["pii"])


@pytest.mark.postgres
def test_a_restart_under_mixed_load_loses_nothing_and_everything_recovers(
    restart_app, private_pg, clock, fake_slack
):
    app, url, token = restart_app
    calls, stop = Calls(), threading.Event()
    jobs_now = clock() + JOBS_AHEAD

    def writer() -> None:
        while not stop.is_set():
            payload = factories.case_payload(owner="sam@example.com")
            calls.add(call(base, "create", "/api/v1/cases", token=token, payload=payload))
            time.sleep(PACE["create"])

    def reader() -> None:
        while not stop.is_set():
            created = calls.of("create", ok=True)
            path = f"/api/v1/cases/{created[-1].body['reference']}" if created else "/api/v1/cases"
            calls.add(call(base, "read", path, token=token))
            time.sleep(PACE["read"])

    def scheduler() -> None:
        # As the scheduler process runs them: runner.run never raises, it reports.
        while not stop.is_set():
            for name in ("sla-sweep", "deliver-outbox"):
                started = time.monotonic()
                outcome = runner.run(app, name, now=jobs_now)
                status = 200 if outcome.status == "ok" else 503
                calls.add(Call(name, started, time.monotonic(), status, {"summary": str(outcome)}))
            time.sleep(PACE["jobs"])

    with served(app) as base:
        threads = [
            threading.Thread(target=target, daemon=True)
            for target in [writer] * WRITERS + [reader] * READERS + [scheduler]
        ]
        for thread in threads:
            thread.start()
        try:
            calls.wait_until(lambda seen: _each_succeeded(seen, WARM, after=0.0))
            down = time.monotonic()
            private_pg.restart()
            up = time.monotonic()
            calls.wait_until(lambda seen: _each_succeeded(seen, AFTER, after=up))
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)

        # Then a restart in a quiet spell: the pool holds only connections used a moment
        # ago, all ended by the server. The first request and the first tick succeed.
        private_pg.restart()
        payload = factories.case_payload()
        quiet = [
            call(base, "create", "/api/v1/cases", token=token, payload=payload),
            call(base, "read", "/api/v1/cases", token=token),
        ]
        calls.all.extend(quiet)
        figure(
            "PostgreSQL restarted while quiet",
            "first create, first read",
            str([c.status for c in quiet]),
        )
        assert [c.status for c in quiet] == [201, 200], [c.body for c in quiet]

    # Drain what the load left, as the next ticks would.
    assert runner.run(app, "sla-sweep", now=jobs_now).status == "ok"
    while (outcome := runner.run(app, "deliver-outbox", now=jobs_now)).summary != NOTHING_LEFT:
        assert outcome.status == "ok", outcome
    figure(
        "PostgreSQL restarted",
        "server down (pg_ctl restart -m fast)",
        f"{(up - down) * 1000:.0f} ms",
    )

    for what in AFTER:
        late = [c for c in calls.of(what) if c.started >= up and not c.ok]
        first = min(c.ended for c in calls.of(what, ok=True) if c.ended >= up)
        refused = [c for c in calls.of(what, ok=False)]
        figure("PostgreSQL restarted", f"{what}: time to recover", f"{(first - up) * 1000:.0f} ms")
        figure(
            "PostgreSQL restarted",
            f"{what}: refused / failed",
            f"{len(refused)} of {len(calls.of(what))}",
        )
        # Nothing fails once the server accepts again, and nothing fails but with the outage.
        assert late == [], (what, [c.body for c in late])
        assert all(c.during([(down, up)]) for c in refused), (what, [c.body for c in refused])
        assert {c.status for c in refused} <= {503}, (what, [c.body for c in refused])

    stored, outbox = _stored(url)
    created = {c.body["reference"] for c in calls.of("create", ok=True)}
    assert created <= set(stored)
    assert sorted(number(r) for r in stored) == list(range(1, len(stored) + 1))
    assert len(stored) <= len(created) + len(calls.of("create", ok=False))

    # Slack heard of every case and every reminder; at most the one message being delivered
    # when the server went away was posted twice (Slack took it, its "sent" was not saved).
    posts = fake_slack.called("chat.postMessage")
    announced = {m[0] for p in posts if p["channel"] == CASES_CHANNEL for m in _refs(p)}
    assert set(stored) <= announced
    assert [row for row in outbox if row[1] is None] == []
    assert {"case_created", "reminder"} <= {row[0] for row in outbox}
    duplicates = len(posts) - len(outbox)
    figure(
        "PostgreSQL restarted",
        "acknowledged creates lost; Slack posts doubled",
        f"{len(created - set(stored))}; {duplicates}",
    )
    assert 0 <= duplicates <= 1


def _each_succeeded(seen: list[Call], counts: dict[str, int], *, after: float) -> bool:
    return all(
        sum(c.ok and c.started >= after and c.what == what for c in seen) >= count
        for what, count in counts.items()
    )


def _refs(post: dict) -> list[re.Match]:
    return list(re.finditer(r"PC-\d{4}-\d{5}", str(post)))


def _stored(url: str) -> tuple[list[str], list[tuple]]:
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        references = [r for (r,) in connection.execute("SELECT reference FROM cases")]
        outbox = connection.execute(
            "SELECT topic, sent_at FROM outbox_messages WHERE channel = 'slack'"
        ).fetchall()
    return references, outbox
