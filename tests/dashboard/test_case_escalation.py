"""Escalating from the case page: an explicit stage, a confirmation, and one referral only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casetracker.cases import actions
from casetracker.cases.models import Case, Event
from casetracker.extensions import db
from tests import factories

REFER = "Refer {reference} to Independent recourse (BBB)"
SUBMITTED = "Leave empty to record the time you submit this form."


def _form(case, **fields) -> dict:
    return {"action": "escalate", "version": str(case.version), **fields}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _current(case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def _escalations(case) -> list[Event]:
    query = select(Event).where(Event.case_id == case.id, Event.action == "escalate")
    return list(db.session.scalars(query))


def test_the_form_asks_for_the_stage_and_a_confirmation_that_says_what_happens(web, complaint):
    web.sign_in("priya@example.com")
    page = web.get(f"/cases/{complaint.reference}").text
    select_html = re.search(r'<select id="escalate-to_stage".*?</select>', page, re.S).group(0)
    assert " required" in select_html
    assert re.search(
        r'<option value="">Choose…</option>\s*<option value="independent_recourse">', page
    )
    box = re.search(r'<input type="checkbox" id="escalate-confirm"[^>]*>', page).group(0)
    assert "required" in box
    assert "checked" not in box
    text = _text(page)
    assert REFER.format(reference=complaint.reference) in text
    assert "its deadlines start from the date of the referral" in text


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({}, {"to_stage", "confirm"}),
        ({"to_stage": "independent_recourse"}, {"confirm"}),
        ({"confirm": "yes", "body_reference": "BBB-7"}, {"to_stage"}),
    ],
    ids=["every-field-empty", "not-confirmed", "no-stage-chosen"],
)
def test_without_a_chosen_stage_and_a_confirmation_nothing_happens(web, complaint, fields, named):
    web.sign_in("priya@example.com")
    before = factories.row_counts(), complaint.version
    response = web.post(f"/cases/{complaint.reference}/actions", _form(complaint, **fields))
    assert response.status_code == 422
    page = response.text
    assert re.search(r'<details class="action" open>\s*<summary>Escalate</summary>', page)
    for name in ("to_stage", "confirm"):
        assert (f'id="escalate-{name}-error"' in page) == (name in named)
    text = _text(page)
    if "to_stage" in named:
        assert "Escalate to: choose one of the options." in text
    if "confirm" in named:
        assert "Tick the box to confirm; nothing has changed yet." in text
    case = _current(complaint)
    assert (factories.row_counts(), case.version) == before
    assert case.stage == "internal_review"


def test_a_chosen_stage_is_kept_and_named_when_the_form_comes_back(web, complaint):
    web.sign_in("priya@example.com")
    form = _form(complaint, to_stage="independent_recourse", body_reference="BBB-7")
    page = web.post(f"/cases/{complaint.reference}/actions", form).text
    assert '<option value="independent_recourse" selected>' in page
    assert 'value="BBB-7"' in page


def test_the_same_form_posted_twice_escalates_once(web, complaint):
    web.sign_in("priya@example.com")
    version = complaint.version
    form = _form(complaint, to_stage="independent_recourse", body_reference="BBB-7", confirm="yes")
    assert web.post(f"/cases/{complaint.reference}/actions", form).status_code == 302
    again = web.post(f"/cases/{complaint.reference}/actions", form)
    assert again.status_code == 409
    assert "Reload it and try again." in again.text
    case = _current(complaint)
    assert (case.stage, case.version) == ("independent_recourse", version + 1)
    [escalation] = _escalations(complaint)
    assert escalation.after["body_reference"] == "BBB-7"


def test_the_api_keeps_escalating_to_the_next_stage_by_default(api):
    case = api.create()
    case = api.act(case, "acknowledge").get_json()
    escalated = api.act(case, "escalate").get_json()
    assert escalated["stage"] == "independent_recourse"


def test_an_empty_date_field_says_the_submission_time_is_recorded(web, complaint):
    web.sign_in("priya@example.com")
    text = _text(web.get(f"/cases/{complaint.reference}").text)
    assert f"Date of the referral (optional) {SUBMITTED}" in text
    assert "Leave empty for now." not in text


@pytest.mark.parametrize(
    ("action", "name"),
    [("extend", "told_at"), ("escalate", "referred_at"), ("record_advice", "advice_at")],
)
def test_every_date_field_says_what_leaving_it_empty_records(action, name):
    [field] = [field for field in actions.BY_NAME[action].fields if field.name == name]
    assert field.hint == SUBMITTED
