"""Mail servers failing: SMTP refusing then accepting, IMAP down or cut off then back.

Every email to an individual goes out exactly once, and every message in the mailbox comes in
exactly once, whatever the servers did in between.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casetracker import create_app
from casetracker.cases.models import Case, Event
from casetracker.extensions import db
from casetracker.jobs import runner
from casetracker.mail.models import MailCursor, MailMessage
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from tests.conftest import _settings
from tests.dashboard.conftest import Web, person
from tests.faults.support import CuttingProxy, MoodySMTP, figure
from tests.intake.conftest import LocalSMTP, compiled_catalogs, free_port  # noqa: F401
from tests.intake.factories import submit
from tests.mail_generated import bulk

PEOPLE = [f"person{n}@example.org" for n in range(6)]
MESSAGES = 30


@pytest.fixture(scope="module")
def smtp():
    handler = MoodySMTP()
    controller = LocalSMTP(handler, hostname="127.0.0.1", port=0, ready_timeout=30)
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def app(database_url, clock, smtp, tmp_path):
    smtp.refusals.clear()
    smtp.refused_addresses.clear()
    smtp.accepted.clear()
    settings = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp.port,
        "SMTP_STARTTLS": False,
        "MAIL_FROM": "privacy@casetracker.test",
        "INTAKE_RATE_LIMIT": "50 per hour",
        "ATTACHMENTS_DIR": str(tmp_path / "attachments"),
    }
    app = create_app(_settings(database_url, clock, **settings))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def unsent() -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.channel == "email")
    return [m for m in db.session.scalars(query) if m.sent_at is None]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_smtp_server_refusing_then_down_then_accepting_gets_every_email_once(app, clock, smtp):
    client = app.test_client()
    for address in PEOPLE:
        assert submit(client, email=address, name="A Person").status_code == 303
    smtp.refusals += [
        ("RCPT", "451 4.7.1 Greylisted, please try again later"),
        ("RCPT", "450 4.2.1 Mailbox busy"),
        ("DATA", "421 4.3.2 Service shutting down"),
        ("DATA", "452 4.3.1 Insufficient system storage"),
    ]
    rounds, down = 0, {2, 3}
    while unsent() and rounds < 40:
        rounds += 1
        app.config["SMTP_PORT"] = free_port() if rounds in down else smtp.port
        delivery.deliver_due(db.session, now=clock())
        clock.advance(minutes=1)

    received = sorted(address for envelope in smtp.accepted for address in envelope.rcpt_tos)
    assert received == sorted(PEOPLE)  # each individual once: none lost, none twice
    assert smtp.refusals == []
    emails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email"))
    assert [m.failed_at for m in emails] == [None] * len(PEOPLE)
    figure(
        "SMTP 4xx (451, 450, 421, 452) and down, then up",
        "emails delivered / expected, duplicates",
        f"{len(received)}/{len(PEOPLE)}, {len(received) - len(set(received))}"
        f" ({smtp.refused} refusals, 2 rounds down)",
    )


AGENT = {
    "kind": "request",
    "right": "access",
    "country": "US",
    "california": "y",
    "agent_name": "Agent Smith",
    "agent_email": "agent@example.org",
    "agent_authorization": "Signed permission dated 1 October 2026",
}


def acknowledgement() -> OutboxMessage:
    db.session.expire_all()
    topic = OutboxMessage.topic == "email_acknowledgement"
    return db.session.scalars(select(OutboxMessage).where(topic)).one()


def deliver_rounds(clock, rounds: int = 3) -> None:
    for _ in range(rounds):
        delivery.deliver_due(db.session, now=clock())
        clock.advance(minutes=5)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_individual_refused_and_the_agent_served_is_a_bounce_sent_once(app, clock, smtp):
    client = app.test_client()
    assert submit(client, email="gone@example.org", **AGENT).status_code == 303
    smtp.refused_addresses["gone@example.org"] = "550 5.1.1 No such user here"

    deliver_rounds(clock)

    copies = [e.rcpt_tos for e in smtp.accepted if b"We have received" in e.content]
    assert copies == [["agent@example.org"]]  # the agent's copy, once; nothing sent again
    sent = acknowledgement()
    assert sent.sent_at is not None
    assert sent.failed_at is None
    assert sent.bounced_at == sent.sent_at
    assert sent.last_error == (
        "the mail server refused the individual's address (550); only the agent's copy went out"
    )
    case = db.session.scalars(select(Case)).one()
    [kept] = db.session.scalars(select(MailMessage).where(MailMessage.direction == "out"))
    assert (kept.status, kept.reason) == ("bounced", sent.last_error)
    actions = [e.action for e in db.session.scalars(select(Event).where(Event.case_id == case.id))]
    assert actions.count("message_bounced") == 1
    assert case.acknowledged_at is not None  # the agent, who acts for them, was told

    dana = person("dana@example.com", "Dana DPO", "dpo")
    web = Web(app.test_client())
    web.sign_in(dana.email)
    page = web.get(f"/cases/{case.reference}").text
    assert "Bounced</span> not delivered: check the address: the mail server refused the" in page
    bounced = web.get("/outbox").text.split('id="bounced-title"')[1]
    assert case.reference in bounced
    assert "only the agent&#39;s copy went out" in bounced


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_agent_refused_and_the_individual_served_is_sent_and_says_so(app, clock, smtp):
    client = app.test_client()
    assert submit(client, **AGENT).status_code == 303
    smtp.refused_addresses["agent@example.org"] = "550 5.1.1 No such user here"

    deliver_rounds(clock)

    copies = [e.rcpt_tos for e in smtp.accepted if b"We have received" in e.content]
    assert copies == [["erika@example.org"]]
    sent = acknowledgement()
    assert (sent.bounced_at, sent.failed_at) == (None, None)
    assert sent.last_error == "the mail server refused the agent's copy (550)"
    [kept] = db.session.scalars(select(MailMessage).where(MailMessage.direction == "out"))
    assert (kept.status, kept.reason) == ("sent", sent.last_error)
    events = db.session.scalars(select(Event.action)).all()
    assert "message_bounced" not in events


def imported() -> tuple[int, int]:
    db.session.expire_all()
    rows = select(func.count(), func.count(func.distinct(MailMessage.identity)))
    return tuple(db.session.execute(rows.where(MailMessage.direction == "in")).one())


def cursor() -> int | None:
    db.session.expire_all()
    row = db.session.get(MailCursor, "INBOX")
    return None if row is None else row.last_uid


@pytest.fixture
def mailbox(app, imap):
    app.config.update(imap.settings())
    imap.append_many(list(bulk(MESSAGES, attachment_every=5, attachment_size=4096)))
    return imap


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_imap_server_down_then_back_brings_every_message_in_once(app, mailbox):
    app.config["IMAP_PORT"] = free_port()

    down = runner.run(app, "fetch-mail")

    assert down.status == "failed"
    assert "ConnectionRefusedError" in down.summary
    assert imported() == (0, 0)
    assert cursor() is None
    app.config["IMAP_PORT"] = mailbox.port
    back = runner.run(app, "fetch-mail")
    again = runner.run(app, "fetch-mail")

    assert back.status == "ok", back.summary
    assert imported() == (MESSAGES, MESSAGES)
    assert again.summary.startswith("0 messages imported")
    figure("IMAP down, then back", "messages in / in the mailbox", f"{imported()[0]}/{MESSAGES}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_fetch_cut_off_midway_is_finished_by_the_next_run_exactly_once(app, mailbox, clock):
    proxy = CuttingProxy((mailbox.host, mailbox.port), cut_after=40_000)
    app.config["IMAP_PORT"] = proxy.port
    try:
        cut = runner.run(app, "fetch-mail")
    finally:
        proxy.close()

    assert proxy.cuts == 1
    # The job says so, and stops at the first message it could not read.
    assert cut.status == "errors", cut.summary
    part, _ = imported()
    stopped = f"1 failed: UID {part + 1}: the connection to the mailbox broke"
    assert cut.summary.endswith(stopped), cut.summary
    assert 0 < part < MESSAGES
    assert cursor() <= part  # never past a message that is not in
    app.config["IMAP_PORT"] = mailbox.port
    clock.advance(minutes=1)
    rest = runner.run(app, "fetch-mail")

    assert rest.status == "ok", rest.summary
    assert imported() == (MESSAGES, MESSAGES)
    assert cursor() == MESSAGES
    figure(
        "IMAP connection cut mid-fetch, then back",
        "messages in / in the mailbox, duplicates",
        f"{imported()[0]}/{MESSAGES}, 0 ({part} in before the cut)",
    )
