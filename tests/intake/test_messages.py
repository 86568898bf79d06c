"""Staff-side messages to individuals: clarification pauses, extension notices, events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casetracker.cases import purge
from casetracker.cases import service as case_service
from casetracker.cases.errors import ActionNotAllowed
from casetracker.cases.models import Case, Event
from casetracker.extensions import db
from casetracker.intake import service
from casetracker.intake.models import IntakeRecord
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.people.actors import Actor
from tests.intake.factories import submit


def the_case() -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case)).one()


@pytest.fixture
def eu_request(client, clock, mailbox):
    """An EU access request filed in French, acknowledged by its sent email."""
    client.get("/complaints/new?lang=fr")
    submit(client, kind="request", right="access", country="FR")
    delivery.deliver_due(db.session, now=clock())
    return the_case()


def test_asking_for_clarification_pauses_the_clock_when_the_email_is_sent(
    eu_request, clock, mailbox, staff
):
    service.request_clarification(
        db.session,
        reference=eu_request.reference,
        question="Which <email> did you use?",
        actor=Actor.for_staff(staff),
        source="web",
    )
    assert the_case().status == "open"
    delivery.deliver_due(db.session, now=clock())
    case = the_case()
    assert case.status == "on_hold"
    respond = next(c for c in case.clocks if c.name == "respond")
    assert respond.paused_since is not None
    question = mailbox.messages()[-1]
    assert "Nous avons besoin de précisions" in question["Subject"]
    assert "Which &lt;email&gt; did you use?" in question.get_body(("html",)).get_content()
    actions = [e.action for e in db.session.scalars(select(Event).order_by(Event.id))]
    assert actions[-3:] == ["ask_individual", "email_sent", "hold"]


def test_an_extension_is_told_to_the_individual_with_its_reason(eu_request, clock, mailbox, staff):
    case_service.perform(
        db.session,
        reference=eu_request.reference,
        action="extend",
        version=eu_request.version,
        params={"reason": "Your request covers ten years of records."},
        actor=Actor.for_staff(staff),
        source="web",
    )
    delivery.deliver_due(db.session, now=clock())
    notice = mailbox.messages()[-1]
    text = notice.get_body(("plain",)).get_content()
    assert "Your request covers ten years of records." in text
    assert "2 décembre 2026" in text
    assert "2 février 2027" in text


def test_an_extension_after_the_due_time_is_refused_and_nothing_is_sent(eu_request, clock, staff):
    clock.advance(days=40)
    with pytest.raises(ActionNotAllowed):
        case_service.perform(
            db.session,
            reference=eu_request.reference,
            action="extend",
            version=the_case().version,
            params={"reason": "Too late"},
            actor=Actor.for_staff(staff),
            source="web",
        )
    topics = db.session.scalars(select(OutboxMessage.topic)).all()
    assert "email_extension" not in topics


def test_clarification_is_only_for_cases_filed_through_the_form(api, staff):
    case = api.create()
    with pytest.raises(Exception, match="not filed through the form"):
        service.request_clarification(
            db.session,
            reference=case["reference"],
            question="?",
            actor=Actor.for_staff(staff),
            source="web",
        )


def test_retention_purge_also_erases_the_agents_authorization(client, clock, dpo):
    submit(
        client, kind="request", right="access", country="FR", agent_name="Jean Agent",
        agent_email="jean@example.org", agent_authorization="Signed mandate of 3 March",
    )  # fmt: skip
    case = the_case()
    case_service.perform(
        db.session, reference=case.reference, action="resolve", version=case.version,
        params={"outcome": "complied"}, actor=Actor.for_staff(dpo), source="web",
    )  # fmt: skip
    clock.advance(days=800)
    assert purge.purge(db.session, now=clock()).erased == 1
    record = db.session.scalars(select(IntakeRecord)).one()
    assert record.agent_authorization is None
    assert the_case().subject.agent_name is None
