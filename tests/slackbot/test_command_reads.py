"""/case subcommands that only read skip BEGIN and ROLLBACK on PostgreSQL, and lose nothing."""

import pytest

from casetracker import database
from casetracker.extensions import db
from tests.conftest import _truncate
from tests.test_database import _kill, _pooled_backend_pid, statements

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_url):
    """PostgreSQL only: SQLite has no round trips to save."""
    _truncate(postgres_url)
    return postgres_url


@pytest.fixture
def case(api, staff):
    created = api.create(owner=staff.email)
    db.session.remove()
    return created


def test_show_and_the_staff_lookup_before_it_run_outside_a_transaction(slack, case):
    with statements(db.engine) as sent:
        text = slack.answer(f"show {case['reference']}")
    assert case["reference"] in text
    assert "Sam Staff" in text
    assert [in_transaction for _, in_transaction in sent] == [False, False]


def test_a_change_from_slack_is_still_one_transaction(slack, case, api):
    with statements(db.engine) as sent:
        text = slack.answer(f"hold {case['reference']} waiting for their ID")
    assert f"Put on hold {case['reference']}" in text
    assert sent[-1] == ("COMMIT", True)
    assert all(in_transaction for _, in_transaction in sent)
    assert api.get(f"/api/v1/cases/{case['reference']}").get_json()["status"] == "on_hold"


def test_show_on_a_connection_that_died_in_the_pool_is_answered(
    slack, case, postgres_url, monkeypatch
):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    _kill(postgres_url, _pooled_backend_pid())
    assert case["reference"] in slack.answer(f"show {case['reference']}")
    _kill(postgres_url, _pooled_backend_pid())
    assert "My open cases" in slack.answer("list mine")
