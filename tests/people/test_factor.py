"""The second factor of password accounts: enrolment, codes once each, resets, lock-out."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from casetracker import config, create_app
from casetracker.config import ConfigError
from casetracker.extensions import db
from casetracker.people import factor
from casetracker.people.models import AccountEvent, Staff
from casetracker.people.service import MAX_FAILED_SIGN_INS
from tests.conftest import running_app
from tests.dashboard.conftest import PASSWORD, Web, person

SECRET = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


@pytest.fixture
def app(database_url, clock):
    """The product's default: DPOs and admins need a second factor."""
    yield from running_app(database_url, clock, MFA_REQUIRED_ROLES=("dpo", "admin"))


@pytest.fixture
def web(client):
    return Web(client)


@pytest.fixture
def dana(app):
    return person("dana@example.com", "Dana Okafor", "dpo")


@pytest.fixture
def mateo(app):
    return person("mateo@example.com", "Mateo Alvarez", "admin")


def code_at(secret: str, clock, *, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock() + timedelta(seconds=30 * steps))


def enrol(web, email: str, clock) -> tuple[str, list[str]]:
    """Sign in with the password, enrol, and return the secret and the recovery codes."""
    assert web.sign_in(email).headers["Location"] == "/account/second-factor"
    secret = SECRET.search(web.get("/account/second-factor").text).group(1)
    response = web.raw_post(
        "/account/second-factor",
        data={
            "csrf_token": web.csrf_token("/account/second-factor"),
            "code": code_at(secret, clock),
        },
    )
    assert response.status_code == 201
    return secret, RECOVERY.findall(response.text)


def send_code(web, code: str):
    token = web.csrf_token("/sign-in/code")
    return web.raw_post("/sign-in/code", data={"csrf_token": token, "code": code})


def sign_out(web):
    web.post("/sign-out")


def test_enrolment_refuses_a_wrong_code_then_takes_a_right_one(web, dana, clock):
    assert web.sign_in(dana.email).headers["Location"] == "/account/second-factor"
    page = web.get("/account/second-factor")
    assert "<svg" in page.text
    assert "<script>" not in page.text
    secret = SECRET.search(page.text).group(1)
    wrong = web.raw_post(
        "/account/second-factor",
        data={"csrf_token": web.csrf_token("/account/second-factor"), "code": "000000"},
    )
    assert wrong.status_code == 422
    assert factor.ENROL_REFUSED in wrong.text
    assert web.get("/escalations").status_code == 302
    assert SECRET.search(wrong.text).group(1) == secret

    right = web.raw_post(
        "/account/second-factor",
        data={
            "csrf_token": web.csrf_token("/account/second-factor"),
            "code": code_at(secret, clock),
        },
    )
    assert right.status_code == 201
    codes = RECOVERY.findall(right.text)
    assert len(codes) == factor.RECOVERY_CODES == len(set(codes))
    assert web.get("/escalations").status_code == 200
    db.session.expire_all()
    assert db.session.get(Staff, dana.id).totp_secret == secret


def test_a_dpo_without_a_factor_reaches_no_page_but_enrolment(web, dana):
    response = web.sign_in(dana.email)
    assert response.headers["Location"] == "/account/second-factor"
    for path in ("/escalations", "/cases", "/staff", "/tokens", "/cases/PC-2026-00001"):
        assert web.get(path).headers["Location"].startswith("/sign-in"), path
    assert web.get("/sign-in/code").headers["Location"] == "/account/second-factor"
    assert web.get("/account/second-factor").status_code == 200


def test_a_code_is_asked_works_once_and_its_replay_is_refused(web, dana, clock):
    secret, _ = enrol(web, dana.email, clock)
    sign_out(web)
    clock.advance(seconds=60)
    assert web.sign_in(dana.email).headers["Location"] == "/sign-in/code"
    assert web.get("/escalations").headers["Location"].startswith("/sign-in")
    code = code_at(secret, clock)
    accepted = send_code(web, code)
    assert accepted.status_code == 302
    assert web.get("/escalations").status_code == 200
    sign_out(web)

    web.sign_in(dana.email)
    replay = send_code(web, code)
    assert replay.status_code == 401
    assert factor.CODE_REFUSED in replay.text
    assert web.get("/escalations").status_code == 302


def test_a_code_of_an_earlier_step_is_refused(web, dana, clock):
    secret, _ = enrol(web, dana.email, clock)
    sign_out(web)
    clock.advance(seconds=90)
    web.sign_in(dana.email)
    assert send_code(web, code_at(secret, clock)).status_code == 302
    sign_out(web)
    # The step before is still inside the drift window, but earlier than the one used.
    web.sign_in(dana.email)
    assert send_code(web, code_at(secret, clock, steps=-1)).status_code == 401
    assert send_code(web, code_at(secret, clock, steps=1)).status_code == 302


