"""Modals: /case new opens a case like the API does; /case resolve closes one; field errors."""

import pytest

from casetracker.cases import service as case_service
from casetracker.extensions import db
from tests import factories
from tests.slackbot.conftest import CASES_CHANNEL, MODAL_SUBJECT, MODAL_SUMMARY, submission

NEW_CASE = {
    "kind": "complaint",
    "jurisdiction": "UK",
    "data_context": "employment",
    "channel": "letter",
    "summary": MODAL_SUMMARY,
    "subject.name": MODAL_SUBJECT["name"],
    "subject.email": MODAL_SUBJECT["email"],
    "subject.country": MODAL_SUBJECT["country"],
}


def opened_modal(slack, fake_slack, text):
    response = slack.command(text)
    assert response.status_code == 200
    (call,) = fake_slack.called("views.open")
    assert call["trigger_id"].startswith("trigger.")
    return call["view"]


def test_new_case_modal_opens_a_case_with_the_same_clocks_as_the_api(slack, fake_slack, api, staff):
    view = opened_modal(slack, fake_slack, "new")
    response = slack.interact(submission(view, NEW_CASE))
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["response_action"] == "update"
    reference = answer["view"]["blocks"][0]["text"]["text"].split("*")[1]
    from_slack = api.get(f"/api/v1/cases/{reference}").get_json()
    from_api = api.create(
        kind="complaint",
        jurisdiction="UK",
        data_context="employment",
        channel="letter",
        summary=MODAL_SUMMARY,
        subject=MODAL_SUBJECT,
    )
    clocks = [(c["name"], c["due_at"]) for c in from_slack["clocks"]]
    assert clocks == [(c["name"], c["due_at"]) for c in from_api["clocks"]]
    assert from_slack["route"] == from_api["route"] == "dpf_hr"
    assert from_slack["subject"]["email"] == MODAL_SUBJECT["email"]
    announced = [m for m in fake_slack.called("chat.postMessage") if reference in m["text"]]
    assert [m["channel"] for m in announced] == [CASES_CHANNEL]


def test_new_case_modal_shows_field_errors_inline_and_opens_nothing(slack, fake_slack, staff):
    view = opened_modal(slack, fake_slack, "new")
    values = {**NEW_CASE, "summary": None, "subject.email": "not-an-email", "subject.country": "XX"}
    before = factories.row_counts()
    answer = slack.interact(submission(view, values)).get_json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"summary", "subject.email", "subject.country"}
    assert "Not a valid email address" in answer["errors"]["subject.email"]
    assert "unknown country code 'XX'" in answer["errors"]["subject.country"]
    answer = slack.interact(submission(view, {**NEW_CASE, "kind": "request"})).get_json()
    assert answer == {"response_action": "errors", "errors": {"right": "required for a request"}}
    assert factories.row_counts() == before


def test_new_case_submission_replayed_three_times_opens_one_case(slack, fake_slack, staff):
    view = opened_modal(slack, fake_slack, "new")
    payload = submission(view, NEW_CASE)
    answers = [
        slack.interact(payload, headers={"X-Slack-Retry-Num": str(n)} if n else None).get_json()
        for n in range(3)
    ]
    assert factories.row_counts()[0] == 1
    assert "is open" in answers[0]["view"]["blocks"][0]["text"]["text"]
    assert all("Already opened" in a["view"]["blocks"][0]["text"]["text"] for a in answers[1:])
    assert len(fake_slack.called("chat.postMessage")) == 1


def test_resolve_modal_closes_the_case_once_however_often_submitted(slack, fake_slack, api, staff):
    case = api.create(owner=staff.email)
    view = opened_modal(slack, fake_slack, f"resolve {case['reference']}")
    options = [o["value"] for o in view["blocks"][0]["element"]["options"]]
    assert options == ["resolved", "not_upheld", "withdrawn"]
    payload = submission(view, {"outcome": "not_upheld", "reason": "no processing found"})
    answers = [
        slack.interact(payload, headers={"X-Slack-Retry-Num": str(n)} if n else None).get_json()
        for n in range(3)
    ]
    assert "closed as `not_upheld`" in answers[0]["view"]["blocks"][0]["text"]["text"]
    assert all("already resolved" in a["view"]["blocks"][0]["text"]["text"] for a in answers[1:])
    events = case_service.events_of(db.session, reference=case["reference"])
    assert [e.action for e in events] == ["create", "resolve"]


def test_resolve_modal_refuses_an_outcome_of_the_other_kind(slack, fake_slack, api, staff):
    case = api.create(owner=staff.email)
    view = opened_modal(slack, fake_slack, f"resolve {case['reference']}")
    answer = slack.interact(submission(view, {"outcome": "complied"})).get_json()
    assert answer == {
        "response_action": "errors",
        "errors": {"outcome": "a complaint closes as one of: resolved, not_upheld, withdrawn"},
    }


def test_resolve_modal_after_a_colleague_changed_the_case(slack, fake_slack, api, staff):
    case = api.create(owner=staff.email)
    view = opened_modal(slack, fake_slack, f"resolve {case['reference']}")
    api.act(case, "note", text="called back")
    answer = slack.interact(submission(view, {"outcome": "resolved"})).get_json()
    assert answer["response_action"] == "errors"
    assert "someone else changed" in answer["errors"]["outcome"]


@pytest.mark.parametrize("text", ["new", "resolve PC-2026-00001"])
def test_a_stranger_gets_no_modal(slack, fake_slack, api, staff, text):
    api.create()
    response = slack.command(text, user="U0STRANGER")
    assert "not linked" in response.get_json()["text"]
    assert fake_slack.called("views.open") == []
