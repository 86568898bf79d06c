"""Signing in and out: hashed passwords, one vague refusal, a lock-out kept on the staff row."""

from __future__ import annotations

import contextlib

from sqlalchemy import select

from casetracker.extensions import db
from casetracker.people.models import Staff
from casetracker.people.service import MAX_FAILED_SIGN_INS, SIGN_IN_REFUSED
from casetracker.people.views import TOO_MANY_SIGN_INS

from .conftest import PASSWORD


def test_pages_need_a_signed_in_person(web):
    for path in ("/escalations", "/cases", "/cases/PC-2026-00001", "/metrics", "/outbox"):
        response = web.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


def test_root_opens_the_sign_in_page_then_the_escalations(web, dana):
    first = web.get("/")
    assert first.headers["Location"].startswith("/sign-in")
    greeting = web.get(first.headers["Location"]).text
    assert "Please sign in to see that page." not in greeting
    assert web.get("/escalations").headers["Location"].startswith("/sign-in")
    response = web.sign_in(dana.email)
    assert response.status_code == 302
    assert web.get("/").headers["Location"] == "/escalations"
    assert "Escalations" in web.get("/escalations").text


def test_session_cookie_is_http_only_and_same_site(web, dana):
    response = web.sign_in(dana.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_unknown_email_and_wrong_password_get_the_same_answer(web, dana):
    unknown = web.sign_in("nobody@example.com")
    wrong = web.sign_in(dana.email, "not-the-password")
    assert unknown.status_code == wrong.status_code == 401
    assert SIGN_IN_REFUSED in unknown.text
    assert SIGN_IN_REFUSED in wrong.text
    assert 'value="nobody@example.com"' in unknown.text
    assert PASSWORD not in wrong.text


def test_empty_fields_are_named_next_to_the_field(web):
    response = web.raw_post(
        "/sign-in", data={"csrf_token": web.csrf_token("/sign-in"), "email": "a@b.c"}
    )
    assert response.status_code == 422
    assert 'id="password-error"' in response.text
    assert 'value="a@b.c"' in response.text


def test_repeated_failures_lock_the_account_for_a_while(web, dana, clock):
    for _ in range(MAX_FAILED_SIGN_INS):
        web.sign_in(dana.email, "guess")
    refused = web.sign_in(dana.email)
    assert refused.status_code == 401
    assert SIGN_IN_REFUSED in refused.text
    db.session.expire_all()
    row = db.session.scalar(select(Staff).where(Staff.email == dana.email))
    assert row.locked_until is not None

    clock.advance(minutes=16)
    assert web.sign_in(dana.email).status_code == 302


def test_the_lock_out_is_shared_by_every_app_process(app, dana):
    from casetracker import create_app
    from casetracker.people import service

    other = create_app(app.config)
    for attempt in range(MAX_FAILED_SIGN_INS):
        target = other if attempt % 2 else app
        with target.app_context():
            with contextlib.suppress(service.SignInRefused):
                service.sign_in(db.session, email=dana.email, password="guess")
            db.session.remove()
    with other.app_context():
        db.engine.dispose()
    db.session.expire_all()
    assert db.session.get(Staff, dana.id).locked_until is not None


def test_sign_in_without_csrf_token_is_refused(web, dana):
    response = web.raw_post("/sign-in", data={"email": dana.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in response.text
    assert web.get("/escalations").status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(web, dana):
    web.sign_in(dana.email)
    assert web.get("/sign-out").status_code == 405
    assert web.post("/sign-out").status_code == 302
    assert web.get("/escalations").status_code == 302


def test_a_deactivated_account_loses_its_session(web, dana):
    web.sign_in(dana.email)
    db.session.get(Staff, dana.id).active = False
    db.session.commit()
    assert web.get("/escalations").status_code == 302


def test_next_only_goes_to_this_site(web, dana):
    token = web.csrf_token("/sign-in")
    data = {"csrf_token": token, "email": dana.email, "password": PASSWORD}
    response = web.raw_post("/sign-in?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"


def test_many_attempts_from_one_address_are_refused_for_a_while(web, dana):
    def attempt(email, password, address):
        data = {"csrf_token": web.csrf_token("/sign-in"), "email": email, "password": password}
        return web.raw_post("/sign-in", data=data, environ_base={"REMOTE_ADDR": address})

    # Guessing across accounts: no account reaches its own lock-out.
    for n in range(10):
        assert (
            attempt(f"guess{n}@example.com", "wrong-password-1", "203.0.113.7").status_code == 401
        )
    refused = attempt(dana.email, PASSWORD, "203.0.113.7")
    assert refused.status_code == 429
    assert TOO_MANY_SIGN_INS in refused.text
    assert web.get("/escalations").status_code == 302  # not signed in

    assert attempt(dana.email, PASSWORD, "198.51.100.20").status_code == 302
    assert web.get("/escalations").status_code == 200
