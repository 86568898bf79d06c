"""Fault-test fixtures: a private PostgreSQL cluster to restart and restore, a fake Slack."""

from __future__ import annotations

import os

import pytest

from tests.conftest import IN_CI
from tests.private_postgres import BIN, RUNUSER, private_postgres
from tests.serving import serve
from tests.slackbot.web_api import FakeSlack, Traffic


@pytest.fixture(scope="session")
def private_pg():
    """A PostgreSQL cluster of this test process alone, on a free loopback port."""
    if not (BIN / "initdb").exists() or not os.access(RUNUSER, os.X_OK):
        message = f"no PostgreSQL server binaries at {BIN} (or no runuser)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message + " (runs in CI)")
    with private_postgres() as server:
        yield server


@pytest.fixture
def fake_slack():
    """Slack's Web API on loopback, recording every message."""
    server = FakeSlack(Traffic())
    stop = serve(server)
    yield server
    stop()
