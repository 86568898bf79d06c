"""Single sign-on sessions confirm who they are by a fresh round trip to the provider."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.oidc import fake_provider


@pytest.fixture
def admin(fake, visitor, clock):
    """Dana, signed in through the provider as an admin, six minutes ago."""
    fake.user = {**fake_provider.USER, "groups": ["privacy-admin"]}
    assert visitor.sign_in().status_code == 302
    clock.advance(minutes=6)
    return visitor


def create_token(visitor):
    token = re.search(r'name="csrf_token" value="([^"]+)"', visitor.get("/tokens").text).group(1)
    return visitor.post("/tokens", {"csrf_token": token, "staff": "dana@fake.test"})


def fresh_round_trip(visitor):
    """Follow the confirmation to the provider and back; return the provider's query, answer."""
    step = visitor.get("/account/confirm?next=/tokens")
    assert step.headers["Location"] == "/auth/oidc/confirm?next=/tokens"
    to_provider = visitor.get(step.headers["Location"])
    assert to_provider.status_code == 302
    query = parse_qs(urlsplit(to_provider.headers["Location"]).query)
    back = requests.get(to_provider.headers["Location"], allow_redirects=False, timeout=10)
    return query, visitor.get(back.headers["Location"])


def test_a_stale_sso_session_is_sent_back_to_the_provider(admin):
    assert "Confirm it is you" in admin.get("/tokens").text
    assert create_token(admin).status_code == 403
    query, _ = fresh_round_trip(admin)
    assert query["prompt"] == ["login"]
    assert query["max_age"] == ["0"]


def test_a_fresh_authentication_lets_the_admin_create_a_token(admin, fake):
    def authenticated_now(claims, header):
        claims["auth_time"] = claims["iat"]

    fake.tamper = authenticated_now
    _, answer = fresh_round_trip(admin)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/tokens"
    assert create_token(admin).status_code == 201


def test_a_provider_that_did_not_authenticate_again_confirms_nothing(admin, fake):
    def long_ago(claims, header):
        claims["auth_time"] = claims["iat"] - 3600

    fake.tamper = long_ago
    _, answer = fresh_round_trip(admin)
    assert answer.status_code == 400
    assert create_token(admin).status_code == 403
