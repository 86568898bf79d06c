"""The identity job: one reminder with a fresh link, then one closure as unverified, whatever
the number of runs; a request that was confirmed, or is on hold, is left alone."""

from __future__ import annotations

from sqlalchemy import select

from casetracker.cases import service as case_service
from casetracker.cases.models import Event
from casetracker.extensions import db
from casetracker.intake.jobs import chase_identity
from casetracker.jobs import runner
from casetracker.people.actors import Actor
from tests.identity.conftest import (
    case_for,
    deliver,
    file_request,
    identity_emails,
    link_in,
    links_of,
    press,
)


def chase(clock):
    return chase_identity(db.session, now=clock())


def actions(case) -> list[str]:
    found = select(Event.action).where(Event.case_id == case.id).order_by(Event.id)
    return list(db.session.scalars(found))


def test_one_reminder_then_one_closure_in_the_individuals_language(app, client, clock, mailbox):
    case = file_request(client, clock, language="de")
    clock.advance(days=6)
    assert str(chase(clock)) == "0 identity reminders sent, 0 requests closed unverified"

    clock.advance(days=1, minutes=1)
    assert chase(clock).reminded == 1
    assert chase(clock).reminded == 0
    deliver(clock)
    first, reminder = identity_emails(mailbox)
    assert (
        reminder["Subject"]
        == f"Erinnerung: Bitte bestätigen Sie, dass Sie es sind ({case.reference})"
    )
    text = reminder.get_body(("plain",)).get_content()
    assert "bis zum 16. November 2026. Wenn Sie bis dahin nicht bestätigt haben" in text
    assert link_in(reminder) != link_in(first)
    assert [link.kind for link in links_of(case)] == ["first", "reminder"]
    assert client.get(link_in(first)).status_code == 404

    clock.advance(days=7)  # 16 November, the last day the reminder gives
    assert chase(clock).closed == 0
    clock.advance(days=1)
    assert runner.run(app, "identity-reminders", now=clock()).summary == (
        "0 identity reminders sent, 1 requests closed unverified"
    )
    assert chase(clock).closed == 0
    closed = case_for("erika@example.org")
    assert (closed.status, closed.outcome) == ("closed", "unverified")
    assert actions(closed).count("resolve") == 1
    assert client.get(link_in(reminder)).status_code == 404

    deliver(clock)
    notice = mailbox.messages()[-1]
    assert notice["Subject"] == f"Ihr Anliegen {case.reference} ist abgeschlossen"
    text = notice.get_body(("plain",)).get_content()
    assert "zweimal per E-Mail gebeten" in text
    assert "http://casetracker.test/complaints/new" in text
    assert len(mailbox.messages()) == 4


def test_the_reminders_link_verifies(client, clock, mailbox):
    file_request(client, clock)
    clock.advance(days=8)
    chase(clock)
    deliver(clock)
    reminder = identity_emails(mailbox)[-1]
    assert press(client, link_in(reminder)).status_code == 303
    assert case_for("erika@example.org").stage == "in_progress"
    clock.advance(days=30)
    assert (chase(clock).reminded, chase(clock).closed) == (0, 0)


def test_a_request_on_hold_is_left_to_staff(client, clock, mailbox, staff):
    case = file_request(client, clock)
    case_service.perform(
        db.session, reference=case.reference, action="hold", version=case.version,
        params={"reason": "Waiting for the paper form"}, actor=Actor.for_staff(staff),
        source="web",
    )  # fmt: skip
    clock.advance(days=30)
    assert (chase(clock).reminded, chase(clock).closed) == (0, 0)


def test_without_email_sent_there_is_nothing_to_remind(app, client, clock, mailbox):
    app.config["SMTP_PORT"] = 1  # refused: the emails wait in the outbox
    file_request(client, clock)
    clock.advance(days=30)
    assert (chase(clock).reminded, chase(clock).closed) == (0, 0)


def test_writing_in_with_a_dead_link_brings_a_new_one(client, clock, mailbox):
    case = file_request(client, clock)
    clock.advance(days=8)
    written = dict(message=1, foreign_sender=False)
    case_service.perform_now(
        db.session, reference=case.reference, action="message_received", params=written,
        actor=Actor.system("mail"), source="intake",
    )  # fmt: skip
    deliver(clock)
    fresh = identity_emails(mailbox)[-1]
    assert [(link.round, link.kind) for link in links_of(case)] == [(1, "first"), (2, "first")]
    assert press(client, link_in(fresh)).status_code == 303


def test_reopening_an_unverified_request_sends_a_new_link(client, clock, mailbox, dpo):
    case = file_request(client, clock)
    case = case_service.perform(
        db.session, reference=case.reference, action="resolve", version=case.version,
        params={"outcome": "unverified"}, actor=Actor.for_staff(dpo), source="web",
    )  # fmt: skip
    case_service.perform(
        db.session, reference=case.reference, action="reopen", version=case.version,
        params={"reason": "The individual wrote back"}, actor=Actor.for_staff(dpo),
        source="web",
    )  # fmt: skip
    deliver(clock)
    assert case_for("erika@example.org").stage == "verifying_identity"
    assert press(client, link_in(identity_emails(mailbox)[-1])).status_code == 303
    assert case_for("erika@example.org").stage == "in_progress"
