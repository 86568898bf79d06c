"""Answers thread onto their case by themselves: replies to our mail, references in subjects.

Real round trips: our email goes out over SMTP, the individual's answer comes back through
the IMAP server, and fetch-mail puts it on the case.
"""

from __future__ import annotations

from sqlalchemy import select

from casetracker.cases import service as case_service
from casetracker.cases.handlers import AWAITING_INDIVIDUAL
from casetracker.cases.models import Case, Event
from casetracker.extensions import db
from casetracker.intake import service as intake_service
from casetracker.mail import fetch
from casetracker.mail.models import MailMessage
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.people.actors import Actor
from tests.intake.factories import submit
from tests.mail_automated import dsn_bounce
from tests.mail_from_people import german_request, outlook_html_reply
from tests.mail_generated import plain

ERIKA = "Erika Mustermann <erika@example.org>"


def _form_request(client, clock):
    """An EU access request filed through the form and acknowledged by its sent email."""
    submit(client, kind="request", right="access", country="DE")
    delivery.deliver_due(db.session, now=clock())
    db.session.expire_all()
    return db.session.scalars(select(Case)).one()


def _sent_message_id(mailbox, index=-1) -> str:
    return mailbox.messages()[index]["Message-ID"].strip()


def _events(case) -> list[str]:
    db.session.expire_all()
    query = select(Event.action).where(Event.case_id == case.id).order_by(Event.id)
    return list(db.session.scalars(query))


def test_an_answer_to_our_question_threads_onto_the_case_and_lifts_the_hold(
    mail_app, imap, client, clock, mailbox, staff
):
    case = _form_request(client, clock)
    intake_service.request_clarification(
        db.session, reference=case.reference, question="Which account do you mean?",
        actor=Actor.for_staff(staff), source="web",
    )  # fmt: skip
    delivery.deliver_due(db.session, now=clock())
    assert db.session.get(Case, case.id).hold_reason == AWAITING_INDIVIDUAL
    question_id = _sent_message_id(mailbox)

    clock.advance(days=2)
    answer = plain(
        "Re: your question", "The one with erika@example.org.\n\n> Which account do you mean?",
        sender=ERIKA, in_reply_to=question_id, references=question_id,
    )  # fmt: skip
    imap.append(answer, received_at=clock())
    report = fetch.fetch_mail(db.session, now=clock())

    assert (report.linked, report.inbox) == (1, 0)
    resumed = db.session.get(Case, case.id)
    assert resumed.status == "open"
    assert _events(case)[-1] == "message_received"
    incoming = db.session.scalars(
        select(MailMessage).where(MailMessage.case_id == case.id, MailMessage.direction == "in")
    ).one()
    assert incoming.reply == "The one with erika@example.org."
    assert incoming.foreign_sender is False
    notice = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "message_received")
    ).one()
    assert "erika" not in str(notice.payload).lower()


def test_a_subject_naming_a_case_threads_and_a_stranger_is_flagged(
    mail_app, imap, client, clock, mailbox
):
    case = _form_request(client, clock)
    imap.append(
        plain(
            f"Question about [{case.reference}]", "I write on behalf of my mother.",
            sender="Someone Else <someone@example.net>",
        )
    )  # fmt: skip

    fetch.fetch_mail(db.session, now=clock())

    message = db.session.scalars(select(MailMessage).where(MailMessage.direction == "in")).one()
    assert (message.case_id, message.status, message.foreign_sender) == (case.id, "linked", True)


def test_a_bounce_marks_our_email_bounced_and_opens_nothing(mail_app, imap, client, clock, mailbox):
    case = _form_request(client, clock)
    acknowledgement = _sent_message_id(mailbox, 0)

    imap.append(dsn_bounce(acknowledgement, "erika@example.org"))
    report = fetch.fetch_mail(db.session, now=clock())

    assert (report.ignored, report.inbox) == (1, 0)
    sent = db.session.scalars(
        select(MailMessage).where(MailMessage.message_id == acknowledgement)
    ).one()
    assert (sent.case_id, sent.status) == (case.id, "bounced")
    assert _events(case)[-1] == "message_bounced"
    assert db.session.scalar(select(Case).where(Case.id != case.id)) is None


def test_a_reply_from_the_case_goes_out_threaded_without_injected_headers(
    mail_app, imap, api, client, clock, mailbox, dpo
):
    imap.append(german_request(), received_at=clock())
    fetch.fetch_mail(db.session, now=clock())
    message = db.session.scalars(select(MailMessage)).one()
    from casetracker.mail import triage

    case = triage.open_case(
        db.session, message_id=message.id,
        data={"kind": "request", "right": "access", "jurisdiction": "EU",
              "data_context": "marketing", "subject": {"country": "DE"}},
        actor=Actor.for_staff(dpo), source="web",
    )  # fmt: skip
    case_service.perform(
        db.session, reference=case.reference, action="reply", version=case_service.CURRENT,
        params={"body": "Wir prüfen Ihr Anliegen.\r\nBcc: evil@example.com"},
        actor=Actor.for_staff(dpo), source="web",
    )  # fmt: skip
    delivery.deliver_due(db.session, now=clock())

    sent = mailbox.messages()[-1]
    assert sent["Bcc"] is None
    assert sent["To"] == "juergen.mueller@example.de"
    assert f"[{case.reference}]" in sent["Subject"]
    assert sent["In-Reply-To"].strip() == "<auskunft-4711@example.de>"
    assert "Bcc: evil@example.com" in sent.get_body(("plain",)).get_content()
    assert _events(case)[-2:] == ["reply", "email_sent"]
    reply = db.session.scalars(
        select(MailMessage).where(MailMessage.direction == "out", MailMessage.case_id == case.id)
    ).one()
    assert reply.status == "sent"


def test_an_outlook_html_reply_threads_as_text_with_its_history_folded(
    mail_app, imap, client, clock, mailbox
):
    case = _form_request(client, clock)
    acknowledgement = _sent_message_id(mailbox, 0)

    imap.append(outlook_html_reply(acknowledgement))
    fetch.fetch_mail(db.session, now=clock())

    reply = db.session.scalars(select(MailMessage).where(MailMessage.direction == "in")).one()
    assert (reply.case_id, reply.status) == (case.id, "linked")
    assert "0815-4711" in reply.reply
    assert "Original Message" not in reply.reply
    assert "Von:" not in reply.reply
    for text in (reply.body, reply.reply):
        assert "<script" not in text.lower()
        assert "onclick" not in text.lower()
        assert "alert(" not in text
