"""Session lifetimes: an idle session and a long-lived one end; activity keeps one alive."""

from __future__ import annotations

import pytest

from casetracker import config
from casetracker.config import ConfigError
from tests.conftest import running_app
from tests.dashboard.conftest import Web, person

IDLE_MESSAGE = "Your session ended after 30 minutes without activity; please sign in again."


@pytest.fixture
def app(database_url, clock):
    """The product's default lifetimes: 30 minutes idle, 12 hours in all."""
    lifetimes = {"SESSION_IDLE_MINUTES": 30, "SESSION_ABSOLUTE_HOURS": 12}
    yield from running_app(database_url, clock, **lifetimes)


@pytest.fixture
def web(client):
    return Web(client)


@pytest.fixture
def dana(app):
    return person("dana@example.com", "Dana Okafor", "dpo")


def test_the_defaults_are_30_minutes_idle_and_12_hours_in_all():
    settings = config.from_environment({})
    assert settings["SESSION_IDLE_MINUTES"] == 30
    assert settings["SESSION_ABSOLUTE_HOURS"] == 12


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"SESSION_IDLE_MINUTES": "half an hour"}, "SESSION_IDLE_MINUTES"),
        ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES"),
        ({"SESSION_ABSOLUTE_HOURS": "-1"}, "SESSION_ABSOLUTE_HOURS"),
        ({"SESSION_IDLE_MINUTES": "800", "SESSION_ABSOLUTE_HOURS": "12"}, "SESSION_IDLE_MINUTES"),
    ],
)
def test_wrong_lifetimes_are_refused_at_start_up_by_name(environ, named):
    with pytest.raises(ConfigError, match=named):
        start_with(environ)


def start_with(environ: dict) -> None:
    settings = {**config.defaults(), **config.from_environment(environ)}
    config.check(settings, development=True)


def test_an_idle_session_ends_with_a_reason_and_keeps_the_page(web, dana, clock):
    web.sign_in(dana.email)
    clock.advance(minutes=31)
    response = web.get("/metrics")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=%2Fmetrics"
    page = web.get(response.headers["Location"]).text
    assert IDLE_MESSAGE in page
    assert "Please sign in to see that page." not in page
    assert web.get("/metrics").status_code == 302


def test_activity_keeps_a_session_alive(web, dana, clock):
    web.sign_in(dana.email)
    for _ in range(4):
        clock.advance(minutes=25)
        assert web.get("/metrics").status_code == 200


def test_a_session_ends_after_12_hours_even_when_in_use(web, dana, clock):
    web.sign_in(dana.email)
    for _ in range(12 * 3):
        clock.advance(minutes=20)
        assert web.get("/escalations").status_code == 200
    clock.advance(minutes=1)
    response = web.get("/escalations")
    assert response.headers["Location"] == "/sign-in?next=%2Fescalations"
    page = web.get(response.headers["Location"]).text
    assert "Your session ended after 12 hours" in page


def test_signing_in_again_starts_a_new_session(web, dana, clock):
    web.sign_in(dana.email)
    clock.advance(minutes=31)
    web.get("/metrics")
    assert web.sign_in(dana.email).status_code == 302
    assert web.get("/metrics").status_code == 200


def test_api_tokens_do_not_expire_with_sessions(app, client, dana, clock):
    from tests import factories

    api = factories.ApiClient(client, factories.token(dana, scopes=[]))
    clock.advance(hours=13)
    assert api.get("/api/v1/cases").status_code == 200
