"""Each API answer carrying an individual's data (pii scope) writes one access-log row per case
or email it shows; the same request without the pii scope writes none."""

from __future__ import annotations

from tests.accesslog.conftest import Seen, log, token_label
from tests.dashboard.conftest import open_case
from tests.mail.api_support import REQUEST, download_file, upload_file
from tests.mail.views_support import receive
from tests.mail_build import tiny_pdf
from tests.mail_from_people import german_request

PDF = tiny_pdf("Ausweis")


def test_reading_a_case_with_the_pii_scope_is_recorded(owner_api, owner_token, priya, complaint):
    path = f"/api/v1/cases/{complaint.reference}"
    answer = owner_api.get(path)
    assert answer.json["subject"]["name"] == "Erika Mustermann"
    label = token_label(owner_token, priya)
    assert log() == [Seen(priya.id, label, "api", complaint.id, f"GET {path}")]
    assert answer.headers["Cache-Control"] == "private, no-store"


def test_reading_a_case_without_the_pii_scope_writes_nothing(plain_api, complaint):
    answer = plain_api.get(f"/api/v1/cases/{complaint.reference}")
    assert answer.status_code == 200
    assert "subject" not in answer.json
    assert plain_api.get(f"/api/v1/cases/{complaint.reference}/events").status_code == 200
    assert log() == []


def test_a_list_records_one_row_per_case_listed_in_one_insert(
    owner_api, plain_api, priya, complaint, clock, log_inserts
):
    second = open_case(priya, clock=clock)
    third = open_case(priya, clock=clock)
    listed = owner_api.get("/api/v1/cases?limit=2").json["items"]
    assert len(listed) == 2
    assert len(log_inserts) == 1
    seen = log()
    assert {row.case_id for row in seen} == {third.id, second.id}
    assert {(row.channel, row.what) for row in seen} == {("api", "GET /api/v1/cases")}

    assert len(plain_api.get("/api/v1/cases").json["items"]) == 3
    assert len(log()) == 2
    assert complaint.id not in {row.case_id for row in log()}


def test_an_action_answered_with_the_individuals_data_is_recorded(owner_api, priya, clock):
    case = owner_api.create(owner=priya.email)
    assert log() == [], "the answer to creating a case only gives back what the caller sent"
    acknowledged = owner_api.act(case, "acknowledge")
    assert acknowledged.json["subject"]["email"] == "erika@example.org"
    [row] = log()
    assert (row.channel, row.what) == ("api", f"POST /api/v1/cases/{case['reference']}/actions")


def test_inbox_reads_are_recorded_per_email_shown(dpo_api, dpo_token, dana, plain_api, clock):
    number = receive(german_request(), clock).id
    label = token_label(dpo_token, dana)

    assert "from" not in plain_api.get("/api/v1/inbox").json["items"][0]
    assert "body" not in plain_api.get(f"/api/v1/inbox/{number}").json
    assert log() == []

    assert dpo_api.get("/api/v1/inbox").json["items"][0]["from"] == "juergen.mueller@example.de"
    assert "Auskunft" in dpo_api.get(f"/api/v1/inbox/{number}").json["body"]
    assert log() == [
        Seen(dana.id, label, "api", None, f"GET /api/v1/inbox, email #{number}"),
        Seen(dana.id, label, "api", None, f"GET /api/v1/inbox/{number}"),
    ]


def test_opening_a_case_from_an_email_is_recorded_against_the_new_case(
    dpo_api, plain_api, dana, clock
):
    number = receive(german_request(), clock).id
    opened = dpo_api.post(f"/api/v1/inbox/{number}/open", json={**REQUEST, "owner": dana.email})
    assert opened.status_code == 201
    [row] = log()
    assert row.what == f"POST /api/v1/inbox/{number}/open"
    assert row.case_id is not None

    messages = f"/api/v1/cases/{opened.json['reference']}/messages"
    assert "body" not in plain_api.get(messages).json["items"][0]
    assert len(log()) == 1
    assert "Auskunft" in dpo_api.get(messages).json["items"][0]["body"]
    assert log()[1:] == [Seen(dana.id, row.actor, "api", row.case_id, f"GET {messages}")]


def test_each_download_through_the_api_is_recorded(
    owner_api, plain_api, priya, complaint, attachments
):
    uploaded = upload_file(owner_api, complaint.reference, PDF).json
    assert log() == [], "the answer to an upload only gives back the caller's own file name"

    assert download_file(plain_api, uploaded["id"]).status_code == 403
    assert log() == []
    assert download_file(owner_api, uploaded["id"]).data == PDF
    [row] = log()
    assert (row.staff_id, row.channel, row.case_id) == (priya.id, "api", complaint.id)
    assert row.what == f"GET /api/v1/attachments/{uploaded['id']}"


def test_task_notes_go_out_with_the_pii_scope_only_and_are_recorded(in_work, dpo_api, plain_api):
    case = in_work()
    path = f"/api/v1/cases/{case['reference']}/tasks"
    crm = dpo_api.get(path).json["items"][0]["id"]
    assert log()[-1].what == f"POST /api/v1/cases/{case['reference']}/actions"
    before = len(log())
    changed = dpo_api.post(f"{path}/{crm}", json={"status": "blocked", "note": "Two Erikas?"})
    assert changed.json["note"] == "Two Erikas?"
    assert len(log()) == before + 1

    assert [t["note"] for t in plain_api.get(path).json["items"]] == [None, None]
    assert len(log()) == before + 1
    assert dpo_api.get(path).json["items"][0]["note"] == "Two Erikas?"
    assert log()[-1].what == f"GET {path}"
    assert len(log()) == before + 2
