"""OpenGDPR statuses: a controller is told only what happened, and a final status stays."""

from __future__ import annotations

import pytest

from casetracker.extensions import db
from casetracker.outbox import delivery
from tests.intake.conftest import REQUESTS, SPEC_EXAMPLE, post

STATUS = f"{REQUESTS}/{SPEC_EXAMPLE['subject_request_id']}"


@pytest.fixture
def case(api, callbacks):
    """An OpenGDPR request case whose controller listens for callbacks."""
    assert post(api, {**SPEC_EXAMPLE, "status_callback_urls": [callbacks.url]}).status_code == 201
    return api.get("/api/v1/cases").get_json()["items"][0]


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("complied", "completed"),
        ("partially_complied", "completed"),
        ("denied", "cancelled"),
        ("unverified", "cancelled"),
        ("withdrawn", "cancelled"),
    ],
)
def test_a_closed_request_reports_only_what_happened(api, case, callbacks, clock, outcome, status):
    response = api.act(case, "resolve", outcome=outcome, reason="decided by the team")
    assert response.status_code == 200, response.get_json()
    assert api.get(STATUS).get_json()["request_status"] == status
    delivery.deliver_due(db.session, now=clock())
    assert callbacks.statuses() == [status]


def test_a_request_redirected_to_the_client_is_not_reported_completed(api, case, callbacks, clock):
    assert api.act(case, "redirect", client="Acme GmbH").status_code == 200
    assert api.get(STATUS).get_json()["request_status"] == "cancelled"
    delivery.deliver_due(db.session, now=clock())
    assert callbacks.statuses() == ["cancelled"]


def test_completed_is_final_a_reopened_case_sends_no_new_status(
    api, dpo_api, case, callbacks, clock
):
    case = api.act(case, "acknowledge").get_json()
    case = api.act(case, "resolve", outcome="complied").get_json()
    reopened = dpo_api.act(case, "reopen", reason="a partner feed still held the address")
    assert reopened.status_code == 200
    assert api.get(STATUS).get_json()["request_status"] == "completed"
    delivery.deliver_due(db.session, now=clock())
    assert callbacks.statuses() == ["in_progress", "completed"]
