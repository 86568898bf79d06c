"""The pool's health check, and the round trips the API saves without losing correctness."""

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
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.mark.postgres
def test_a_pooled_connection_that_died_while_idle_is_replaced_before_use(
    postgres_app, postgres_url, monkeypatch
):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    _kill(postgres_url, _pooled_backend_pid())
    response = postgres_app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


@pytest.mark.postgres
def test_a_connection_in_use_a_moment_ago_is_not_pinged(postgres_app, postgres_url, monkeypatch):
    # The other side of the trade: a connection used within the idle limit is trusted, so one
    # killed under load fails one request, and the pool is then replaced.
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 3600.0)
    member = factories.staff(email="pat@example.com", name="Pat", role="staff")
    api = factories.ApiClient(postgres_app.test_client(), factories.token(member))
    _kill(postgres_url, _pooled_backend_pid())
    refused = api.get("/api/v1/cases")
    assert (refused.status_code, refused.get_json()["error"]) == (
        503,
        "the database is not reachable; try again shortly",
    )
    assert api.get("/api/v1/cases").status_code == 200


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
