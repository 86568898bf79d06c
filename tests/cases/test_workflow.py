"""Routes and actions: the escalation path the privacy policy promises, and refusals."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from casetracker.cases import service
from casetracker.cases.errors import StaleVersion
from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage
from casetracker.people.actors import Actor
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")


def walk(api, case, *actions):
    for action, fields in actions:
        response = api.act(case, action, **fields)
        assert response.status_code == 200, response.get_json()
        case = response.get_json()
    return case


@pytest.mark.parametrize("context", ["recruiting", "employment"])
def test_hr_complaint_goes_to_the_dpa_panel_then_arbitration(api, context):
    case = api.create(jurisdiction="EU", data_context=context)
    assert case["route"] == "dpf_hr"
    case = walk(api, case, ("acknowledge", {}))
    refused = api.act(case, "escalate", to_stage="independent_recourse")
    assert refused.status_code == 409
    case = walk(api, case, ("escalate", {"body_reference": "DPA-PANEL-77"}))
    assert case["stage"] == "dpa_panel"
    case = walk(api, case, ("escalate", {}))
    assert case["stage"] == "arbitration"
    assert "escalate" not in case["allowed_actions"]


def test_non_hr_complaint_goes_through_the_independent_body(api):
    case = api.create(jurisdiction="UK", data_context="marketing")
    assert case["route"] == "dpf"
    case = walk(api, case, ("acknowledge", {}), ("escalate", {"body_reference": "BBB-1"}))
    assert case["stage"] == "independent_recourse"
    assert {c["name"] for c in case["clocks"] if not c["met_at"]} == {"body_reply"}
    case = walk(api, case, ("escalate", {}))
    assert case["stage"] == "dpa_panel"
    case = walk(api, case, ("escalate", {}))
    assert case["stage"] == "arbitration"


def test_arbitration_may_follow_the_independent_body_when_the_panel_is_skipped(api):
    case = api.create(jurisdiction="CH", data_context="website")
    case = walk(
        api,
        case,
        ("acknowledge", {}),
        ("escalate", {}),
        ("escalate", {"to_stage": "arbitration"}),
    )
    assert case["stage"] == "arbitration"


def test_arbitration_is_never_reached_straight_from_internal_review(api):
    case = walk(api, api.create(jurisdiction="EU"), ("acknowledge", {}))
    before = factories.row_counts()
    refused = api.act(case, "escalate", to_stage="arbitration")
    assert refused.status_code == 409
    assert "independent_recourse" in refused.get_json()["error"]
    assert factories.row_counts() == before


def test_brazilian_complaint_escalates_to_the_regulator(api):
    case = walk(api, api.create(jurisdiction="BR"), ("acknowledge", {}), ("escalate", {}))
    assert case["stage"] == "regulator"


def test_advice_starts_the_25_day_compliance_clock(api, clock):
    received = clock() - timedelta(days=10)
    case = api.create(
        jurisdiction="EU", data_context="employment", received_at=received.isoformat()
    )
    case = walk(api, case, ("acknowledge", {}), ("escalate", {}))
    advice_at = clock() - timedelta(days=2)
    case = walk(api, case, ("record_advice", {"advice_at": advice_at.isoformat()}))
    running = {c["name"]: c for c in case["clocks"] if not c["met_at"]}
    assert set(running) == {"comply_with_advice"}
    due = datetime.fromisoformat(running["comply_with_advice"]["due_at"])
    assert due.astimezone(BERLIN).date() == advice_at.astimezone(BERLIN).date() + timedelta(25)
    assert "record_advice" not in case["allowed_actions"]


def test_an_action_the_stage_does_not_allow_is_refused_and_changes_nothing(api):
    case = api.create()
    before = factories.row_counts()
    response = api.act(case, "record_advice")
    assert response.status_code == 409
    body = response.get_json()
    assert "received" in body["error"]
    assert body["allowed_actions"] == case["allowed_actions"]
    assert factories.row_counts() == before
    assert api.get(f"/api/v1/cases/{case['reference']}").get_json()["version"] == case["version"]


def test_platform_data_is_redirected_to_the_client(api):
    case = api.create(data_context="platform")
    case = walk(api, case, ("redirect", {"client": "Acme Retail Ltd"}))
    assert (case["status"], case["outcome"]) == ("closed", "redirected")
    own_data = api.create(data_context="website")
    assert api.act(own_data, "redirect", client="Acme").status_code == 409


def test_request_moves_through_identity_verification(api):
    case = api.create(kind="request", right="access", jurisdiction="EU")
    case = walk(api, case, ("acknowledge", {}))
    assert case["stage"] == "verifying_identity"
    case = walk(api, case, ("verify_identity", {}), ("resolve", {"outcome": "complied"}))
    assert (case["stage"], case["outcome"]) == ("closed", "complied")


def test_opt_out_needs_no_identity_check(api):
    case = api.create(kind="request", right="opt_out", jurisdiction="US-CA")
    assert walk(api, case, ("acknowledge", {}))["stage"] == "in_progress"


def test_outcome_must_fit_the_kind(api):
    response = api.act(api.create(), "resolve", outcome="complied")
    assert response.status_code == 422
    assert "outcome" in response.get_json()["errors"]


def test_only_the_dpo_reopens(api, dpo_api):
    case = walk(api, api.create(), ("acknowledge", {}), ("resolve", {"outcome": "resolved"}))
    refused = api.act(case, "reopen", reason="New evidence")
    assert refused.status_code == 403
    assert "reopen" not in case["allowed_actions"]
    reopened = dpo_api.act(case, "reopen", reason="New evidence from the complainant")
    assert reopened.status_code == 200
    body = reopened.get_json()
    assert (body["status"], body["stage"]) == ("open", "internal_review")
    assert any(c["name"] == "respond" and not c["met_at"] for c in body["clocks"])


def test_assignment_notifies_the_new_owner_without_personal_data(api, dpo):
    case = api.create()
    walk(api, case, ("assign", {"owner": dpo.email}))
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "case_assigned")
    ).one()
    assert message.recipient == f"staff:{dpo.id}"
    text = str(message.payload)
    assert case["reference"] in text
    for personal in ("Erika", "erika@example.org", "Newsletter"):
        assert personal not in text


def test_escalation_notifies_the_dpo(api, dpo):
    walk(api, api.create(), ("acknowledge", {}), ("escalate", {"body_reference": "BBB-9"}))
    recipients = db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.topic == "case_escalated")
    ).all()
    assert recipients == [f"staff:{dpo.id}"]


def test_snoozing_reminders_keeps_the_deadline_and_is_audited(app, api, staff, clock):
    case = api.create()
    due = {c["name"]: c["due_at"] for c in case["clocks"]}["respond"]
    snoozed = service.perform(
        db.session, reference=case["reference"], action="snooze", version=case["version"],
        params={"clock": "respond"}, actor=Actor.for_staff(staff), source="slack",
    )  # fmt: skip
    respond = next(c for c in snoozed.clocks if c.name == "respond")
    assert respond.snoozed_until == clock() + timedelta(days=1)
    assert respond.due_at.isoformat() == due
    events = api.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert events[-1]["action"] == "snooze"
    assert "respond reminders snoozed until" in events[-1]["reason"]
    with pytest.raises(StaleVersion):
        service.perform(
            db.session, reference=case["reference"], action="snooze", version=case["version"],
            params={"clock": "respond"}, actor=Actor.for_staff(staff), source="slack",
        )  # fmt: skip


def test_reopening_restarts_the_clocks_the_closing_stopped(api, dpo_api, clock):
    case = api.create(data_context="platform")
    case = walk(api, case, ("redirect", {"client": "Acme Retail Ltd"}))
    clock.advance(days=3)
    reopened = dpo_api.act(case, "reopen", reason="The client says it is our data").get_json()
    running = {c["name"] for c in reopened["clocks"] if not c["met_at"]}
    assert (reopened["stage"], running) == ("received", {"acknowledge", "respond"})


def test_reopening_after_panel_advice_restarts_the_compliance_clock(api, dpo_api):
    case = api.create(jurisdiction="EU", data_context="employment")
    case = walk(
        api, case, ("acknowledge", {}), ("escalate", {}), ("record_advice", {}),
        ("resolve", {"outcome": "resolved"}),
    )  # fmt: skip
    reopened = dpo_api.act(case, "reopen", reason="Advice not fully applied").get_json()
    running = {c["name"] for c in reopened["clocks"] if not c["met_at"]}
    assert running == {"comply_with_advice"}
