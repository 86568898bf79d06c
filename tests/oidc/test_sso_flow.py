"""Single sign-on around the token: the sign-in page, where the person lands, a fresh session,
the provider's userinfo, sign-out at the provider, passwords turned off, the rate limit, and
a provider that is down or misconfigured. Through the scripted provider."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlsplit

import pytest

from casetracker import create_app
from casetracker.extensions import db
from casetracker.people import service as people_service
from casetracker.people.views import PASSWORDS_OFF, TOO_MANY_SIGN_INS
from tests.oidc import fake_provider
from tests.oidc.conftest import Visitor, _sso_settings

PASSWORD = "correct-horse-battery"


@pytest.fixture
def other_app(fake, sqlite_template, tmp_path, clock):
    """Build an app with extra settings on its own database; Dana has a password."""
    apps = []

    def build(**extra):
        path = tmp_path / f"other-{len(apps)}.db"
        shutil.copy(sqlite_template, path)
        app = create_app(_sso_settings(fake, path, clock, **extra))
        with app.app_context():
            data = {"email": "dana@fake.test", "name": "Dana Okafor", "role": "dpo"}
            people_service.add_staff(db.session, data=data, password=PASSWORD)
            db.session.remove()
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_the_sign_in_page_offers_single_sign_on_beside_the_password(visitor):
    page = visitor.get("/sign-in?next=/metrics").text
    assert "Sign in with single sign-on" in page
    assert 'href="/auth/oidc/start?next=/metrics"' in page
    assert 'name="password"' in page


def test_without_single_sign_on_the_page_has_the_password_form_only(client):
    page = client.get("/sign-in").text
    assert "single sign-on" not in page
    assert 'name="password"' in page
    assert client.get("/auth/oidc/start").status_code == 404
    assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404


def test_the_person_lands_on_the_page_they_asked_for(visitor):
    assert visitor.sign_in(next_page="/metrics").headers["Location"] == "/metrics"


def test_a_next_page_on_another_site_is_ignored(visitor):
    answer = visitor.sign_in(next_page="https://evil.example/")
    assert answer.headers["Location"] == "/"


def test_signing_in_starts_a_fresh_session(visitor):
    with visitor.client.session_transaction() as session:
        session["planted"] = "by someone who shared this browser"
    assert visitor.sign_in().status_code == 302
    with visitor.client.session_transaction() as session:
        assert "planted" not in session
        assert not [key for key in session if key.startswith("_state_")]
        assert session["_user_id"]


def test_claims_missing_from_the_id_token_come_from_userinfo(visitor, fake):
    def thin(claims, header):
        for name in ("email", "email_verified", "groups"):
            del claims[name]

    fake.tamper = thin
    assert visitor.sign_in().status_code == 302
    assert fake.requests["/userinfo"] == 1
    assert visitor.get("/").headers["Location"] == "/escalations"


def test_userinfo_about_someone_else_signs_nobody_in(visitor, fake, caplog):
    fake.tamper = _without_email
    fake.userinfo = {**fake.user, "sub": "someone-else"}
    answer = visitor.sign_in()
    assert answer.status_code == 400
    assert "userinfo is about another subject" in caplog.text
    assert not visitor.signed_in()


def test_sign_out_ends_the_providers_session_too(visitor, fake):
    visitor.sign_in()
    with visitor.client.session_transaction() as session:
        id_token = session["oidc_id_token"]
    answer = visitor.sign_out()
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{fake.issuer}/end-session"
    assert parse_qs(target.query) == {
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": ["http://casetracker.test/sign-in"],
        "client_id": [fake_provider.CLIENT_ID],
    }
    assert not visitor.signed_in()
    assert "You are signed out." in visitor.get("/sign-in").text


def test_sign_out_stays_here_when_the_provider_offers_none(visitor, fake):
    fake.discovery_changes = {"end_session_endpoint": None}
    visitor.sign_in()
    answer = visitor.sign_out()
    assert answer.headers["Location"] == "/sign-in"
    assert not visitor.signed_in()


def test_a_password_session_signs_out_here_only(other_app):
    app = other_app()
    visitor = Visitor(app)
    token = visitor.csrf_token("/sign-in")
    form = {"csrf_token": token, "email": "dana@fake.test", "password": PASSWORD}
    assert visitor.post("/sign-in", form).status_code == 302
    assert visitor.sign_out().headers["Location"] == "/sign-in"


def test_with_passwords_off_only_single_sign_on_is_offered(other_app):
    visitor = Visitor(other_app(PASSWORD_SIGN_IN=False))
    page = visitor.get("/sign-in").text
    assert "Sign in with single sign-on" in page
    assert 'name="password"' not in page

    # A valid form token, from the public form: the sign-in page has no form to take it from.
    token = visitor.csrf_token("/complaints/new")
    form = {"csrf_token": token, "email": "dana@fake.test", "password": PASSWORD}
    refused = visitor.post("/sign-in", form)
    assert refused.status_code == 403
    assert PASSWORDS_OFF in refused.text
    assert not visitor.signed_in()
    assert visitor.sign_in().status_code == 302


def test_the_staff_page_asks_for_no_password_when_passwords_are_off(other_app, fake):
    app = other_app(PASSWORD_SIGN_IN=False)
    fake.user = {**fake.user, "groups": ["privacy-admin"]}
    visitor = Visitor(app)
    visitor.sign_in()
    page = visitor.get("/staff").text
    assert "First password" not in page
    assert "Single sign-on replaces it at each sign-in" in page


def test_starting_and_returning_count_against_the_sign_in_rate_limit(other_app):
    visitor = Visitor(other_app(SIGN_IN_RATE_LIMIT="2 per minute"))
    for _ in range(2):
        assert visitor.get("/auth/oidc/start").status_code == 302
    refused = visitor.get("/auth/oidc/start")
    assert refused.status_code == 429
    assert TOO_MANY_SIGN_INS in refused.text

    for _ in range(2):
        assert visitor.get("/auth/oidc/callback?code=x&state=y").status_code == 400
    assert visitor.get("/auth/oidc/callback?code=x&state=y").status_code == 429


def test_a_provider_that_is_down_gets_a_clear_page(other_app, fake):
    app = other_app(OIDC_ISSUER="http://127.0.0.1:9")
    answer = Visitor(app).get("/auth/oidc/start")
    assert answer.status_code == 503
    assert "could not be reached" in answer.text


def test_discovery_naming_another_issuer_is_not_trusted(visitor, fake, caplog):
    fake.discovery_changes = {"issuer": "https://impostor.example"}
    answer = visitor.get("/auth/oidc/start")
    assert answer.status_code == 503
    assert "discovery names issuer 'https://impostor.example'" in caplog.text


def _without_email(claims, header):
    del claims["email"]
