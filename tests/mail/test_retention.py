"""The retention purge takes a case's emails and files with the rest of its personal data."""

from __future__ import annotations

import io

from sqlalchemy import select

from casetracker import storage
from casetracker.cases import purge
from casetracker.extensions import db
from casetracker.mail import fetch, files, triage
from casetracker.mail.models import MailMessage
from casetracker.people.actors import Actor
from tests.mail_from_people import cp1252_complaint_with_attachments


def test_purge_erases_messages_and_deletes_files_no_other_case_holds(
    mail_app, imap, api, clock, dpo
):
    imap.append(cp1252_complaint_with_attachments(), received_at=clock())
    fetch.fetch_mail(db.session, now=clock())
    message = db.session.scalars(select(MailMessage)).one()
    case = triage.open_case(
        db.session, message_id=message.id,
        data={"kind": "complaint", "jurisdiction": "EU", "data_context": "website",
              "subject": {"country": "DE"}},
        actor=Actor.for_staff(dpo), source="web",
    )  # fmt: skip
    upload = files.add(
        db.session, reference=case.reference, upload=io.BytesIO(b"panel advice, signed"),
        filename="advice.pdf", content_type="application/pdf",
        actor=Actor.for_staff(dpo), source="web",
    )  # fmt: skip
    shared = api.create()  # another case keeps a copy of the same file
    files.add(
        db.session, reference=shared["reference"], upload=io.BytesIO(b"panel advice, signed"),
        filename="copy.pdf", content_type="application/pdf",
        actor=Actor.for_staff(dpo), source="web",
    )  # fmt: skip
    kept = {a.sha256 for a in files.of_case(db.session, case_id=case.id)}
    api.act({"reference": case.reference, "version": case.version}, "resolve", outcome="resolved")

    clock.advance(days=3 * 365)
    assert purge.purge(db.session, now=clock()).erased == 1

    db.session.expire_all()
    erased = db.session.get(MailMessage, message.id)
    assert (erased.from_address, erased.subject, erased.body) == (None, None, None)
    assert erased.erased_at is not None
    for attachment in files.of_case(db.session, case_id=case.id):
        assert (attachment.filename, attachment.erased_at) == ("erased", clock())
    gone = kept - {upload.sha256}
    assert gone
    assert not any(storage.path_for(sha).exists() for sha in gone)
    assert storage.path_for(upload.sha256).exists()  # still the other case's file
