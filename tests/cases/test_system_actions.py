"""What jobs, deliveries and mail do to a case, and what the forms offer.

A change nobody typed (a missed deadline, an email that arrived or bounced, a message sent)
leaves its own line in the audit trail, and each is refused to those it is not for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from casetracker import policy as policies
from casetracker.cases import actions, workflow
from casetracker.cases import service as case_service
from casetracker.cases.errors import ActionNotAllowed, PermissionDenied
from casetracker.cases.handlers import AWAITING_INDIVIDUAL
from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.people.actors import Actor
from tests import factories
from tests.intake import factories as intake_factories

SWEEP = Actor.system("scheduler")
MAIL = Actor.system("mail")


def perform(reference: str, action: str, actor: Actor, **params) -> Case:
    return case_service.perform(
        db.session, reference=reference, action=action, version=case_service.CURRENT,
        params=params, actor=actor, source="scheduler" if actor.role == "system" else "web",
    )  # fmt: skip


def clocks_of(case: dict) -> dict:
    return {c["name"]: c for c in case["clocks"] if c["met_at"] is None}


def last_event(api, reference: str) -> dict:
    return api.get(f"/api/v1/cases/{reference}/events").get_json()[-1]


def stored(reference: str) -> Case:
    db.session.expire_all()
    return db.session.scalar(select(Case).where(Case.reference == reference))


def test_a_missed_deadline_is_marked_once_at_its_due_time(api, clock):
    case = api.create(received_at=(clock() - timedelta(days=40)).isoformat())
    acknowledge = next(c for c in stored(case["reference"]).clocks if c.name == "acknowledge")
    due = acknowledge.due_at
    perform(case["reference"], "breach", SWEEP, clock="acknowledge")
    event = last_event(api, case["reference"])
    assert (event["action"], event["reason"]) == ("breach", "the acknowledge deadline passed unmet")
    assert event["after"]["clocks"]["acknowledge"]["state"] == "breached"
    breached = next(c for c in stored(case["reference"]).clocks if c.name == "acknowledge")
    assert breached.breached_at == due
    with pytest.raises(ActionNotAllowed) as again:
        perform(case["reference"], "breach", SWEEP, clock="acknowledge")
    assert str(again.value) == f"the acknowledge deadline of {case['reference']} is not missed"


def test_a_deadline_not_yet_due_or_paused_is_not_marked_missed(api, clock):
    case = api.create()
    request = api.create(kind="request", right="access", jurisdiction="UK")
    api.act(request, "hold", reason="Which account?")
    with pytest.raises(ActionNotAllowed) as refused:
        perform(case["reference"], "breach", SWEEP, clock="respond")
    assert str(refused.value) == f"the respond deadline of {case['reference']} is not missed"
    clock.set(datetime.fromisoformat(clocks_of(case)["respond"]["due_at"]))  # its last second
    with pytest.raises(ActionNotAllowed, match=r"^the respond deadline of .+ is not missed$"):
        perform(case["reference"], "breach", SWEEP, clock="respond")
    clock.advance(days=60)
    with pytest.raises(ActionNotAllowed) as refused:
        perform(request["reference"], "breach", SWEEP, clock="respond")
    assert str(refused.value) == f"the respond deadline of {request['reference']} is not missed"


def test_only_casetracker_itself_marks_a_deadline_missed(api, staff, clock):
    case = api.create(received_at=(clock() - timedelta(days=40)).isoformat())
    with pytest.raises(PermissionDenied) as refused:
        perform(case["reference"], "breach", Actor.for_staff(staff), clock="acknowledge")
    assert str(refused.value) == "only casetracker itself may breach a case"


def test_a_clock_that_is_not_running_cannot_be_snoozed_or_breached(api, staff):
    case = api.create()
    for action, actor in (("snooze", Actor.for_staff(staff)), ("breach", SWEEP)):
        with pytest.raises(ActionNotAllowed) as refused:
            perform(case["reference"], action, actor, clock="body_reply")
        assert str(refused.value) == f"{case['reference']} has no running body_reply clock"


@pytest.mark.parametrize(
    ("action", "params", "reason"),
    [
        ("message_received", {"message": 7}, "email #7 from the individual"),
        (
            "message_received",
            {"message": 8, "foreign_sender": True},
            "email #8 from someone other than the individual",
        ),
        ("message_bounced", {"message": 9}, "email #9 to the individual bounced"),
        ("email_sent", {"topic": "email_outcome", "language": "de"}, "email_outcome de"),
        ("opengdpr_sent", {"topic": "opengdpr_status"}, "opengdpr_status"),
    ],
)
def test_mail_and_deliveries_record_what_happened_without_its_content(api, action, params, reason):
    case = api.create()
    perform(case["reference"], action, MAIL, **params)
    event = last_event(api, case["reference"])
    assert (event["action"], event["reason"], event["actor"]) == (action, reason, "mail")
    assert api.get(f"/api/v1/cases/{case['reference']}").get_json()["status"] == "open"


def test_the_individuals_answer_lifts_only_the_hold_for_our_question(api):
    asked = api.create()
    held = api.act(asked, "hold", reason=AWAITING_INDIVIDUAL).get_json()
    perform(asked["reference"], "message_received", MAIL, message=3)
    answered = api.get(f"/api/v1/cases/{asked['reference']}").get_json()
    assert (answered["status"], answered["hold_reason"]) == ("open", None)
    assert answered["version"] == held["version"] + 1

    other = api.create()
    api.act(other, "hold", reason="Waiting for the client's logs")
    perform(other["reference"], "message_received", MAIL, message=4)
    still = api.get(f"/api/v1/cases/{other['reference']}").get_json()
    assert (still["status"], still["hold_reason"]) == ("on_hold", "Waiting for the client's logs")


@pytest.mark.parametrize(
    ("foreign", "reason"),
    [
        (False, "email #5 from the inbox added to the case"),
        (
            True,
            "email #5 from the inbox added to the case (from someone other than the individual)",
        ),
    ],
)
def test_linking_an_inbox_email_to_a_case_is_recorded(api, staff, foreign, reason):
    case = api.create()
    perform(
        case["reference"], "link_message", Actor.for_staff(staff), message=5, foreign_sender=foreign
    )
    event = last_event(api, case["reference"])
    assert (event["action"], event["reason"]) == ("link_message", reason)


def test_only_the_owner_or_the_dpo_writes_to_the_individual_or_adds_files(api, staff, dpo):
    case = api.create(owner=staff.email)
    colleague = factories.staff(email="tom@example.com", name="Tom Staff")
    for action, params, what in (
        ("reply", {"body": "We are on it."}, "write to the individual"),
        ("add_attachment", {"attachment": 3}, "add files to"),
    ):
        with pytest.raises(PermissionDenied) as refused:
            perform(case["reference"], action, Actor.for_staff(colleague), **params)
        assert str(refused.value) == (
            f"only the DPO or the case owner may {what} {case['reference']}"
        )
        with pytest.raises(PermissionDenied) as refused:
            perform(case["reference"], action, MAIL, **params)
        assert str(refused.value) == f"only an admin or the DPO or staff may {action} a case"
    perform(case["reference"], "reply", Actor.for_staff(staff), body="We are on it.")
    assert last_event(api, case["reference"])["reason"] == (
        "email to the individual written on the case"
    )
    perform(case["reference"], "add_attachment", Actor.for_staff(dpo), attachment=3)
    assert last_event(api, case["reference"])["reason"] == "file #3 added to the case"


def test_a_question_to_the_individual_is_recorded_without_the_question(client, api, staff):
    assert intake_factories.submit(client).status_code == 303
    reference = db.session.scalar(select(Case.reference).order_by(Case.id.desc()))
    perform(reference, "ask_individual", Actor.for_staff(staff), question="Which account?")
    event = last_event(api, reference)
    assert (event["action"], event["reason"]) == (
        "ask_individual",
        "question emailed to the individual; the case goes on hold when it is sent",
    )


def test_the_forms_offer_only_the_choices_the_case_allows_now(api, staff, dpo):
    policy = policies.current()
    created = api.create(owner=staff.email)
    complaint = stored(created["reference"])
    request = stored(api.create(kind="request", right="access", jurisdiction="US-CA")["reference"])

    def choices(action, field, case):
        return actions.choices(action, field, case=case, policy=policy, staff=(staff, dpo))

    assert choices("assign", "owner", complaint) == [dpo.email]
    assert choices("assign", "owner", request) == [staff.email, dpo.email]
    assert choices("extend", "clock", complaint) == []
    assert choices("extend", "clock", request) == ["respond"]
    assert choices("escalate", "to_stage", complaint) == []
    api.act(created, "acknowledge")
    assert choices("escalate", "to_stage", stored(created["reference"])) == ["independent_recourse"]
    assert choices("resolve", "outcome", complaint) == ["resolved", "not_upheld", "withdrawn"]
    assert choices("resolve", "outcome", request) == [
        "complied", "partially_complied", "denied", "withdrawn", "unverified",
    ]  # fmt: skip
    assert choices("hold", "reason", complaint) == []


@pytest.mark.parametrize(
    ("role", "action", "may"),
    [
        ("staff", "acknowledge", True),
        ("admin", "resolve", True),
        ("staff", "reopen", False),
        ("dpo", "reopen", True),
        ("system", "breach", True),
        ("dpo", "breach", False),
        ("staff", "frobnicate", False),
        (None, "note", False),
    ],
)
def test_who_may_ever_take_an_action(role, action, may):
    assert workflow.may(role, action) is may
