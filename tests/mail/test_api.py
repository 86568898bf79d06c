"""The mail API: triage the inbox, read and write a case's emails, keep and fetch its files."""

import hashlib
import io
import threading
from datetime import datetime, timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.mail import service as mail_service
from casetracker.mail import triage
from casetracker.mail.models import Attachment
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.people.actors import Actor
from tests import factories, mail_samples

PII_FIELDS = {"from", "subject", "preview", "body"}
REQUEST = {
    "kind": "request",
    "right": "access",
    "jurisdiction": "EU",
    "data_context": "platform",
    "subject": {"country": "DE"},
}


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path):
    folder = tmp_path / "attachments"
    app.config["ATTACHMENTS_DIR"] = str(folder)
    return folder


@pytest.fixture
def receive(app, clock):
    """Deliver raw mail through the mailbox import, as the fetch job does; return its id."""

    def deliver(raw: bytes, *, received_at: datetime | None = None) -> int:
        imported = mail_service.import_message(
            db.session,
            io.BytesIO(raw),
            digest=hashlib.sha256(raw).hexdigest(),
            received_at=received_at or clock(),
            now=clock(),
            max_attachment=app.config["ATTACHMENT_MAX_BYTES"],
        )
        return imported.message.id

    return deliver


@pytest.fixture
def plain_api(client, staff):
    """Sam again, through a token without the pii scope."""
    return factories.ApiClient(client, factories.token(staff))


@pytest.fixture
def other_api(client):
    """Kim: staff with the pii scope, owner of none of the cases here."""
    kim = factories.staff(email="kim@example.com", name="Kim Staff", role="staff")
    return factories.ApiClient(client, factories.token(kim, scopes=["pii"]))


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _outbox_count(topic: str) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.topic == topic)
    )


def _attachment_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Attachment))


def _download(reader, attachment_id: int):
    response = reader.get(f"/api/v1/attachments/{attachment_id}")
    response.get_data()
    response.close()  # the file stays open until the body is read and closed, as a server does
    return response


