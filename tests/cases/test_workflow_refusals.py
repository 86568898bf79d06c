"""Holds, extensions, reopening and refusals: what a case may not do, and how it resumes."""

from datetime import date, timedelta

import pytest

from casetracker.cases import service
from casetracker.cases.errors import StaleVersion
from casetracker.extensions import db
from casetracker.people.actors import Actor
from tests import factories
from tests.cases.workflow_support import clocks_of, due, end_of, stamp, walk


def test_an_action_the_stage_does_not_allow_is_refused_and_changes_nothing(api):
    case = api.create()
    before = factories.row_counts()
    response = api.act(case, "record_advice")
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == (
        f"cannot record_advice {case['reference']}: the case is open at stage received"
    )
    assert body["allowed_actions"] == case["allowed_actions"]
    assert factories.row_counts() == before
    assert api.get(f"/api/v1/cases/{case['reference']}").get_json()["version"] == case["version"]


def test_outcome_must_fit_the_kind(api):
    response = api.act(api.create(), "resolve", outcome="complied")
    assert response.status_code == 422
    assert "outcome" in response.get_json()["errors"]


def test_only_the_dpo_reopens(api, dpo_api):
    case = walk(api, api.create(), ("acknowledge", {}), ("resolve", {"outcome": "resolved"}))
    refused = api.act(case, "reopen", reason="New evidence")
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "only the DPO may reopen a case"
    assert case["allowed_actions"] == ["note"]
    assert dpo_api.get(f"/api/v1/cases/{case['reference']}").get_json()["allowed_actions"] == [
        "note",
        "reopen",
    ]
    reopened = dpo_api.act(case, "reopen", reason="New evidence from the complainant")
    assert reopened.status_code == 200
    body = reopened.get_json()
    assert (body["status"], body["stage"]) == ("open", "internal_review")
    assert any(c["name"] == "respond" and not c["met_at"] for c in body["clocks"])


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
    # 09:00 UTC is 10:00 in Berlin, the team's time zone.
    assert events[-1]["reason"] == "respond reminders snoozed until 03 Nov 2026 10:00"
    with pytest.raises(StaleVersion):
        service.perform(
            db.session, reference=case["reference"], action="snooze", version=case["version"],
            params={"clock": "respond"}, actor=Actor.for_staff(staff), source="slack",
        )  # fmt: skip


def test_reopening_restarts_the_clocks_the_closing_stopped(api, dpo_api, clock):
    case = api.create(data_context="platform")
    case = walk(api, case, ("redirect", {"client": "Acme Retail Ltd"}))
    clock.advance(days=3)  # Thu 5 Nov 2026, 10:00 in Berlin
    reopened = dpo_api.act(case, "reopen", reason="The client says it is our data").get_json()
    running = clocks_of(reopened)
    assert (reopened["stage"], set(running)) == ("received", {"acknowledge", "respond"})
    assert (reopened["status"], reopened["outcome"], reopened["closed_at"]) == ("open", None, None)
    # Counted afresh from the reopening: 5 New York business days (not Veterans Day, 11 Nov)
    # and 45 calendar days.
    assert due(running["acknowledge"]) == end_of(date(2026, 11, 13))
    assert due(running["respond"]) == end_of(date(2026, 12, 20))
    assert stamp(running["respond"]["started_at"]) == clock()


def test_reopening_a_case_closed_with_no_clock_running_starts_none(api, dpo_api):
    # At the Brazilian regulator no clock of ours runs, so the closing stopped none.
    case = walk(
        api, api.create(jurisdiction="BR"), ("acknowledge", {}), ("escalate", {}),
        ("resolve", {"outcome": "resolved"}),
    )  # fmt: skip
    reopened = dpo_api.act(case, "reopen", reason="The ANPD asked again").get_json()
    assert (reopened["stage"], clocks_of(reopened), reopened["next_due_at"]) == (
        "regulator",
        {},
        None,
    )


def test_reopening_after_panel_advice_restarts_the_compliance_clock(api, dpo_api):
    case = api.create(jurisdiction="EU", data_context="employment")
    case = walk(
        api, case, ("acknowledge", {}), ("escalate", {}), ("record_advice", {}),
        ("resolve", {"outcome": "resolved"}),
    )  # fmt: skip
    reopened = dpo_api.act(case, "reopen", reason="Advice not fully applied").get_json()
    running = {c["name"] for c in reopened["clocks"] if not c["met_at"]}
    assert running == {"comply_with_advice"}


def test_a_case_on_hold_says_why_and_allows_only_what_a_held_case_may_do(api, clock):
    case = api.create()
    held = walk(api, case, ("hold", {"reason": "Waiting for the screenshots"}))
    assert (held["status"], held["hold_reason"]) == ("on_hold", "Waiting for the screenshots")
    assert held["allowed_actions"] == ["assign", "note", "resume", "resolve"]
    assert api.act(held, "acknowledge").get_json()["error"] == (
        f"cannot acknowledge {case['reference']}: the case is on_hold at stage received"
    )
    resumed = walk(api, held, ("resume", {}))
    assert (resumed["status"], resumed["hold_reason"]) == ("open", None)
    assert resumed["allowed_actions"] == case["allowed_actions"]


def test_a_closed_case_refuses_a_change_saying_it_is_closed(api):
    case = walk(api, api.create(), ("resolve", {"outcome": "resolved"}))
    refused = api.act(case, "hold", reason="Too late")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == f"cannot hold {case['reference']}: the case is closed"


def test_assigning_a_case_to_its_owner_is_refused(api, staff):
    case = api.create(owner=staff.email)
    refused = api.act(case, "assign", owner=staff.email)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == f"sam@example.com already owns {case['reference']}"


def test_an_extension_records_why_and_when_the_individual_was_told(api, clock):
    case = api.create(kind="request", right="access", jurisdiction="US-CA")
    clock.advance(hours=2)
    told = clock() - timedelta(hours=1)
    extended = walk(api, case, ("extend", {"reason": "Three systems", "told_at": told.isoformat()}))
    respond = clocks_of(extended)["respond"]
    assert (respond["extension_reason"], stamp(respond["extension_told_at"])) == (
        "Three systems",
        told,
    )
    other = walk(api, api.create(kind="request", right="access", jurisdiction="US-CA"), (
        "extend", {"reason": "Told on the phone just now"},
    ))  # fmt: skip
    assert stamp(clocks_of(other)["respond"]["extension_told_at"]) == clock()


def test_an_admin_works_a_case_like_staff_but_cannot_reopen(client, api):
    admin = factories.staff(email="ada@example.com", name="Ada Admin", role="admin")
    admin_api = factories.ApiClient(client, factories.token(admin, scopes=["pii"]))
    case = api.create(data_context="platform")
    seen = admin_api.get(f"/api/v1/cases/{case['reference']}").get_json()
    assert seen["allowed_actions"] == case["allowed_actions"]
    acknowledged = walk(admin_api, case, ("acknowledge", {}))
    assert acknowledged["stage"] == "internal_review"
    closed = walk(admin_api, acknowledged, ("resolve", {"outcome": "resolved"}))
    refused = admin_api.act(closed, "reopen", reason="admin")
    assert (refused.status_code, refused.get_json()["error"]) == (
        403,
        "only the DPO may reopen a case",
    )
