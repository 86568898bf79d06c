"""The mail API on a case: read its emails and write replies, queued and sent threaded."""

from datetime import timedelta

from sqlalchemy import func, select

from casetracker.extensions import db
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from tests.mail.api_support import upload_file
from tests.mail_generated import plain


def _outbox_count(topic: str) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.topic == topic)
    )


def test_a_reply_is_queued_and_shown_with_the_mail_it_answers(
    app, api, plain_api, receive, staff, clock
):
    reference = api.create(owner=staff.email)["reference"]
    question = plain(
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
    question = plain(
        f"[{reference}] Frage", "Was speichern Sie?", sender="erika@example.org",
        message_id="<frage-1@example.org>",
    )  # fmt: skip
    receive(question, received_at=clock() - timedelta(hours=1))
    uploaded = upload_file(api, reference, b"%PDF-1.4 Auskunft").get_json()
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
