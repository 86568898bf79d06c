"""The mail API's inbox: list and read received mail, open a case from it, link it or ignore it."""

import threading
from datetime import datetime, timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.mail import triage
from casetracker.people.actors import Actor
from tests.mail.api_support import REQUEST, download_file
from tests.mail_build import tiny_pdf
from tests.mail_from_people import cp1252_complaint_with_attachments, german_request

PII_FIELDS = {"from", "subject", "preview", "body"}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_inbox_lists_received_mail_newest_first_a_page_at_a_time(api, receive, clock):
    first = receive(german_request(), received_at=clock() - timedelta(hours=2))
    second = receive(cp1252_complaint_with_attachments())

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
    number = receive(cp1252_complaint_with_attachments())

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
    number = receive(german_request(), received_at=received_at)
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
    number = receive(german_request())
    body = {**REQUEST, "subject": {"country": "DE", "email": "else@example.org"}}
    response = api.post(f"/api/v1/inbox/{number}/open", json={**body, "channel": "web"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"subject", "channel"}
    missing = api.post(f"/api/v1/inbox/{number}/open", json={"kind": "request"})
    assert {"jurisdiction", "data_context", "subject"} <= set(missing.get_json()["errors"])
    assert api.get(f"/api/v1/inbox/{number}").get_json()["status"] == "new"


def test_linking_mail_adds_it_and_its_files_to_the_case(api, receive, staff):
    case = api.create(owner=staff.email)
    number = receive(cp1252_complaint_with_attachments())
    pdf = api.get(f"/api/v1/inbox/{number}").get_json()["attachments"][0]
    assert download_file(api, pdf["id"]).status_code == 403  # in no case yet: the DPO's only

    response = api.post(f"/api/v1/inbox/{number}/link", json={"reference": case["reference"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reference"] == case["reference"]
    events = api.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert events[-1]["action"] == "link_message"
    [message] = api.get(f"/api/v1/cases/{case['reference']}/messages").get_json()["items"]
    assert (message["id"], len(message["attachments"])) == (number, 2)
    download = download_file(api, pdf["id"])
    assert download.status_code == 200
    assert download.data == tiny_pdf("Ihr Schreiben vom 12.10.2026")
    again = api.post(f"/api/v1/inbox/{number}/link", json={"reference": case["reference"]})
    assert again.status_code == 409


def test_linking_to_an_unknown_case_leaves_the_mail_in_the_inbox(api, receive):
    number = receive(german_request())
    response = api.post(f"/api/v1/inbox/{number}/link", json={"reference": "PC-2026-09999"})
    assert response.status_code == 404
    assert api.get(f"/api/v1/inbox/{number}").get_json()["status"] == "new"


def test_ignoring_needs_a_reason_and_ends_triage(api, receive):
    number = receive(german_request())
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


def test_a_subject_that_is_not_an_object_is_refused_by_name(app, receive, dpo):
    number = receive(german_request())
    with pytest.raises(ValidationError, match="subject"):
        triage.open_case(
            db.session, message_id=number, data={**REQUEST, "subject": "Jürgen"},
            actor=Actor.for_staff(dpo), source="web",
        )  # fmt: skip
    assert triage.get_item(db.session, message_id=number).status == "new"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_colleagues_opening_one_email_at_once_open_one_case(app, receive, dpo):
    number = receive(german_request())
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
