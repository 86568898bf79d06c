"""Confirming who you are again before creating an API token: password, and code when set."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import func, select

from casetracker.extensions import db
from casetracker.people import factor
from casetracker.people.confirm_views import REFUSED
from casetracker.people.models import ApiToken
from tests.dashboard.conftest import PASSWORD, Web, person

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web(client):
    return Web(client)


@pytest.fixture
def mateo(app):
    return person("mateo@example.com", "Mateo Alvarez", "admin")


def tokens() -> int:
    return db.session.scalar(select(func.count(ApiToken.id)))


def confirm(web, **fields):
    token = CSRF.search(web.get("/account/confirm?next=/tokens").text).group(1)
    return web.raw_post("/account/confirm?next=/tokens", data={"csrf_token": token, **fields})


def test_a_token_right_after_signing_in_needs_no_confirmation(web, mateo):
    web.sign_in(mateo.email)
    assert web.post("/tokens", {"staff": mateo.email, "scopes": "pii"}).status_code == 201


def test_after_five_minutes_a_token_needs_the_password_again(web, mateo, clock):
    web.sign_in(mateo.email)
    clock.advance(minutes=6)
    page = web.get("/tokens").text
    assert "Confirm it is you" in page
    assert "Create token" not in page
    refused = web.post("/tokens", {"staff": mateo.email, "scopes": "pii"})
    assert refused.status_code == 403
    assert tokens() == 0

    form = web.get("/account/confirm?next=/tokens").text
    assert 'name="password"' in form
    assert 'name="code"' not in form
    wrong = confirm(web, password="not-the-password")
    assert wrong.status_code == 401
    assert REFUSED in wrong.text
    right = confirm(web, password=PASSWORD)
    assert right.status_code == 302
    assert right.headers["Location"] == "/tokens"
    assert web.post("/tokens", {"staff": mateo.email, "scopes": "pii"}).status_code == 201
    assert tokens() == 1


def test_with_a_second_factor_the_code_is_needed_too(web, mateo, clock):
    secret = factor.new_secret()
    totp = pyotp.TOTP(secret)
    factor.confirm_enrolment(
        db.session, staff=mateo, secret=secret, code=totp.at(clock()), now=clock()
    )
    clock.advance(minutes=1)
    web.sign_in(mateo.email)
    token = CSRF.search(web.get("/sign-in/code").text).group(1)
    signed_in = web.raw_post("/sign-in/code", data={"csrf_token": token, "code": totp.at(clock())})
    assert signed_in.status_code == 302
    clock.advance(minutes=6)
    assert 'name="code"' in web.get("/account/confirm?next=/tokens").text
    assert confirm(web, password=PASSWORD).status_code == 401
    assert web.post("/tokens", {"staff": mateo.email}).status_code == 403
    assert confirm(web, password=PASSWORD, code=totp.at(clock())).status_code == 302
    assert web.post("/tokens", {"staff": mateo.email}).status_code == 201


def test_a_confirmation_lasts_five_minutes(web, mateo, clock):
    web.sign_in(mateo.email)
    clock.advance(minutes=6)
    confirm(web, password=PASSWORD)
    clock.advance(minutes=6)
    assert web.post("/tokens", {"staff": mateo.email}).status_code == 403


def test_confirming_needs_a_signed_in_person(web):
    response = web.get("/account/confirm?next=/tokens")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
