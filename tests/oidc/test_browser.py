"""Single sign-on in Chromium through a real OpenID provider (npm's oidc-provider): each
mapped role signs in, the people it must not let in are told why, a replayed or tampered
state signs nobody in, sign-out ends both sessions, and a rotated key does not break it."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import urljoin

import pytest
from flask.sessions import SecureCookieSessionInterface
from markupsafe import escape

from casetracker.extensions import db
from casetracker.people.models import Staff
from casetracker.people.oidc import EXPLAINED, STATE
from casetracker.people.sso import NO_ACCOUNT, NO_ROLE, UNVERIFIED, WHY
from tests.browser import screenshot

CALLBACK = re.compile(r".*/auth/oidc/callback\?.*")


def start_single_sign_on(tab) -> None:
    tab.goto("/sign-in")
    tab.get_by_role("link", name="Sign in with single sign-on").click()


def log_in_at_provider(tab, login: str) -> None:
    """Fill the provider's development login page (it takes any password)."""
    tab.get_by_placeholder("Enter any login").fill(login)
    tab.get_by_placeholder("and password").fill("any password at all")
    tab.get_by_role("button", name="Sign-in").click()


def sign_in(tab, login: str):
    """Sign in through the provider; return the app's answer to the provider's redirect."""
    start_single_sign_on(tab)
    with tab.expect_response(CALLBACK) as callback:
        log_in_at_provider(tab, login)
    tab.wait_for_load_state()
    return callback.value


def role_of(email: str) -> str:
    db.session.expire_all()
    return db.session.scalar(db.select(Staff.role).where(Staff.email == email))


@pytest.mark.parametrize(
    ("login", "role", "lands_on"),
    [
        ("dana@sso.test", "dpo", "/escalations"),
        ("priya@sso.test", "staff", "/my-cases"),
        ("mateo@sso.test", "admin", "/my-cases"),
    ],
)
def test_each_mapped_group_signs_in_with_its_role(sso_browser, sso_site, login, role, lands_on):
    tab = sso_browser()
    assert sign_in(tab, login).status == 302
    tab.wait_for_url(f"{sso_site.url}{lands_on}")
    assert tab.locator(".account .role").inner_text() == role.upper()
    # Each record started with another role: the provider's groups decide, at every sign-in.
    assert role_of(login) == role
    assert tab.watch.console_errors == []
    screenshot(tab, f"sso-signed-in-{role}")


@pytest.mark.parametrize(
    ("login", "why"),
    [
        ("omar@sso.test", WHY[NO_ROLE]),
        ("uma@sso.test", WHY[UNVERIFIED].format(email="uma@sso.test")),
        ("sara@sso.test", WHY[NO_ACCOUNT].format(email="sara@sso.test")),
    ],
)
def test_people_it_must_not_let_in_are_told_why(sso_browser, sso_site, login, why):
    tab = sso_browser()
    assert sign_in(tab, login).status == 403
    assert tab.get_by_role("heading").inner_text() == "You cannot sign in to casetracker"
    assert tab.get_by_role("alert").inner_text() == why
    assert "You are not signed in." in tab.content()
    screenshot(tab, f"sso-refused-{login.split('@')[0]}")

    tab.goto("/my-cases")
    assert tab.url.startswith(f"{sso_site.url}/sign-in")
    assert db.session.scalar(db.select(Staff).where(Staff.email == "sara@sso.test")) is None
    assert role_of("omar@sso.test") == "staff"


def test_a_replayed_callback_signs_nobody_in(sso_browser, sso_site):
    tab = sso_browser()
    callback = sign_in(tab, "dana@sso.test")
    assert callback.status == 302

    elsewhere = sso_browser()
    answer = elsewhere.goto(callback.url)
    assert answer.status == 400
    assert escape(EXPLAINED[STATE][1]) in elsewhere.content()
    elsewhere.goto("/my-cases")
    assert elsewhere.url.startswith(f"{sso_site.url}/sign-in")

    # Nor twice in the browser that used it (after signing out).
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_role("button", name="Yes, sign me out").click()
    tab.wait_for_url(f"{sso_site.url}/sign-in*")
    assert tab.goto(callback.url).status == 400


def test_a_tampered_state_signs_nobody_in(sso_browser, sso_site, oidc_provider):
    tab = sso_browser()
    start_single_sign_on(tab)
    genuine = answer_held_back(tab, oidc_provider, "dana@sso.test")
    tampered = re.sub(r"state=([^&]+)", lambda m: f"state={m.group(1)[::-1]}", genuine)

    assert tab.goto(tampered).status == 400
    assert escape(EXPLAINED[STATE][1]) in tab.content()
    tab.goto("/my-cases")
    assert tab.url.startswith(f"{sso_site.url}/sign-in")
    # The genuine answer, never used, still signs Dana in.
    assert tab.goto(genuine).status == 200
    assert tab.url == f"{sso_site.url}/escalations"


def answer_held_back(tab, provider, login: str) -> str:
    """Log in at the provider with the tab's cookies, without following it back; return
    the callback address the provider sends the browser to."""
    action = tab.locator("form").get_attribute("action")
    form = {"prompt": "login", "login": login, "password": "any password at all"}
    answer = tab.request.post(urljoin(provider.issuer, action), form=form, max_redirects=0)
    while not CALLBACK.match(answer.headers["location"]):
        answer = tab.request.get(answer.headers["location"], max_redirects=0)
    return answer.headers["location"]


def test_sign_out_ends_the_session_here_and_at_the_provider(sso_browser, sso_site):
    tab = sso_browser()
    sign_in(tab, "dana@sso.test")
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_role("heading", name="Sign out of the test provider?").wait_for()
    screenshot(tab, "sso-provider-sign-out")
    tab.get_by_role("button", name="Yes, sign me out").click()
    tab.wait_for_url(f"{sso_site.url}/sign-in*")
    assert "You are signed out." in tab.content()

    # The provider asks for the login again: its session ended too.
    start_single_sign_on(tab)
    tab.get_by_placeholder("Enter any login").wait_for()
    assert tab.watch.console_errors == []


def test_a_rotated_provider_key_does_not_break_sign_in(sso_browser, sso_site, oidc_provider):
    assert sign_in(sso_browser(), "dana@sso.test").status == 302
    fetched = oidc_provider.jwks_requests()
    old = oidc_provider.kid
    assert oidc_provider.rotate() != old

    tab = sso_browser()
    assert sign_in(tab, "priya@sso.test").status == 302
    tab.wait_for_url(f"{sso_site.url}/my-cases")
    assert id_token_header(tab, sso_site.app)["kid"] == oidc_provider.kid
    # The app met a key it had not seen and fetched the key set again, once.
    assert oidc_provider.jwks_requests() == fetched + 1


def id_token_header(tab, app) -> dict:
    """Read the ID token the app keeps in the tab's session cookie; return its header."""
    cookie = next(c for c in tab.context.cookies() if c["name"] == "casetracker_session")
    session = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie["value"])
    header = session["oidc_id_token"].split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
