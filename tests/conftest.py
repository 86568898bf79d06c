"""Fixtures: an app per database backend, a frozen movable clock, and an API client."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from casetracker import create_app
from casetracker.extensions import db
from tests import factories

POSTGRES_ADMIN_URL = os.environ.get(
    "CASETRACKER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# One browser per test process, shared by every package's browser tests: two Playwright
# instances in one process refuse to run.
pytest_plugins = ["tests.browser", "tests.imap"]


class FrozenClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


def _settings(url: str, clock: FrozenClock, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "NOW": clock,
        "CASETRACKER_TIMEZONE": "Europe/Berlin",
        "CASETRACKER_BASE_URL": "http://casetracker.test",
        "OUTBOX_AFTER_COMMIT": "off",
        # Most tests sign DPOs and admins in with a password alone; tests/people/test_factor.py
        # turns the product's default (dpo,admin) back on.
        "MFA_REQUIRED_ROLES": (),
        # Many tests move the clock by days after signing in; tests/people/test_sessions.py
        # puts the product's session lifetimes back.
        "SESSION_IDLE_MINUTES": 1000 * 24 * 60,
        "SESSION_ABSOLUTE_HOURS": 1000 * 24,
        **extra,
    }


def _migrate(url: str) -> None:
    app = create_app(_settings(url, FrozenClock(datetime.now(UTC))))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url():
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = f"casetracker_test_{uuid.uuid4().hex[:10]}"
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message + " (runs in CI)")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "casetracker.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _truncate(url)
    return url


def _truncate(url: str) -> None:
    """Empty every table and restart every sequence, as the freshly migrated database was.

    DELETE with the triggers off (the append-only ones, and the foreign keys, since every
    table is emptied) takes a third of TRUNCATE's time on tables this small.
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        if url not in _EMPTYING:
            _EMPTYING[url] = _emptying(connection)
        connection.exec_driver_sql(_EMPTYING[url])
    engine.dispose()


_EMPTYING: dict[str, str] = {}


def _emptying(connection) -> str:
    tables = connection.execute(
        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    ).scalars()
    sequences = connection.execute(
        sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
    ).scalars()
    return "".join(
        [
            "SET LOCAL session_replication_role = replica;",
            # The names come from the catalogue, not from input.
            *(f'DELETE FROM "{t}";' for t in tables if t != "alembic_version"),  # noqa: S608
            *(f'ALTER SEQUENCE "{s}" RESTART;' for s in sequences),
        ]
    )


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def app(database_url, clock):
    yield from running_app(database_url, clock)


def running_app(url: str, clock: FrozenClock, **extra):
    """Yield an app with the test settings (and ``extra``) inside its context, then close it."""
    app = create_app(_settings(url, clock, **extra))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def staff(app):
    return factories.staff(email="sam@example.com", name="Sam Staff", role="staff")


@pytest.fixture
def dpo(app):
    return factories.staff(email="dana@example.com", name="Dana DPO", role="dpo")


@pytest.fixture
def api(client, staff):
    """An API client acting as a staff member with the pii scope."""
    return factories.ApiClient(client, factories.token(staff, scopes=["pii"]))


@pytest.fixture
def dpo_api(client, dpo):
    return factories.ApiClient(client, factories.token(dpo, scopes=["pii"]))


@pytest.fixture
def postgres_app(postgres_url, clock):
    """An app on PostgreSQL only, for what SQLite cannot show (row locks, concurrency)."""
    _truncate(postgres_url)
    yield from running_app(postgres_url, clock)
