"""Emails to individuals against a real SMTP server on localhost (aiosmtpd)."""

from __future__ import annotations

from sqlalchemy import select

from casetracker.cases import service as case_service
from casetracker.cases.models import Case, Event
from casetracker.extensions import db
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import OutboxNotifier
from tests.intake.conftest import free_port
from tests.intake.factories import submit


def deliver(clock):
    return delivery.deliver_due(db.session, now=clock())


def the_case() -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case)).one()


def test_the_acknowledgement_is_sent_once_in_the_individuals_language(client, clock, mailbox):
    client.get("/complaints/new?lang=de")
    submit(client)
    deliver(clock)
    deliver(clock)
    clock.advance(hours=2)
    deliver(clock)
    [email] = mailbox.messages()
    case = the_case()
    assert case.reference in email["Subject"]
    assert "Wir haben Ihre Nachricht erhalten" in email["Subject"]
    assert email["To"] == "erika@example.org"
    text = email.get_body(("plain",)).get_content()
    assert "Guten Tag Erika Mustermann" in text
    assert "http://casetracker.test/complaints/status/" in text


def test_sending_the_acknowledgement_acknowledges_the_case(client, clock, mailbox):
    submit(client)
    deliver(clock)
    case = the_case()
    assert case.stage == "internal_review"
    acknowledge = next(clock_ for clock_ in case.clocks if clock_.name == "acknowledge")
    assert acknowledge.met_at is not None
    events = db.session.scalars(select(Event).where(Event.case_id == case.id)).all()
    assert [e.action for e in events] == ["create", "email_sent", "acknowledge"]
    assert events[1].reason == "email_acknowledgement en"
    assert "erika" not in str([e.before, e.after, e.reason] for e in events)


def test_with_the_smtp_server_down_the_email_waits_and_goes_out_once(app, client, clock, mailbox):
    app.config["SMTP_PORT"] = free_port()
    submit(client)
    report = deliver(clock)
    assert (report.sent, report.retried) == (0, 1)
    assert the_case().stage == "received"
    app.config["SMTP_PORT"] = mailbox.port
    deliver(clock)
    assert mailbox.messages() == []
    clock.advance(minutes=1)
    assert deliver(clock).sent == 1
    clock.advance(hours=2)
    deliver(clock)
    assert len(mailbox.messages()) == 1
    assert the_case().stage == "internal_review"


def test_markup_is_escaped_in_the_html_email(client, clock, mailbox):
    submit(client, name="<b>Eve</b><script>alert(1)</script>")
    deliver(clock)
    [email] = mailbox.messages()
    html = email.get_body(("html",)).get_content()
    assert "&lt;b&gt;Eve&lt;/b&gt;&lt;script&gt;" in html
    assert "<script>" not in html


def test_rows_erased_by_the_retention_purge_are_never_sent(app, clock, mailbox):
    OutboxNotifier(db.session, now=clock()).notify(
        topic="email_acknowledgement",
        recipient="erased",
        payload={"erased": True},
        dedupe_key="email:acknowledgement:erased",
        channel="email",
    )
    db.session.commit()
    report = deliver(clock)
    assert (report.sent, report.failed) == (0, 1)
    assert mailbox.messages() == []


def test_the_agent_gets_a_copy_but_not_of_the_identity_link(client, clock, mailbox):
    submit(
        client,
        kind="request",
        right="access",
        country="US",
        california="y",
        agent_name="Agent Smith",
        agent_email="agent@example.org",
        agent_authorization="Signed permission dated 1 October 2026",
    )
    deliver(clock)
    acknowledgement, link = mailbox.messages()
    assert acknowledgement["Cc"] == "agent@example.org"
    assert "/complaints/verify/" in link.get_body(("plain",)).get_content()
    assert (link["To"], link["Cc"]) == ("erika@example.org", None)
    assert the_case().jurisdiction == "US-CA"


def test_the_outcome_email_follows_the_resolution(client, clock, mailbox, staff):
    submit(client)
    deliver(clock)
    case = the_case()
    case_service.perform(
        db.session,
        reference=case.reference,
        action="resolve",
        version=case.version,
        params={"outcome": "not_upheld"},
        actor=case_service.Actor.for_staff(staff),
        source="web",
    )
    deliver(clock)
    outcome = mailbox.messages()[-1]
    assert "is closed" in outcome["Subject"]
    text = outcome.get_body(("plain",)).get_content()
    assert "concluded that we handled your data correctly" in text
    assert "take your complaint further" in text
    topics = db.session.scalars(select(OutboxMessage.topic).where(OutboxMessage.channel == "email"))
    assert sorted(topics) == ["email_acknowledgement", "email_outcome"]
