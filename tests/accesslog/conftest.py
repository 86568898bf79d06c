"""Access-log fixtures: the dashboard's people and cases, API clients with and without the pii
scope, a folder for files, and a database that refuses the log's rows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from casetracker.accesslog.models import AccessEntry
from casetracker.extensions import db
from tests import factories
from tests.dashboard import conftest as dashboard
from tests.tasks import conftest as tasks

dana, priya, tomasz, web, complaint = (
    dashboard.dana,
    dashboard.priya,
    dashboard.tomasz,
    dashboard.web,
    dashboard.complaint,
)
# A request put to work on an inventory of systems, to read its tasks.
inventory, in_work = tasks.inventory, tasks.in_work
INDIVIDUAL = ("Erika", "Mustermann", "erika@example.org")


@dataclass(frozen=True)
class Seen:
    """An access-log row as the DPO reads it."""

    staff_id: int
    actor: str
    channel: str
    case_id: int | None
    what: str


def log() -> list[Seen]:
    """Every row of the access log, oldest first."""
    rows = db.session.scalars(select(AccessEntry).order_by(AccessEntry.id))
    return [Seen(r.staff_id, r.actor, r.channel, r.case_id, r.what) for r in rows]


def token_label(token: str, staff) -> str:
    """The actor the log names for an API token: the email and the token's prefix."""
    return f"{staff.email} (token {token.split('_')[1]})"


@pytest.fixture
def attachments(app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    return tmp_path / "attachments"


@pytest.fixture
def dpo_token(dana):
    return factories.token(dana, scopes=["pii"])


@pytest.fixture
def dpo_api(client, dpo_token):
    return factories.ApiClient(client, dpo_token)


@pytest.fixture
def owner_token(priya):
    return factories.token(priya, scopes=["pii"])


@pytest.fixture
def owner_api(client, owner_token):
    """Priya, the complaint's owner, with the pii scope."""
    return factories.ApiClient(client, owner_token)


@pytest.fixture
def plain_api(client, priya):
    """Priya again, through a token without the pii scope."""
    return factories.ApiClient(client, factories.token(priya))


@pytest.fixture
def log_inserts(app):
    """Count the INSERT statements sent to the access log."""
    sent = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO PII_ACCESS_LOG"):
            sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield sent
    sa.event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def refusing_log(app):
    """The database refuses every row of the access log, as a lost connection would."""

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO PII_ACCESS_LOG"):
            raise sa.exc.OperationalError(statement, parameters, Exception("connection lost"))

    sa.event.listen(db.engine, "before_cursor_execute", refuse)
    yield
    sa.event.remove(db.engine, "before_cursor_execute", refuse)