def _upload(api, reference: str, content: bytes, name: str = "Nachweis.pdf"):
    # Encoded here, in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(content), name, content_type="application/pdf")}
    )
    return api.post(
        f"/api/v1/cases/{reference}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_inbox_lists_received_mail_newest_first_a_page_at_a_time(api, receive, clock):
    first = receive(mail_samples.german_request(), received_at=clock() - timedelta(hours=2))
    second = receive(mail_samples.cp1252_complaint_with_attachments())

    page = api.get("/api/v1/inbox?limit=1").get_json()
    [newest] = page["items"]
    assert newest["id"] == second
    assert (newest["status"], newest["case"], newest["reason"]) == ("new", None, None)
    assert newest["attachments"] == 2
    assert newest["from"] == "sabine.weiss@example.de"
    assert newest["subject"] == "Beschwerde: Werbung trotz Widerspruch"
    assert newest["preview"].startswith("Sehr geehrte Damen und Herren")

    rest = api.get(f"/api/v1/inbox?limit=1&cursor={page['next_cursor']}").get_json()
    assert [item["id"] for item in rest["items"]] == [first]
    assert rest["next_cursor"] is None
    assert api.get("/api/v1/inbox?status=ignored").get_json()["items"] == []


def test_inbox_item_shows_text_and_files_only_with_the_pii_scope(api, plain_api, receive):
    number = receive(mail_samples.cp1252_complaint_with_attachments())

    item = api.get(f"/api/v1/inbox/{number}").get_json()
    assert "50 €" in item["body"]
    assert [a["filename"] for a in item["attachments"]] == [
        "Schreiben_12.10.2026.pdf",
        "Umschlag_Rückseite.jpg",
    ]
    assert item["attachments"][0]["content_type"] == "application/pdf"

    listed = plain_api.get("/api/v1/inbox").get_json()["items"][0]
    masked = plain_api.get(f"/api/v1/inbox/{number}").get_json()
    assert not PII_FIELDS & (set(listed) | set(masked))
    assert listed["attachments"] == 2
    assert all("filename" not in a and a["size"] > 0 for a in masked["attachments"])
    assert api.get("/api/v1/inbox/9999").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=read", "status"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=x", "cursor"),
    ],
)
def test_bad_inbox_query_is_422_naming_the_field(api, query, field):
    response = api.get(f"/api/v1/inbox?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_opening_a_case_from_mail_starts_its_clocks_at_receipt(api, receive, clock):
    received_at = clock()
    number = receive(mail_samples.german_request(), received_at=received_at)
    clock.advance(days=3)

    response = api.post(f"/api/v1/inbox/{number}/open", json=REQUEST)
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert (case["reference"], case["channel"]) == ("DSR-2026-00001", "email")
    assert _at(case["received_at"]) == received_at
    assert {_at(c["started_at"]) for c in case["clocks"]} == {received_at}
    assert case["subject"]["email"] == "juergen.mueller@example.de"
    assert case["subject"]["name"] == "Jürgen Müller"
    assert case["summary"].startswith("Auskunftsersuchen gemäß Art. 15 DSGVO")

    item = api.get(f"/api/v1/inbox/{number}").get_json()
    assert (item["status"], item["case"]) == ("opened", "DSR-2026-00001")
    again = api.post(f"/api/v1/inbox/{number}/open", json=REQUEST)
    assert again.status_code == 409
    assert "opened" in again.get_json()["error"]


def test_opening_takes_the_address_from_the_mail_and_refuses_a_given_one(api, receive):
    number = receive(mail_samples.german_request())
    body = {**REQUEST, "subject": {"country": "DE", "email": "else@example.org"}}
    response = api.post(f"/api/v1/inbox/{number}/open", json={**body, "channel": "web"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"subject", "channel"}
    missing = api.post(f"/api/v1/inbox/{number}/open", json={"kind": "request"})
    assert {"jurisdiction", "data_context", "subject"} <= set(missing.get_json()["errors"])
    assert api.get(f"/api/v1/inbox/{number}").get_json()["status"] == "new"


def test_linking_mail_adds_it_and_its_files_to_the_case(api, receive, staff):
    case = api.create(owner=staff.email)
    number = receive(mail_samples.cp1252_complaint_with_attachments())
    pdf = api.get(f"/api/v1/inbox/{number}").get_json()["attachments"][0]
    assert _download(api, pdf["id"]).status_code == 403  # in no case yet: the DPO's only

    response = api.post(f"/api/v1/inbox/{number}/link", json={"reference": case["reference"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reference"] == case["reference"]
    events = api.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert events[-1]["action"] == "link_message"
    [message] = api.get(f"/api/v1/cases/{case['reference']}/messages").get_json()["items"]
    assert (message["id"], len(message["attachments"])) == (number, 2)
    download = _download(api, pdf["id"])
    assert download.status_code == 200
    assert download.data == mail_samples.tiny_pdf("Ihr Schreiben vom 12.10.2026")
    again = api.post(f"/api/v1/inbox/{number}/link", json={"reference": case["reference"]})
    assert again.status_code == 409


def test_linking_to_an_unknown_case_leaves_the_mail_in_the_inbox(api, receive):
    number = receive(mail_samples.german_request())
    response = api.post(f"/api/v1/inbox/{number}/link", json={"reference": "PC-2026-09999"})
    assert response.status_code == 404
    assert api.get(f"/api/v1/inbox/{number}").get_json()["status"] == "new"


def test_ignoring_needs_a_reason_and_ends_triage(api, receive):
    number = receive(mail_samples.german_request())
    for body in ({}, {"reason": "   "}):
        response = api.post(f"/api/v1/inbox/{number}/ignore", json=body)
        assert response.status_code == 422
        assert "reason" in response.get_json()["errors"]

    response = api.post(f"/api/v1/inbox/{number}/ignore", json={"reason": "spam"})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["reason"]) == ("ignored", "spam")
    assert api.get("/api/v1/inbox?status=ignored").get_json()["items"][0]["id"] == number
    assert api.post(f"/api/v1/inbox/{number}/ignore", json={"reason": "x"}).status_code == 409
    assert api.post(f"/api/v1/inbox/{number}/open", json=REQUEST).status_code == 409


def test_a_reply_is_queued_and_shown_with_the_mail_it_answers(
    app, api, plain_api, receive, staff, clock
):
    reference = api.create(owner=staff.email)["reference"]
    question = mail_samples.plain(
        f"[{reference}] Wie ist der Stand?", "Bitte um Rückmeldung.", sender="erika@example.org"
    )
    receive(question, received_at=clock() - timedelta(hours=1))

    response = api.post(f"/api/v1/cases/{reference}/messages", json={"body": "Wir prüfen das."})
    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    assert (reply["direction"], reply["status"]) == ("out", "queued")
    assert (reply["from"], reply["to"]) == (app.config["MAIL_FROM"], "erika@example.org")
    assert reply["subject"] == f"Re: [{reference}] Wie ist der Stand?"
    assert _outbox_count("email_reply") == 1
    outbox = db.session.scalar(select(OutboxMessage).where(OutboxMessage.topic == "email_reply"))
    assert outbox.channel == "email"

    items = api.get(f"/api/v1/cases/{reference}/messages").get_json()["items"]
    assert [m["direction"] for m in items] == ["in", "out"]
    assert items[0]["from"] == "erika@example.org"
    assert items[1]["body"] == "Wir prüfen das."
    masked = plain_api.get(f"/api/v1/cases/{reference}/messages").get_json()["items"]
    assert all(not {"from", "to", "subject", "body"} & set(m) for m in masked)


def test_a_reply_goes_out_threaded_with_the_files_it_names(api, receive, staff, clock, mailbox):
    reference = api.create(owner=staff.email)["reference"]
    question = mail_samples.plain(
        f"[{reference}] Frage", "Was speichern Sie?", sender="erika@example.org",
        message_id="<frage-1@example.org>",
    )  # fmt: skip
    receive(question, received_at=clock() - timedelta(hours=1))
    uploaded = _upload(api, reference, b"%PDF-1.4 Auskunft").get_json()
    path = f"/api/v1/cases/{reference}/messages"

    wrong = api.post(path, json={"body": "Anbei", "attachment_ids": [uploaded["id"] + 99]})
    assert wrong.status_code == 422
    assert "attachment_ids" in wrong.get_json()["errors"]
    response = api.post(path, json={"body": "Anbei", "attachment_ids": [uploaded["id"]]})
    assert response.status_code == 201
    assert [a["filename"] for a in response.get_json()["attachments"]] == ["Nachweis.pdf"]

    delivery.deliver_due(db.session, now=clock())
    [email] = mailbox.messages()
    assert email["To"] == "erika@example.org"
    assert email["In-Reply-To"] == "<frage-1@example.org>"
    assert reference in email["Subject"]
    [attached] = list(email.iter_attachments())
    assert attached.get_content() == b"%PDF-1.4 Auskunft"
    assert api.get(path).get_json()["items"][-1]["status"] == "sent"


def test_only_the_owner_or_dpo_with_the_pii_scope_may_reply(
    api, dpo_api, plain_api, other_api, staff
):
    reference = api.create(owner=staff.email)["reference"]
    path = f"/api/v1/cases/{reference}/messages"

    assert other_api.post(path, json={"body": "Hallo"}).status_code == 403
    assert plain_api.post(path, json={"body": "Hallo"}).status_code == 403
    assert _outbox_count("email_reply") == 0
    assert api.get(path).get_json()["items"] == []

    assert dpo_api.post(path, json={"body": "Hallo"}).status_code == 201
    assert api.post(path, json={"body": "  indented on purpose"}).status_code == 201
    for empty in ("", "  \n\t "):
        refused = api.post(path, json={"body": empty})
        assert refused.status_code == 422
        assert "body" in refused.get_json()["errors"]
    assert _outbox_count("email_reply") == 2


def test_an_uploaded_file_is_downloaded_only_by_the_owner_or_dpo(
    api, dpo_api, plain_api, other_api, staff
):
    reference = api.create(owner=staff.email)["reference"]
    content = mail_samples.tiny_pdf("Vollmacht")

    response = _upload(api, reference, content)
    assert response.status_code == 201, response.get_json()
    uploaded = response.get_json()
    assert uploaded["sha256"] == hashlib.sha256(content).hexdigest()
    assert (uploaded["filename"], uploaded["size"]) == ("Nachweis.pdf", len(content))
    assert uploaded["content_type"] == "application/pdf"

    for reader in (api, dpo_api):
        download = _download(reader, uploaded["id"])
        assert download.status_code == 200
        assert download.data == content
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Disposition"] == "attachment; filename=Nachweis.pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert _download(other_api, uploaded["id"]).status_code == 403
    assert _download(plain_api, uploaded["id"]).status_code == 403
    assert _download(api, 9999).status_code == 404


def test_a_hostile_file_name_never_becomes_a_path(api, receive, staff, attachments_dir):
    number = receive(mail_samples.hostile())
    opened = api.post(f"/api/v1/inbox/{number}/open", json={**REQUEST, "owner": staff.email})
    assert opened.status_code == 201, opened.get_json()
    files = api.get(f"/api/v1/inbox/{number}").get_json()["attachments"]
    passwd = files[0]
    assert passwd["filename"] == "passwd"

    download = _download(api, passwd["id"])
    assert download.status_code == 200
    assert download.data == b"root:x:0:0:root:/root:/bin/bash"
    disposition = download.headers["Content-Disposition"]
    assert disposition == "attachment; filename=passwd"
    digest = hashlib.sha256(download.data).hexdigest()
    assert (attachments_dir / digest[:2] / digest[2:4] / digest).read_bytes() == download.data
    stored = [p.name for p in attachments_dir.rglob("*") if p.is_file()]
    assert all(len(name) == 64 for name in stored)


def test_a_scan_of_a_few_megabytes_is_kept(api, staff):
    reference = api.create(owner=staff.email)["reference"]
    content = b"%PDF-1.4 " + b"\x00" * (3 * 1024 * 1024)
    response = _upload(api, reference, content, name="Scan.pdf")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["size"] == len(content)


def test_a_file_too_large_is_refused_and_nothing_kept(app, api, staff):
    reference = api.create(owner=staff.email)["reference"]
    app.config["ATTACHMENT_MAX_BYTES"] = 10
    before = _attachment_count()

    for content in (b"x" * 11, b"x" * 200_000, b""):
        response = _upload(api, reference, content)
        assert response.status_code == 422
        assert "file" in response.get_json()["errors"]
    missing = api.post(f"/api/v1/cases/{reference}/attachments", data={})
    assert missing.status_code == 422
    assert "file" in missing.get_json()["errors"]
    assert _attachment_count() == before


def test_a_mail_file_over_the_limit_is_listed_but_not_downloadable(app, api, receive, staff):
    app.config["ATTACHMENT_MAX_BYTES"] = 10
    raw = mail_samples.plain(
        "Nachweis", "Anbei.", sender="erika@example.org", attachment_bytes=b"x" * 100
    )
    number = receive(raw)
    api.post(f"/api/v1/inbox/{number}/open", json={**REQUEST, "owner": staff.email})
    [refused] = api.get(f"/api/v1/inbox/{number}").get_json()["attachments"]
    assert "limit" in refused["refused"]
    assert _download(api, refused["id"]).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/inbox"),
        ("get", "/api/v1/inbox/1"),
        ("post", "/api/v1/inbox/1/open"),
        ("post", "/api/v1/inbox/1/link"),
        ("post", "/api/v1/inbox/1/ignore"),
        ("get", "/api/v1/cases/PC-2026-00001/messages"),
        ("post", "/api/v1/cases/PC-2026-00001/messages"),
        ("post", "/api/v1/cases/PC-2026-00001/attachments"),
        ("get", "/api/v1/attachments/1"),
    ],
)
def test_every_mail_endpoint_needs_a_token(client, method, path):
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert "error" in response.get_json()


def test_the_mail_endpoints_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    upload = paths["/api/v1/cases/{reference}/attachments"]["post"]["requestBody"]
    schema = upload["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"]["format"] == "binary"
    assert {
        "/api/v1/inbox",
        "/api/v1/inbox/{message_id}/open",
        "/api/v1/attachments/{attachment_id}",
    } <= set(paths)


def test_a_refused_upload_leaves_no_file_behind(api, other_api, staff, attachments_dir):
    reference = api.create(owner=staff.email)["reference"]

    response = _upload(other_api, reference, b"not my case to add files to")

    assert response.status_code == 403
    assert _attachment_count() == 0
    assert not [p for p in attachments_dir.rglob("*") if p.is_file()]


def test_a_subject_that_is_not_an_object_is_refused_by_name(app, receive, dpo):
    number = receive(mail_samples.german_request())
    with pytest.raises(ValidationError, match="subject"):
        triage.open_case(
            db.session, message_id=number, data={**REQUEST, "subject": "Jürgen"},
            actor=Actor.for_staff(dpo), source="web",
        )  # fmt: skip
    assert triage.get_item(db.session, message_id=number).status == "new"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_colleagues_opening_one_email_at_once_open_one_case(app, receive, dpo):
    number = receive(mail_samples.german_request())
    barrier = threading.Barrier(2)
    outcomes = []

    def open_it():
        with app.app_context():
            session = Session(db.engine)
            barrier.wait()
            try:
                triage.open_case(
                    session, message_id=number, data=REQUEST,
                    actor=Actor.for_staff(dpo), source="web",
                )  # fmt: skip
                outcomes.append("opened")
            except triage.NotInInbox:
                outcomes.append("already handled")
            finally:
                session.close()

    workers = [threading.Thread(target=open_it) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(outcomes) == ["already handled", "opened"]
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1
