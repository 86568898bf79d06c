"""Upgrading a database that already holds events seals them into chains that verify;
downgrading removes the chain and keeps the events append-only."""

from __future__ import annotations

import shutil
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from casetracker.cases.models import Event
from casetracker.extensions import db
from tests import factories
from tests.conftest import POSTGRES_ADMIN_URL, running_app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def own_database(request, tmp_path):
    """A database of this test's own: it goes down a revision and up again."""
    if request.param == "sqlite":
        path = tmp_path / "casetracker.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    request.getfixturevalue("postgres_url")  # skips when PostgreSQL is not there
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"casetracker_chain_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _links() -> list[tuple[int, int, str]]:
    return [tuple(r) for r in db.session.execute(sa.select(Event.id, Event.seq, Event.hash))]


def test_upgrading_seals_recorded_events_as_the_workflow_would(own_database, clock):
    with contextmanager(running_app)(own_database, clock) as app:
        upgrade()
        api = factories.ApiClient(app.test_client(), factories.token(_staff(), scopes=["pii"]))
        for _ in range(2):
            case = api.create()
            case = api.act(case, "hold", reason="Waiting for the screenshots").get_json()
            api.act(case, "resume")
        sealed = sorted(_links())
        db.session.remove()

        downgrade(revision="0013")
        assert "seq" not in {c["name"] for c in sa.inspect(db.engine).get_columns("events")}
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as c:
            c.execute(sa.text("UPDATE events SET reason = 'rewritten'"))
        upgrade()

        assert sorted(_links()) == sealed
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.output == "checked 2 cases, 6 events: every chain is intact\n"
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as c:
            c.execute(sa.text("DELETE FROM events"))


def _staff():
    return factories.staff(email="sam@example.com", name="Sam Staff")
