"""The pool's health check, and the round trips the API saves without losing correctness."""

import time
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event, text

from casetracker import database
from casetracker.extensions import db
from tests import factories


@contextmanager
def statements(engine):
    """Record (SQL, in a transaction?) for each statement the app sends, and each COMMIT."""
    sent = []

    def on_commit(connection):
        sent.append(("COMMIT", True))

    def on_execute(connection, cursor, statement, parameters, context, executemany):
        autocommit = getattr(connection.connection.dbapi_connection, "autocommit", False)
        sent.append((statement, autocommit is not True))

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)


def _pooled_backend_pid() -> int:
    """Check out the pool's connection once and return its server process id."""
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    db.session.remove()
    return pid


def _kill(postgres_url: str, pid: int) -> None:
    """End a server process and wait until it is gone (its client has heard by then)."""
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        gone = "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = %s)"
        while not admin.execute(gone, (pid,)).fetchone()[0]:
            time.sleep(0.005)


@pytest.mark.postgres
def test_a_pooled_connection_that_died_while_idle_is_replaced_before_use(
    postgres_app, postgres_url, monkeypatch
):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    _kill(postgres_url, _pooled_backend_pid())
    response = postgres_app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


@pytest.mark.postgres
def test_a_connection_killed_a_moment_after_use_is_replaced_without_refusing_anyone(
    postgres_app, postgres_url, monkeypatch
):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 3600.0)
    member = factories.staff(email="pat@example.com", name="Pat", role="staff")
    api = factories.ApiClient(postgres_app.test_client(), factories.token(member))
    case = api.create()
    db.session.remove()
    pings = _count_pings(monkeypatch)
    _kill(postgres_url, _pooled_backend_pid())
    assert api.get(f"/api/v1/cases/{case['reference']}").status_code == 200
    _kill(postgres_url, _pooled_backend_pid())
    assert api.create()["reference"] == "PC-2026-00002"
    assert len(pings) == 2  # one for each dead connection, and that is all


@pytest.mark.postgres
def test_a_live_connection_in_use_a_moment_ago_is_not_pinged(postgres_app, monkeypatch):
    member = factories.staff(email="pat@example.com", name="Pat", role="staff")
    api = factories.ApiClient(postgres_app.test_client(), factories.token(member))
    case = api.create()
    pings = _count_pings(monkeypatch)
    for _ in range(3):
        assert api.get(f"/api/v1/cases/{case['reference']}").status_code == 200
    assert pings == []


@pytest.mark.postgres
def test_a_write_whose_connection_dies_midway_is_refused_and_never_sent_twice(
    postgres_app, postgres_url
):
    member = factories.staff(email="pat@example.com", name="Pat", role="staff")
    api = factories.ApiClient(postgres_app.test_client(), factories.token(member))
    db.session.remove()
    sent = []

    def kill_after_the_case_is_written(connection, cursor, statement, *args):
        sent.append(statement.split("(")[0].strip())
        if statement.startswith("INSERT INTO events"):
            _kill(postgres_url, connection.connection.dbapi_connection.info.backend_pid)

    event.listen(db.engine, "before_cursor_execute", kill_after_the_case_is_written)
    try:
        refused = api.post("/api/v1/cases", json=factories.case_payload())
    finally:
        event.remove(db.engine, "before_cursor_execute", kill_after_the_case_is_written)
    assert refused.status_code == 503
    assert sent.count("INSERT INTO cases") == 1
    # Nothing of the refused request was kept, so the next case takes the first number.
    assert api.create()["reference"] == "PC-2026-00001"
    assert len(api.get("/api/v1/cases").get_json()["items"]) == 1


def _count_pings(monkeypatch) -> list:
    pings = []
    ping = db.engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(db.engine.dialect, "do_ping", counted)
    return pings


@pytest.mark.postgres
def test_api_reads_run_outside_a_transaction_and_writes_inside_one(postgres_app):
    member = factories.staff(email="pat@example.com", name="Pat", role="staff")
    api = factories.ApiClient(postgres_app.test_client(), factories.token(member))
    case = api.create()
    db.session.remove()
    with statements(db.engine) as sent:
        assert api.get(f"/api/v1/cases/{case['reference']}").status_code == 200
    assert [in_transaction for _, in_transaction in sent] == [False, False]
    db.session.remove()
    with statements(db.engine) as sent:
        assert api.act(case, "note", text="Phoned them").status_code == 200
    assert sent
    assert all(in_transaction for _, in_transaction in sent)


def test_a_case_created_or_changed_through_the_api_is_not_read_back(api):
    with statements(db.engine) as sent:
        created = api.create()
    assert sent[-1] == ("COMMIT", True)

    with statements(db.engine) as sent:
        changed = api.act(created, "hold", reason="Waiting for ID").get_json()
    assert sent[-1] == ("COMMIT", True)

    # What was answered from memory is what the database holds.
    stored = api.get(f"/api/v1/cases/{created['reference']}").get_json()
    assert changed == stored
    assert (changed["status"], changed["version"]) == ("on_hold", created["version"] + 1)
