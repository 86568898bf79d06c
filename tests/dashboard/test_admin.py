"""Admin pages: staff accounts and API tokens, for admins only."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from casetracker.extensions import db
from casetracker.people import service
from casetracker.people.models import ApiToken, Staff
from tests import factories


def test_only_admins_reach_the_admin_pages(web, dana, mateo):
    web.sign_in(dana.email)
    assert web.get("/staff").status_code == 403
    assert web.get("/tokens").status_code == 403
    assert web.post("/tokens", {"staff": dana.email}).status_code == 403
    web.post("/sign-out")
    web.sign_in(mateo.email)
    assert web.get("/staff").status_code == 200
    assert "Dana Okafor" in web.get("/staff").text


def test_a_token_is_shown_once_then_only_its_prefix(web, mateo, dana):
    web.sign_in(mateo.email)
    response = web.post("/tokens", {"staff": dana.email, "scopes": "pii"})
    assert response.status_code == 201
    secret = re.search(r'<code id="new-token">([^<]+)</code>', response.text).group(1)
    assert service.authenticate(db.session, secret).staff_id == dana.id
    listing = web.get("/tokens").text
    assert secret not in listing
    assert secret.split("_")[1] in listing


def test_revoking_a_token_stops_it(web, client, mateo, dana):
    secret = factories.token(dana)
    token_id = db.session.scalar(select(ApiToken.id))
    web.sign_in(mateo.email)
    assert web.post(f"/tokens/{token_id}/revoke").status_code == 302
    assert "is revoked" in web.get("/tokens").text
    api = factories.ApiClient(client, secret)
    assert api.get("/api/v1/cases").status_code == 401


def test_token_form_names_a_missing_staff_member(web, mateo):
    web.sign_in(mateo.email)
    response = web.post("/tokens", {"staff": "", "scopes": "pii"})
    assert response.status_code == 422
    assert 'id="staff-error"' in response.text
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_adding_staff_keeps_the_input_when_something_is_wrong(web, mateo):
    web.sign_in(mateo.email)
    data = {
        "name": "Aiko Tanaka",
        "email": "aiko@example.com",
        "role": "staff",
        "password": "short",
    }
    response = web.post("/staff", data)
    assert response.status_code == 422
    assert 'id="password-error"' in response.text
    assert 'value="aiko@example.com"' in response.text
    assert 'value="Aiko Tanaka"' in response.text

    data["password"] = "a-long-enough-password"
    assert web.post("/staff", data).status_code == 302
    assert "Added Aiko Tanaka (staff)." in web.get("/staff").text
    assert web.post("/sign-out").status_code == 302
    assert web.sign_in("aiko@example.com", "a-long-enough-password").status_code == 302


def test_deactivating_staff_and_not_oneself(web, mateo, dana):
    web.sign_in(mateo.email)
    web.post(f"/staff/{dana.id}/active", {"active": "no"})
    db.session.expire_all()
    assert db.session.get(Staff, dana.id).active is False
    web.post(f"/staff/{mateo.id}/active", {"active": "no"})
    assert "cannot deactivate your own account" in web.get("/staff").text
    db.session.expire_all()
    assert db.session.get(Staff, mateo.id).active is True


def test_admin_forms_need_the_csrf_token(web, mateo, dana):
    web.sign_in(mateo.email)
    response = web.post(f"/staff/{dana.id}/active", {"active": "no"}, csrf=False)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Staff, dana.id).active is True
