"""Dashboard fixtures: people with passwords, cases built through the services, a signed-in
test client that sends the CSRF token like a browser would, and the browser fixtures."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from casetracker.cases import service as case_service
from casetracker.extensions import db
from casetracker.people import service as people_service
from casetracker.people.actors import Actor
from tests import factories

PASSWORD = "correct-horse-battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Web:
    """The test client as a signed-in person: posts carry the page's CSRF token.

    Each request runs in its own app context, as in a server: the test's app context
    would otherwise share ``g`` (and its cached CSRF token) across requests.
    """

    def __init__(self, client):
        self.client = client

    def sign_in(self, email: str, password: str = PASSWORD):
        token = self.csrf_token("/sign-in")
        data = {"csrf_token": token, "email": email, "password": password}
        return self.raw_post("/sign-in", data=data)

    def csrf_token(self, path: str = "/my-cases") -> str:
        return TOKEN.search(self.get(path).text).group(1)

    def get(self, path: str, **kwargs):
        with self.client.application.app_context():
            return self.client.get(path, **kwargs)

    def raw_post(self, path: str, **kwargs):
        with self.client.application.app_context():
            return self.client.post(path, **kwargs)

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.csrf_token()
        return self.raw_post(path, data=data)


def person(email: str, name: str, role: str):
    data = {"email": email, "name": name, "role": role}
    return people_service.add_staff(db.session, data=data, password=PASSWORD)


def open_case(owner=None, *, received_days_ago: int = 0, clock=None, **overrides):
    """Open a case through the service, received some days before the frozen now."""
    payload = factories.case_payload(**overrides)
    if owner is not None:
        payload["owner"] = owner.email
    if received_days_ago:
        payload["received_at"] = (clock() - timedelta(days=received_days_ago)).isoformat()
    return case_service.create_case(db.session, data=payload, actor=Actor.system(), source="api")


def act(case, action: str, actor_staff, **params):
    return case_service.perform(
        db.session,
        reference=case.reference,
        action=action,
        version=case.version,
        params=params,
        actor=Actor.for_staff(actor_staff),
        source="api",
    )


@pytest.fixture
def dana(app):
    return person("dana@example.com", "Dana Okafor", "dpo")


@pytest.fixture
def priya(app):
    return person("priya@example.com", "Priya Raman", "staff")


@pytest.fixture
def tomasz(app):
    return person("tomasz@example.com", "Tomasz Nowak", "staff")


@pytest.fixture
def mateo(app):
    return person("mateo@example.com", "Mateo Alvarez", "admin")


@pytest.fixture
def web(client):
    return Web(client)


@pytest.fixture
def complaint(app, clock, priya, dana):
    """Erika's complaint, owned by Priya, in internal review and 50 days old: overdue."""
    case = open_case(priya, received_days_ago=50, clock=clock)
    return act(case, "acknowledge", priya)
