"""Each dashboard page that shows an individual's data writes one access-log row per view;
the same page masked, or a page without personal data, writes none."""

from __future__ import annotations

from sqlalchemy import select

from casetracker.extensions import db
from casetracker.mail.models import Attachment
from tests.accesslog.conftest import INDIVIDUAL, Seen, log
from tests.dashboard.conftest import open_case
from tests.mail.views_support import receive, upload
from tests.mail_from_people import cp1252_complaint_with_attachments, german_request
from tests.mail_generated import plain

OTTO = "Otto Normal <otto@example.org>"


def download(web, attachment_id: int):
    """Download a file and close the response, as a server does."""
    response = web.get(f"/files/{attachment_id}")
    response.get_data()
    response.close()
    return response


def switch(web, person):
    """Sign out, then in as someone else."""
    web.post("/sign-out")
    web.sign_in(person.email)


def test_the_owner_viewing_the_case_page_is_recorded_once_per_view(web, priya, complaint):
    web.sign_in(priya.email)
    page = web.get(f"/cases/{complaint.reference}")
    assert "Erika Mustermann" in page.text
    assert log() == [Seen(priya.id, priya.email, "web", complaint.id, "case page")]
    assert page.headers["Cache-Control"] == "private, no-store"

    web.get(f"/cases/{complaint.reference}")
    assert len(log()) == 2


def test_the_dpo_viewing_any_case_page_is_recorded(web, dana, complaint):
    web.sign_in(dana.email)
    assert "Erika Mustermann" in web.get(f"/cases/{complaint.reference}").text
    assert log() == [Seen(dana.id, dana.email, "web", complaint.id, "case page")]


def test_the_masked_case_page_and_pages_without_personal_data_write_nothing(web, tomasz, complaint):
    web.sign_in(tomasz.email)
    page = web.get(f"/cases/{complaint.reference}")
    assert page.status_code == 200
    assert "Erika" not in page.text
    assert "Personal data is visible to the DPO and the case owner only." in page.text
    assert "Erika" not in web.get(f"/cases/{complaint.reference}/file").text
    for path in ("/overdue", "/my-cases", "/cases", "/cases.csv", "/inbox", "/metrics"):
        assert web.get(path).status_code == 200, path
    assert log() == []


def test_the_case_file_is_recorded_as_the_case_file(web, priya, complaint):
    web.sign_in(priya.email)
    assert "Erika Mustermann" in web.get(f"/cases/{complaint.reference}/file").text
    assert log() == [Seen(priya.id, priya.email, "case_file", complaint.id, "case file")]


def test_a_form_shown_again_with_the_individuals_data_is_a_view(web, priya, complaint):
    web.sign_in(priya.email)
    refused = web.post(
        f"/cases/{complaint.reference}/actions",
        {"action": "hold", "version": str(complaint.version), "reason": ""},
    )
    assert refused.status_code == 422
    assert "Erika Mustermann" in refused.text
    assert log() == [Seen(priya.id, priya.email, "web", complaint.id, "case page")]


def test_the_reply_form_shown_again_is_a_view(web, priya, complaint):
    web.sign_in(priya.email)
    refused = web.post(f"/cases/{complaint.reference}/messages", {"body": ""})
    assert refused.status_code == 422
    assert log() == [Seen(priya.id, priya.email, "web", complaint.id, "reply form")]


def test_the_dpos_csv_records_one_row_per_case_exported(web, dana, priya, complaint, clock):
    other = open_case(priya, clock=clock, summary="Cookie banner ignored my choice.")
    web.sign_in(dana.email)
    export = web.get("/cases.csv")
    assert export.status_code == 200
    assert "erika@example.org" in export.text
    assert sorted(log(), key=lambda seen: seen.case_id) == [
        Seen(dana.id, dana.email, "csv", complaint.id, "cases.csv"),
        Seen(dana.id, dana.email, "csv", other.id, "cases.csv"),
    ]
    assert export.headers["Cache-Control"] == "private, no-store"

    assert "erika@example.org" in web.get("/queues/overdue.csv").text
    assert log()[2:] == [Seen(dana.id, dana.email, "csv", complaint.id, "overdue.csv")]


def test_the_staff_csv_without_personal_data_writes_nothing(web, priya, complaint):
    web.sign_in(priya.email)
    export = web.get("/cases.csv")
    assert complaint.reference in export.text
    assert "erika@example.org" not in export.text
    assert log() == []


def test_the_dpo_reading_the_inbox_is_recorded_per_email_shown(web, dana, priya, clock):
    first = receive(german_request(), clock)
    second = receive(plain("Löschung", "Bitte löschen Sie meine Daten.", sender=OTTO), clock)

    web.sign_in(priya.email)
    assert "Jürgen" not in web.get("/inbox").text
    assert "Jürgen" not in web.get(f"/inbox/{first.id}").text
    assert log() == []

    switch(web, dana)
    assert "Jürgen Müller" in web.get("/inbox").text
    assert sorted(log(), key=lambda seen: seen.what) == [
        Seen(dana.id, dana.email, "inbox", None, f"inbox list, email #{first.id}"),
        Seen(dana.id, dana.email, "inbox", None, f"inbox list, email #{second.id}"),
    ]
    assert "Jürgen Müller" in web.get(f"/inbox/{first.id}").text
    assert log()[2:] == [Seen(dana.id, dana.email, "inbox", None, f"email #{first.id}")]


def test_an_email_on_a_case_is_recorded_against_its_case(web, dana, complaint, clock):
    raw = plain(f"Re: [{complaint.reference}] Ihre Beschwerde", "Danke!", sender=INDIVIDUAL[2])
    message = receive(raw, clock)
    web.sign_in(dana.email)
    web.get(f"/inbox/{message.id}?status=linked")
    assert log() == [Seen(dana.id, dana.email, "inbox", complaint.id, f"email #{message.id}")]


def test_each_file_download_is_recorded(web, dana, priya, tomasz, complaint, clock, attachments):
    inbox_email = receive(cp1252_complaint_with_attachments(), clock)
    web.sign_in(priya.email)
    assert upload(web, complaint.reference, b"%PDF-1.4 proof", "erika-id.pdf").status_code == 302
    uploaded = db.session.scalars(
        select(Attachment).where(Attachment.case_id == complaint.id)
    ).one()

    assert download(web, uploaded.id).data == b"%PDF-1.4 proof"
    switch(web, tomasz)
    assert download(web, uploaded.id).status_code == 403
    switch(web, dana)
    from_email = select(Attachment).where(Attachment.mail_message_id == inbox_email.id)
    in_inbox = db.session.scalars(from_email.order_by(Attachment.id)).first()
    assert download(web, in_inbox.id).status_code == 200

    assert log() == [
        Seen(priya.id, priya.email, "attachment", complaint.id, f"file #{uploaded.id}"),
        Seen(dana.id, dana.email, "attachment", None, f"file #{in_inbox.id}"),
    ]
