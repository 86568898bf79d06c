"""The provider's answer is believed only when every check passes: state, PKCE, the ID
token's signature (from the provider's key set, fetched again for an unknown key), issuer,
audience, expiry and nonce. The scripted provider gets one thing wrong at a time."""

from __future__ import annotations

import time

import pytest
from joserfc.jwk import OctKey
from markupsafe import escape

from casetracker.extensions import db
from casetracker.people.models import Staff
from casetracker.people.oidc import EXPLAINED, STATE, UNVERIFIED
from tests.oidc import fake_provider
from tests.oidc.conftest import Visitor

NOT_CHECKED = EXPLAINED[UNVERIFIED][1]
NOT_THIS_BROWSER = EXPLAINED[STATE][1]


def test_a_genuine_answer_signs_the_person_in_with_their_groups_role(visitor, fake):
    answer = visitor.sign_in()
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"
    assert visitor.signed_in()
    assert visitor.get("/").headers["Location"] == "/escalations"
    assert _role("dana@fake.test") == "dpo"
    assert fake.requests["/token"] == 1
    assert fake.requests["/jwks"] == 1


def _another_key(claims, header):
    header["kid"] = "someone-elses-key"
    return fake_provider.new_key("someone-elses-key")


def _another_key_posing_as_the_providers(claims, header):
    return fake_provider.new_key(header["kid"])


def _expired(claims, header):
    claims["iat"] = int(time.time()) - 3600
    claims["exp"] = int(time.time()) - 600


def _wrong_nonce(claims, header):
    claims["nonce"] = "a-nonce-from-another-sign-in"


def _no_nonce(claims, header):
    del claims["nonce"]


def _another_audience(claims, header):
    claims["aud"] = "another-application"


def _shared_audience_for_another_party(claims, header):
    claims["aud"] = ["another-application", fake_provider.CLIENT_ID]
    claims["azp"] = "another-application"


def _another_issuer(claims, header):
    claims["iss"] = "https://impostor.example"


def _unsigned(claims, header):
    header["alg"] = "none"


def _signed_with_the_client_secret(claims, header):
    header["alg"] = "HS256"
    return OctKey.import_key(fake_provider.CLIENT_SECRET)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_another_key, "No key for kid: 'someone-elses-key'"),
        (_another_key_posing_as_the_providers, "BadSignatureError"),
        (_expired, "ExpiredTokenError"),
        (_wrong_nonce, "Invalid claim: 'nonce'"),
        (_no_nonce, "Missing claim: 'nonce'"),
        (_another_audience, "Invalid claim: 'aud'"),
        (_shared_audience_for_another_party, "Invalid claim: 'azp'"),
        (_another_issuer, "Invalid claim: 'iss'"),
        (_unsigned, "Algorithm of 'none' is not allowed"),
        (_signed_with_the_client_secret, "Algorithm of 'HS256' is not allowed"),
    ],
)
def test_an_id_token_failing_a_check_signs_nobody_in(visitor, fake, caplog, tamper, reason):
    fake.tamper = tamper
    answer = visitor.sign_in()
    assert answer.status_code == 400
    assert escape(NOT_CHECKED) in answer.text
    assert "You are not signed in." in answer.text
    assert not visitor.signed_in()
    # Refused by the check this token fails, not by some other accident.
    assert reason in caplog.text
    assert _role("dana@fake.test") == "staff"


def test_an_unknown_key_makes_the_app_fetch_the_key_set_again_once(visitor, fake):
    assert visitor.sign_in().status_code == 302
    assert fake.requests["/jwks"] == 1
    visitor.sign_out()
    fake.tamper = _another_key
    assert visitor.sign_in().status_code == 400
    # The unknown kid sent the app back for the provider's keys, once; they did not have it.
    assert fake.requests["/jwks"] == 2


def test_a_rotated_key_is_fetched_and_accepted(visitor, fake):
    assert visitor.sign_in().status_code == 302
    fake.key = fake_provider.new_key("rotated-key")
    visitor.sign_out()
    assert visitor.sign_in().status_code == 302
    assert visitor.signed_in()
    assert fake.requests["/jwks"] == 2


def test_an_answer_without_an_id_token_signs_nobody_in(visitor, fake):
    fake.token_response = lambda body: body.pop("id_token")
    answer = visitor.sign_in()
    assert answer.status_code == 400
    assert not visitor.signed_in()


def test_a_replayed_callback_is_refused(visitor, fake, fake_app):
    back = visitor.go_to_provider()
    assert visitor.get(back).status_code == 302
    visitor.sign_out()

    again = visitor.get(back)
    assert again.status_code == 400
    assert escape(NOT_THIS_BROWSER) in again.text
    assert not visitor.signed_in()
    # Nor in another browser that never started it.
    assert Visitor(fake_app).get(back).status_code == 400
    assert fake.requests["/token"] == 1


def test_a_tampered_state_is_refused_and_the_code_never_used(visitor, fake):
    back = visitor.go_to_provider()
    tampered = back.replace("state=", "state=x")
    answer = visitor.get(tampered)
    assert answer.status_code == 400
    assert escape(NOT_THIS_BROWSER) in answer.text
    assert fake.requests["/token"] == 0
    assert not visitor.signed_in()


def test_an_answer_naming_another_issuer_is_refused_before_the_code_is_used(visitor, fake, caplog):
    back = visitor.go_to_provider()
    answer = visitor.get(f"{back}&iss=https%3A%2F%2Fimpostor.example")
    assert answer.status_code == 400
    assert "the answer names issuer 'https://impostor.example'" in caplog.text
    assert fake.requests["/token"] == 0
    assert not visitor.signed_in()


def test_a_missing_state_is_refused(visitor, fake):
    back = visitor.go_to_provider()
    answer = visitor.get(back.split("&state=")[0])
    assert answer.status_code == 400
    assert not visitor.signed_in()


def test_the_providers_refusal_is_shown(visitor, fake):
    back = visitor.go_to_provider()
    state = back.split("state=")[1]
    answer = visitor.get(f"/auth/oidc/callback?error=access_denied&state={state}")
    assert answer.status_code == 401
    assert "The identity provider did not sign you in." in answer.text
    assert not visitor.signed_in()


def _role(email: str) -> str:
    return db.session.scalar(db.select(Staff.role).where(Staff.email == email))
