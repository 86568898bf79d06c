"""Every action, system ones included, loses a race the same way: refused, nothing written.

A colleague's change is committed from another connection after the action has read the
case and before it writes: the moment a real race hits. A caller that named the version it
read gets StaleVersion ("reload it and try again"); a job or delivery acting on the case as
it is now (``perform_now``) reads it again and acts once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker.cases import actions, handlers, workflow
from casetracker.cases import service as case_service
from casetracker.cases.errors import StaleVersion
from casetracker.cases.models import Case, Event
from casetracker.extensions import db
from casetracker.people.actors import Actor
from casetracker.systems import service as systems
from tests.intake import factories as intake_factories

SYSTEM = Actor.system("scheduler")


def _open(api, clock):
    return api.create()["reference"]


def _owned(api, clock):
    return api.create(owner="sam@example.com")["reference"]


def _overdue(api, clock):
    case = api.create(received_at=(clock() - timedelta(days=40)).isoformat())
    return case["reference"]


def _closed_long_ago(api, clock):
    case = api.create()
    api.act(case, "resolve", outcome="resolved")
    clock.advance(days=3 * 365)
    return case["reference"]


def _filed_through_form(api, clock):
    assert intake_factories.submit(api.client).status_code == 303
    return db.session.scalar(select(Case.reference).order_by(Case.id.desc()))


def _in_work_with_a_task(api, clock):
    crm = {"name": "CRM", "owner": "sam@example.com", "contexts": "website", "rights": "opt_out"}
    systems.add_system(db.session, data=crm)
    case = api.create(kind="request", right="opt_out", jurisdiction="US-CA")
    assert api.act(case, "acknowledge").status_code == 200
    return case["reference"]


def _waiting_for_identity(api, clock):
    case = api.create(kind="request", right="access", jurisdiction="EU")
    assert api.act(case, "acknowledge").status_code == 200
    return case["reference"]


# Each action that people are not offered as a form, with a case it applies to.
SETUPS = {
    "snooze": (_open, {"clock": "respond"}),
    "ask_individual": (_filed_through_form, {"question": "Which account do you mean?"}),
    "breach": (_overdue, {"clock": "acknowledge"}),
    "retention_purge": (_closed_long_ago, {"period": "24 months"}),
    "email_sent": (_open, {"topic": "email_outcome", "language": "en"}),
    "opengdpr_sent": (_open, {"topic": "opengdpr_status"}),
    "message_received": (_open, {"message": 7}),
    "link_message": (_open, {"message": 7}),
    "reply": (_owned, {"body": "Thank you; we are looking into it."}),
    "add_attachment": (_owned, {"attachment": 3}),
    "message_bounced": (_open, {"message": 7}),
    "update_task": (_in_work_with_a_task, {"task": 1, "status": "done"}),
    "identity_confirmed": (_waiting_for_identity, {"reason": "confirmed by the emailed link"}),
    "release_response": (
        _owned,
        {"package": 1, "count": 2, "of": 5, "until": "2026-12-01T09:00:00+00:00"},
    ),
    "revoke_response": (_owned, {"package": 1}),
    "response_downloaded": (_open, {"package": 1, "count": 1, "of": 5}),
}


def test_every_action_not_offered_to_people_has_a_race_case_here():
    assert set(SETUPS) == {a.name for a in actions.ACTIONS if not a.offered}


@pytest.fixture
def colleague_acts_midway(monkeypatch, staff):
    """Arm: the next action commits a colleague's note from another connection once it has
    read the case."""
    real_apply = workflow.apply
    landed = []

    def apply(step: handlers.Step, *, role):
        if landed == ["armed"]:
            landed.clear()
            landed.append(step.case.reference)
            with Session(db.engine) as other:
                case_service.perform(
                    other, reference=step.case.reference, action="note",
                    version=case_service.CURRENT, params={"text": "Phoned them back"},
                    actor=Actor.for_staff(staff), source="api",
                )  # fmt: skip
        real_apply(step, role=role)

    monkeypatch.setattr(workflow, "apply", apply)
    return landed


def _actor(action: str, staff) -> Actor:
    return SYSTEM if "system" in actions.BY_NAME[action].roles else Actor.for_staff(staff)


def _actions_of(reference: str) -> list[str]:
    db.session.rollback()
    query = select(Event.action).join(Case).where(Case.reference == reference).order_by(Event.id)
    return list(db.session.scalars(query))


@pytest.mark.parametrize("action", sorted(SETUPS))
def test_an_action_on_the_version_read_loses_the_race_and_writes_nothing(
    action, api, clock, staff, colleague_acts_midway
):
    setup, params = SETUPS[action]
    reference = setup(api, clock)
    version = case_service.get_case(db.session, reference=reference).version
    history = _actions_of(reference)
    colleague_acts_midway.append("armed")

    with pytest.raises(StaleVersion) as refused:
        case_service.perform(
            db.session, reference=reference, action=action, version=version, params=params,
            actor=_actor(action, staff), source="scheduler",
        )  # fmt: skip

    assert refused.value.message.endswith("reload it and try again")
    assert _actions_of(reference) == [*history, "note"]


@pytest.mark.parametrize("action", sorted(SETUPS))
def test_a_job_acting_on_the_case_as_it_is_now_reads_again_and_acts_once(
    action, api, clock, staff, colleague_acts_midway
):
    setup, params = SETUPS[action]
    reference = setup(api, clock)
    history = _actions_of(reference)
    colleague_acts_midway.append("armed")

    case_service.perform_now(
        db.session, reference=reference, action=action, params=params,
        actor=_actor(action, staff), source="scheduler",
    )  # fmt: skip

    assert colleague_acts_midway == [reference]
    assert _actions_of(reference) == [*history, "note", action]
