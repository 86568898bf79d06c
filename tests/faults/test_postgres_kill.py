"""Every database session killed under load: only requests caught in flight are refused."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests import factories
from tests.conftest import _truncate, running_app
from tests.faults.http_load import Call, Calls, call, kill_every_backend, number, served
from tests.faults.support import figure

WRITERS = 8
KILLS = 6
CREATES = 320
READERS = 8
READS_EACH = 4


@pytest.fixture
def served_app(postgres_url, clock):
    _truncate(postgres_url)
    for app in running_app(postgres_url, clock):
        member = factories.staff(email="pat@example.com", name="Pat", role="staff")
        token = factories.token(member, scopes=["pii"])
        with served(app) as base:
            yield base, token


@pytest.mark.postgres
def test_killing_every_session_under_load_refuses_only_requests_in_flight(served_app, postgres_url):
    base, token = served_app
    calls = Calls()
    next_create = iter(range(CREATES))
    lock = threading.Lock()

    def writer() -> None:
        while True:
            with lock:
                if next(next_create, None) is None:
                    return
            payload = factories.case_payload()
            calls.add(call(base, "create", "/api/v1/cases", token=token, payload=payload))

    kills = []
    with ThreadPoolExecutor(WRITERS) as pool:
        writers = [pool.submit(writer) for _ in range(WRITERS)]
        for n in range(1, KILLS + 1):
            calls.wait_for("create", n * CREATES // (KILLS + 1), ok=None)
            started, ended, _ = kill_every_backend(postgres_url)
            kills.append((started, ended))
        for done in writers:
            done.result()

    # Now the pool holds nothing but connections whose sessions were killed.
    started, ended, pooled = kill_every_backend(postgres_url)
    kills.append((started, ended))
    assert pooled > 1
    created = [c.body["reference"] for c in calls.of("create", ok=True)]
    reads = _read_concurrently(base, token, created)

    stored = _stored_references(postgres_url)
    acknowledged = calls.of("create", ok=True)
    refused = calls.of("create", ok=False)
    stale = [c for c in refused if not c.during(kills)]
    lost = set(created) - set(stored)
    figure(
        "PostgreSQL sessions killed",
        "creates acknowledged / refused",
        f"{len(acknowledged)} / {len(refused)} of {CREATES} ({KILLS} kills, {WRITERS} writers)",
    )
    figure("PostgreSQL sessions killed", "acknowledged creates lost", len(lost))
    figure("PostgreSQL sessions killed", "refusals outside a kill (stale connection)", len(stale))
    figure(
        "PostgreSQL sessions killed", "reads refused after the kills", sum(not r.ok for r in reads)
    )

    assert {c.status for c in refused} <= {503}, [c.body for c in refused if c.status != 503]
    assert stale == []
    assert lost == set()
    # Gap-free: the numbers run 1..N. A refused request may still have committed (the kill
    # came after COMMIT reached the server), never more of them than were refused.
    assert sorted(number(r) for r in stored) == list(range(1, len(stored) + 1))
    assert len(acknowledged) <= len(stored) <= len(acknowledged) + len(refused)
    assert [r.status for r in reads] == [200] * len(reads)
    assert len(acknowledged) > CREATES // 2  # the load really ran between the kills


def _read_concurrently(base: str, token: str, references: list[str]) -> list[Call]:
    paths = ["/api/v1/cases?limit=5"] + [f"/api/v1/cases/{r}" for r in references[:READERS]]
    with ThreadPoolExecutor(READERS) as pool:
        jobs = [
            pool.submit(call, base, "read", paths[(i + n) % len(paths)], token=token)
            for i in range(READERS)
            for n in range(READS_EACH)
        ]
        return [job.result() for job in jobs]


def _stored_references(url: str) -> list[str]:
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        return [r for (r,) in connection.execute("SELECT reference FROM cases")]
