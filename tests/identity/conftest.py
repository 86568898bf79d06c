"""Identity links: the intake fixtures (a real SMTP server, email configured) and helpers that
file a request, find the link in the email sent, and press its button like a browser."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casetracker.cases.models import Case, Subject
from casetracker.extensions import db
from casetracker.intake.models import IdentityLink
from casetracker.outbox import delivery
from tests.intake import conftest as intake
from tests.intake.factories import csrf_token, submit

# The intake package's fixtures: the app with email configured, and its SMTP server.
app = intake.app
compiled_catalogs = intake.compiled_catalogs
intake_settings = intake.intake_settings
mailbox = intake.mailbox
signing_files = intake.signing_files
smtp_server = intake.smtp_server

LINK = re.compile(r"http://casetracker\.test(/complaints/verify/[0-9a-f]{64})\?lang=[A-Za-z-]+")


def deliver(clock):
    return delivery.deliver_due(db.session, now=clock())


def file_request(client, clock, *, language="en", email="erika@example.org", **answers):
    """File a request through the form and send its emails: it then waits for identity."""
    client.get(f"/complaints/new?lang={language}")
    fields = {"kind": "request", "right": "access", "country": "DE", "email": email, **answers}
    submit(client, **fields)
    deliver(clock)
    return case_for(email)


def case_for(email: str) -> Case:
    db.session.expire_all()
    found = select(Case).join(Subject, Subject.case_id == Case.id).where(Subject.email == email)
    return db.session.scalars(found.order_by(Case.id.desc())).first()


def link_in(email) -> str:
    """Return the path of the identity link in an email (its plain-text part)."""
    return LINK.search(email.get_body(("plain",)).get_content()).group(1)


def identity_emails(mailbox, to: str | None = None) -> list:
    return [
        message
        for message in mailbox.messages()
        if "/complaints/verify/" in message.get_body(("plain",)).get_content()
        and (to is None or message["To"] == to)
    ]


def press(client, path: str, *, with_token: bool = True):
    """Press the page's button: the form's CSRF token, then the POST."""
    data = {"csrf_token": csrf_token(client)} if with_token else {}
    return client.post(path, data=data)


def links_of(case: Case) -> list[IdentityLink]:
    db.session.expire_all()
    found = select(IdentityLink).where(IdentityLink.case_id == case.id).order_by(IdentityLink.id)
    return list(db.session.scalars(found))


@pytest.fixture
def waiting(client, clock, mailbox):
    """An EU access request filed in English, waiting for the individual to confirm."""
    return file_request(client, clock)
