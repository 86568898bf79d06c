"""Concurrent writers: no lost update, no duplicate or missing case number."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.orm import Session

from casetracker.cases import service
from casetracker.cases.errors import StaleVersion
from casetracker.extensions import db
from casetracker.people.actors import Actor
from tests import factories


def test_a_write_on_a_version_someone_else_already_changed_is_refused(app, api, staff):
    case = api.create()
    actor = Actor.for_staff(staff)
    first, second = Session(db.engine), Session(db.engine)
    try:
        for session in (first, second):
            service.get_case(session, reference=case["reference"])  # both read version 1
        service.perform(
            first, reference=case["reference"], action="hold", version=1,
            params={"reason": "Waiting for ID"}, actor=actor, source="api",
        )  # fmt: skip
        with pytest.raises(StaleVersion) as refused:
            service.perform(
                second, reference=case["reference"], action="note", version=1,
                params={"text": "Called the requester"}, actor=actor, source="api",
            )  # fmt: skip
    finally:
        first.close()
        second.close()
    assert "reload" in refused.value.message
    events = api.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert [e["action"] for e in events] == ["create", "hold"]


def test_two_concurrent_writes_with_the_same_version_one_wins(api, app):
    case = api.create()
    barrier = threading.Barrier(2)

    def act(action, fields):
        barrier.wait()
        return api.act(case, action, **fields).status_code

    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda args: act(*args),
                [("hold", {"reason": "Waiting for ID"}), ("note", {"text": "Phoned them"})],
            )
        )
    assert sorted(results) == [200, 409]
    final = api.get(f"/api/v1/cases/{case['reference']}").get_json()
    assert final["version"] == case["version"] + 1


@pytest.mark.postgres
def test_thirty_concurrent_creates_get_consecutive_references(postgres_app):
    client = postgres_app.test_client()
    member = factories.staff(email="pat@example.com", name="Pat", role="staff")
    api = factories.ApiClient(client, factories.token(member))
    barrier = threading.Barrier(30)

    def create(_):
        barrier.wait()
        response = api.post("/api/v1/cases", json=factories.case_payload())
        return response.status_code, response.get_json()["reference"]

    with ThreadPoolExecutor(30) as pool:
        results = list(pool.map(create, range(30)))
    assert {status for status, _ in results} == {201}
    references = sorted(reference for _, reference in results)
    assert references == [f"PC-2026-{n:05d}" for n in range(1, 31)]
