"""Asking the individual a question from the case page (cases filed through the public form)."""

from __future__ import annotations

import re

from sqlalchemy import select

from casetracker.cases.models import Event
from casetracker.extensions import db
from casetracker.intake import service as intake
from casetracker.outbox.models import OutboxMessage

from .conftest import act

QUESTION = "Please send a copy of an ID document so we can confirm it is you."


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _filed_through_the_form(**answers):
    fields = {
        "kind": "request",
        "right": "access",
        "country": "DE",
        "data_context": "marketing",
        "description": "Please send me a copy of everything you hold about me.",
        "name": "Erika Mustermann",
        "email": "erika@example.org",
        **answers,
    }
    case, _ = intake.submit(db.session, answers=fields, language="de")
    return case


def _clarification_emails():
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.topic == "email_clarification")
    return list(db.session.scalars(query))


def _actions(case):
    query = select(Event.action).where(Event.case_id == case.id).order_by(Event.id)
    return list(db.session.scalars(query))


def test_staff_ask_the_individual_and_the_timeline_says_who_asked(web, priya):
    case = _filed_through_the_form()
    web.sign_in(priya.email)
    page = web.get(f"/cases/{case.reference}").text
    assert "Ask the individual a question" in page

    response = web.post(f"/cases/{case.reference}/question", {"question": QUESTION})
    assert response.status_code == 302
    [email] = _clarification_emails()
    assert email.payload["question"] == QUESTION
    assert email.payload["language"] == "de"
    assert _actions(case)[-1] == "ask_individual"

    page = _text(web.get(f"/cases/{case.reference}").text)
    assert "Your question will be emailed to the individual." in page
    assert "Question to the individual" in page
    assert f"by {priya.name}" in page
    assert QUESTION not in page  # the question stays in the email, not the audit trail


def test_the_same_question_sent_twice_is_one_email(web, priya):
    case = _filed_through_the_form()
    web.sign_in(priya.email)
    web.post(f"/cases/{case.reference}/question", {"question": QUESTION})
    web.post(f"/cases/{case.reference}/question", {"question": QUESTION})
    assert len(_clarification_emails()) == 1
    assert _actions(case).count("ask_individual") == 1
    page = web.get(f"/cases/{case.reference}").text
    assert "That question is already waiting to be emailed." in page
    web.post(f"/cases/{case.reference}/question", {"question": "And your address, please?"})
    assert len(_clarification_emails()) == 2


def test_an_empty_question_is_named_next_to_the_field_and_nothing_is_queued(web, priya):
    case = _filed_through_the_form()
    web.sign_in(priya.email)
    response = web.post(f"/cases/{case.reference}/question", {"question": "   "})
    assert response.status_code == 422
    assert 'id="question-error"' in response.text
    assert "write the question (1 to 2000 characters)" in response.text
    assert _clarification_emails() == []
    assert "ask_individual" not in _actions(case)


def test_no_question_form_for_cases_not_filed_through_the_form(web, priya, complaint):
    web.sign_in(priya.email)
    assert "Ask the individual a question" not in web.get(f"/cases/{complaint.reference}").text
    response = web.post(f"/cases/{complaint.reference}/question", {"question": QUESTION})
    assert response.status_code == 422
    assert "was not filed through the form" in response.text
    assert _clarification_emails() == []


def test_no_question_once_the_case_is_closed(web, priya):
    case = _filed_through_the_form()
    act(case, "resolve", priya, outcome="complied")
    web.sign_in(priya.email)
    assert "Ask the individual a question" not in web.get(f"/cases/{case.reference}").text
    response = web.post(f"/cases/{case.reference}/question", {"question": QUESTION})
    assert response.status_code == 422
    assert "is closed; reopen it to ask" in response.text
    assert _clarification_emails() == []