def test_recovery_codes_work_once_each(web, dana, clock):
    _, codes = enrol(web, dana.email, clock)
    sign_out(web)
    for code in codes[:2]:
        web.sign_in(dana.email)
        assert send_code(web, code.upper()).status_code == 302
        sign_out(web)
    web.sign_in(dana.email)
    assert send_code(web, codes[0]).status_code == 401
    assert factor.unused_recovery_codes(db.session, db.session.get(Staff, dana.id)) == 8


def test_repeated_wrong_codes_lock_the_account(web, dana, clock):
    secret, _ = enrol(web, dana.email, clock)
    sign_out(web)
    clock.advance(seconds=60)
    web.sign_in(dana.email)
    for _ in range(MAX_FAILED_SIGN_INS):
        assert send_code(web, "123456").status_code == 401
    # Locked: neither a right code nor the password lets in now.
    assert send_code(web, code_at(secret, clock)).status_code == 401
    assert web.sign_in(dana.email).status_code == 401
    db.session.expire_all()
    assert db.session.get(Staff, dana.id).locked_until is not None


def test_a_right_password_does_not_clear_wrong_codes(web, dana, clock):
    enrol(web, dana.email, clock)
    sign_out(web)
    for _ in range(MAX_FAILED_SIGN_INS):
        web.sign_in(dana.email)
        send_code(web, "123456")
    db.session.expire_all()
    assert db.session.get(Staff, dana.id).locked_until is not None


def test_an_admin_reset_makes_old_codes_fail_and_asks_for_enrolment(
    web, client, dana, mateo, clock
):
    secret, codes = enrol(web, dana.email, clock)
    sign_out(web)
    admin = Web(client.application.test_client())
    enrol(admin, mateo.email, clock)
    unconfirmed = admin.post(f"/staff/{dana.id}/second-factor/reset")
    assert unconfirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Staff, dana.id).totp_secret == secret
    admin.post(f"/staff/{dana.id}/second-factor/reset", {"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Staff, dana.id).totp_secret is None
    event = db.session.scalar(select(AccountEvent))
    assert (event.staff_id, event.by_staff_id, event.what) == (dana.id, mateo.id, "factor_reset")
    assert event.at == clock()
    assert "reset the second factor of Dana Okafor" in admin.get("/staff").text

    clock.advance(seconds=60)
    assert web.sign_in(dana.email).headers["Location"] == "/account/second-factor"
    # The code page sends her to enrol, and an old code or recovery code does not enrol her.
    assert web.get("/sign-in/code").headers["Location"] == "/account/second-factor"
    for old in (code_at(secret, clock), codes[0]):
        response = web.raw_post(
            "/account/second-factor",
            data={"csrf_token": web.csrf_token("/account/second-factor"), "code": old},
        )
        assert response.status_code == 422
    assert web.get("/escalations").status_code == 302


def test_old_codes_fail_after_a_reset_in_the_service(app, dana, mateo, clock):
    staff = db.session.get(Staff, dana.id)
    secret = factor.new_secret()
    codes = factor.confirm_enrolment(
        db.session, staff=staff, secret=secret, code=pyotp.TOTP(secret).at(clock()), now=clock()
    )
    factor.reset(db.session, staff_id=dana.id, by=mateo, now=clock())
    clock.advance(seconds=60)
    for old in (pyotp.TOTP(secret).at(clock()), codes[1]):
        with pytest.raises(factor.CodeRefused):
            factor.verify(db.session, staff=staff, code=old, now=clock())


def test_staff_need_no_factor_by_default(web, app, clock):
    priya = person("priya@example.com", "Priya Raman", "staff")
    assert web.sign_in(priya.email).headers["Location"] == "/"
    assert web.get("/escalations").status_code == 200


def test_an_empty_setting_requires_no_factor(database_url, clock):
    from tests.conftest import _settings

    app = create_app(_settings(database_url, clock, MFA_REQUIRED_ROLES=()))
    with app.app_context():
        dana = person("dana@example.com", "Dana Okafor", "dpo")
        web = Web(app.test_client())
        assert web.sign_in(dana.email, PASSWORD).headers["Location"] == "/"
        assert web.get("/escalations").status_code == 200
        db.session.remove()
        db.engine.dispose()


def settings(**environ) -> dict:
    built = config.defaults() | config.from_environment(environ)
    config.check(built, development=True)
    return built


def test_the_setting_is_read_from_the_environment():
    assert settings()["MFA_REQUIRED_ROLES"] == ("dpo", "admin")
    assert settings(MFA_REQUIRED_ROLES="")["MFA_REQUIRED_ROLES"] == ()
    assert settings(MFA_REQUIRED_ROLES=" Staff, dpo ")["MFA_REQUIRED_ROLES"] == ("staff", "dpo")


def test_a_bad_setting_refuses_start_up_naming_it():
    with pytest.raises(ConfigError, match="MFA_REQUIRED_ROLES: 'boss' is not one of"):
        settings(MFA_REQUIRED_ROLES="dpo,boss")
