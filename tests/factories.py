"""Builders for test data, through the same services the product uses."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetracker.cases.models import Case, Event
from casetracker.extensions import db
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.people import service as people_service


def staff(*, email: str, name: str, role: str = "staff", slack_user_id: str | None = None):
    data = {"email": email, "name": name, "role": role}
    if slack_user_id:
        data["slack_user_id"] = slack_user_id
    return people_service.add_staff(db.session, data=data)


def token(member, *, scopes=()) -> str:
    return people_service.create_token(db.session, data={"staff": member.email, "scopes": scopes})


def row_counts() -> tuple[int, int, int]:
    """Count cases, events and outbox messages: what any change would add to."""
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Case, Event, OutboxMessage)
    )


def case_payload(**overrides) -> dict:
    payload = {
        "kind": "complaint",
        "jurisdiction": "EU",
        "data_context": "website",
        "summary": "Newsletter kept arriving after I unsubscribed twice.",
        "channel": "email",
        "subject": {"name": "Erika Mustermann", "email": "erika@example.org", "country": "DE"},
    }
    subject = overrides.pop("subject", None)
    payload.update(overrides)
    if subject is not None:
        payload["subject"] = subject
    return payload


class ApiClient:
    """The test client with a bearer token on every request."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path, **kwargs):
        return self.client.get(path, **self._with_token(kwargs))

    def post(self, path, **kwargs):
        return self.client.post(path, **self._with_token(kwargs))

    def _with_token(self, kwargs: dict) -> dict:
        return {**kwargs, "headers": {**self.headers, **kwargs.get("headers", {})}}

    def create(self, **overrides) -> dict:
        response = self.post("/api/v1/cases", json=case_payload(**overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def act(self, case: dict, action: str, **fields):
        body = {"action": action, "version": case["version"], **fields}
        return self.post(f"/api/v1/cases/{case['reference']}/actions", json=body)


def deliver_concurrently(app, *, now: datetime, processes: int = 2) -> None:
    """Drain the outbox from several threads at once, each with its own connection, as
    separate delivery processes would."""
    barrier = threading.Barrier(processes)

    def drain():
        with app.app_context():
            session = Session(db.engine)
            barrier.wait()
            delivery.deliver_due(session, now=now)
            session.close()

    workers = [threading.Thread(target=drain) for _ in range(processes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
