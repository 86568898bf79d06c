"""A request in work gets one task per system that holds its data; it closes when they are done."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from casetracker.cases.models import Event
from casetracker.extensions import db
from tests import factories
from tests.tasks.conftest import outbox


def _tasks(api, reference):
    answer = api.get(f"/api/v1/cases/{reference}/tasks")
    assert answer.status_code == 200
    return answer.json["items"]


def _set(api, reference, task_id, **body):
    return api.post(f"/api/v1/cases/{reference}/tasks/{task_id}", json=body)


def _events(reference, action):
    query = select(func.count()).select_from(Event).where(Event.action == action)
    return db.session.scalar(query)


def test_a_californian_marketing_erasure_gets_exactly_the_matching_systems_tasks(
    in_work, dpo_api, clock
):
    case = in_work()
    tasks = _tasks(dpo_api, case["reference"])
    assert [(t["system"], t["owner"], t["status"]) for t in tasks] == [
        ("CRM", "priya@example.com", "open"),
        ("Newsletter tool", "tomasz@example.com", "open"),
    ]
    # 45 days to answer (CCPA): the systems have until ten days before.
    respond = next(c for c in case["clocks"] if c["name"] == "respond")
    assert respond["due_at"] == "2026-12-17T22:59:59+00:00"
    assert tasks[0]["due_at"] == "2026-12-07T22:59:59+00:00"
    events = dpo_api.get(f"/api/v1/cases/{case['reference']}/events").json
    assert events[-1]["action"] == "verify_identity"
    assert events[-1]["reason"] == "Tasks opened: CRM, Newsletter tool."


def test_each_owner_is_told_once_by_dm_without_the_individuals_data(in_work, priya, tomasz):
    in_work()
    told = outbox("task_assigned")
    assert sorted(m.recipient for m in told) == [f"staff:{priya.id}", f"staff:{tomasz.id}"]
    crm = next(m for m in told if m.payload["system"] == "CRM")
    assert crm.payload["right"] == "erasure"
    assert crm.payload["reference"].startswith("DSR-2026-")
    sent = json.dumps([m.payload for m in told])
    assert "Erika" not in sent
    assert "erika@example.org" not in sent


def test_resolving_as_complied_waits_for_every_task_closed_in_any_order(in_work, dpo_api):
    case = in_work()
    reference = case["reference"]
    crm, newsletter = (t["id"] for t in _tasks(dpo_api, reference))

    refused = dpo_api.act(case, "resolve", outcome="complied")
    assert refused.status_code == 409
    assert "2 task(s) not finished: CRM (open), Newsletter tool (open)" in refused.json["error"]
    assert "resolve" in refused.json["allowed_actions"]

    assert _set(dpo_api, reference, newsletter, status="no_data").status_code == 200
    still = dpo_api.act(case, "resolve", outcome="partially_complied")
    assert "1 task(s) not finished: CRM (open)" in still.json["error"]
    done = _set(dpo_api, reference, crm, status="done", note="Contact deleted in CRM.")
    assert done.json["status"] == "done"
    assert done.json["note"] == "Contact deleted in CRM."

    current = dpo_api.get(f"/api/v1/cases/{reference}").json
    closed = dpo_api.act(current, "resolve", outcome="complied")
    assert closed.status_code == 200
    assert closed.json["status"] == "closed"


def test_the_same_change_twice_changes_the_task_once(in_work, dpo_api):
    reference = in_work()["reference"]
    task = _tasks(dpo_api, reference)[0]["id"]
    assert _set(dpo_api, reference, task, status="done").status_code == 200
    again = _set(dpo_api, reference, task, status="done")
    assert again.status_code == 409
    assert again.json["error"] == f"the CRM task of {reference} is already done"
    assert _events(reference, "update_task") == 1


def test_only_the_task_owner_the_case_owner_or_the_dpo_may_change_a_task(in_work, client, tomasz):
    case = in_work()
    reference = case["reference"]
    crm = _tasks(factories.ApiClient(client, factories.token(tomasz)), reference)[0]
    tomasz_api = factories.ApiClient(client, factories.token(tomasz))
    refused = _set(tomasz_api, reference, crm["id"], status="done")
    assert refused.status_code == 403
    assert "only the task's owner, the case owner or the DPO" in refused.json["error"]
    newsletter = _tasks(tomasz_api, reference)[1]
    assert _set(tomasz_api, reference, newsletter["id"], status="done").status_code == 200


def test_blocking_says_why_and_tells_the_case_owner_without_the_note(in_work, dpo_api, dana):
    reference = in_work()["reference"]
    task = _tasks(dpo_api, reference)[0]["id"]
    bare = _set(dpo_api, reference, task, status="blocked")
    assert bare.status_code == 422
    assert bare.json["errors"] == {"note": ["say what blocks the task"]}
    assert _tasks(dpo_api, reference)[0]["status"] == "open"

    note = "Two contacts match erika@example.org; which one?"
    assert _set(dpo_api, reference, task, status="blocked", note=note).status_code == 200
    events = dpo_api.get(f"/api/v1/cases/{reference}/events").json
    assert events[-1]["reason"] == "CRM task: open → blocked; note on the task"
    assert "erika" not in json.dumps(events)
    [told] = outbox("task_blocked")
    assert told.recipient == f"staff:{dana.id}"
    assert told.payload["system"] == "CRM"
    assert "erika" not in json.dumps(told.payload)


def test_bad_task_requests_are_named_and_change_nothing(in_work, dpo_api):
    reference = in_work()["reference"]
    task = _tasks(dpo_api, reference)[0]["id"]
    assert _set(dpo_api, reference, 999, status="done").status_code == 404
    assert dpo_api.post(f"/api/v1/cases/{reference}/tasks/0", json={}).status_code == 404
    wrong = _set(dpo_api, reference, task, status="finished", colour="red")
    assert wrong.status_code == 422
    assert set(wrong.json["errors"]) == {"status", "colour"}
    not_json = dpo_api.post(f"/api/v1/cases/{reference}/tasks/{task}", data="done")
    assert not_json.status_code == 415
    assert _events(reference, "update_task") == 0


def test_a_denial_needs_a_reason_and_may_close_with_tasks_open(in_work, dpo_api):
    case = in_work()
    bare = dpo_api.act(case, "resolve", outcome="denied")
    assert bare.status_code == 422
    assert "supervisory authority (GDPR Art. 12(4))" in bare.json["errors"]["reason"][0]
    denied = dpo_api.act(case, "resolve", outcome="denied", reason="Manifestly unfounded.")
    assert denied.status_code == 200
    closed = _set(dpo_api, case["reference"], _tasks(dpo_api, case["reference"])[0]["id"],
                  status="done")  # fmt: skip
    assert closed.status_code == 409


def test_a_complaint_or_an_unmatched_request_gets_no_task(in_work, dpo_api):
    complaint = dpo_api.create(kind="complaint", data_context="marketing")
    dpo_api.act(complaint, "acknowledge")
    assert _tasks(dpo_api, complaint["reference"]) == []
    portability = in_work(right="portability", jurisdiction="EU", data_context="website")
    assert _tasks(dpo_api, portability["reference"]) == []


def test_the_retention_purge_erases_task_notes(in_work, dpo_api, clock):
    from casetracker.cases import purge

    reference = in_work()["reference"]
    for task in _tasks(dpo_api, reference):
        note = "Found erika@example.org in two places; deleted both."
        _set(dpo_api, reference, task["id"], status="done", note=note)
    current = dpo_api.get(f"/api/v1/cases/{reference}").json
    assert dpo_api.act(current, "resolve", outcome="complied").status_code == 200
    clock.advance(days=800)
    purge.purge(db.session, now=clock.at)
    assert [t["note"] for t in _tasks(dpo_api, reference)] == [None, None]
    assert [t["status"] for t in _tasks(dpo_api, reference)] == ["done", "done"]
