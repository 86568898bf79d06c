"""Routes and actions: the escalation path the privacy policy promises, and refusals."""

from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from casetracker import policy
from casetracker.cases import service
from casetracker.cases.actions import NAMES
from casetracker.cases.errors import StaleVersion
from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage
from casetracker.people.actors import Actor
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")


def end_of(day: date) -> datetime:
    """When a deadline on this Berlin day falls: its last second, in UTC as the API gives it."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN).astimezone(UTC)


def clocks_of(case: dict) -> dict:
    return {c["name"]: c for c in case["clocks"] if c["met_at"] is None}


def due(clock: dict) -> datetime:
    return datetime.fromisoformat(clock["due_at"])


def stamp(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


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
    assert due(running["comply_with_advice"]) == end_of(date(2026, 11, 25))  # 25 days after 31 Oct
    assert "record_advice" not in case["allowed_actions"]


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


def test_platform_data_is_redirected_to_the_client(api):
    case = api.create(data_context="platform")
    case = walk(api, case, ("redirect", {"client": "Acme Retail Ltd"}))
    assert (case["status"], case["outcome"]) == ("closed", "redirected")
    own_data = api.create(data_context="website")
    assert api.act(own_data, "redirect", client="Acme").status_code == 409


def test_request_moves_through_identity_verification(api, clock):
    case = api.create(kind="request", right="access", jurisdiction="EU")
    case = walk(api, case, ("acknowledge", {}))
    assert case["stage"] == "verifying_identity"
    assert case["allowed_actions"] == [
        "assign", "note", "hold", "extend", "resolve", "verify_identity",
    ]  # fmt: skip
    assert case["subject"]["identity_verified_at"] is None
    clock.advance(hours=2)
    case = walk(api, case, ("verify_identity", {}))
    assert case["stage"] == "in_progress"
    assert stamp(case["subject"]["identity_verified_at"]) == clock()
    case = walk(api, case, ("resolve", {"outcome": "complied"}))
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


def test_acknowledging_a_complaint_keeps_its_respond_clock(api, clock):
    case = api.create()
    respond = clocks_of(case)["respond"]
    clock.advance(hours=3)
    acknowledged = walk(api, case, ("acknowledge", {}))
    assert stamp(acknowledged["acknowledged_at"]) == clock()
    assert clocks_of(acknowledged) == {"respond": respond}


def test_escalation_keeps_the_bodys_reference_and_starts_its_clock_at_the_referral(api, clock):
    received = clock() - timedelta(days=10)
    case = api.create(jurisdiction="UK", data_context="marketing", received_at=received.isoformat())
    case = walk(api, case, ("acknowledge", {}))
    referred = datetime(2026, 10, 30, 15, 0, tzinfo=BERLIN)
    case = walk(
        api,
        case,
        ("escalate", {"body_reference": "BBB-2026-1234", "referred_at": referred.isoformat()}),
    )
    assert (case["stage"], case["body_reference"]) == ("independent_recourse", "BBB-2026-1234")
    body_reply = clocks_of(case)["body_reply"]
    assert stamp(body_reply["started_at"]) == referred
    assert due(body_reply) == end_of(date(2026, 11, 13))  # 14 days after 30 Oct


def test_escalating_to_a_stage_off_the_route_names_the_stages_it_may_go_to(api):
    case = walk(api, api.create(), ("acknowledge", {}), ("escalate", {}))
    refused = api.act(case, "escalate", to_stage="regulator")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == (
        f"{case['reference']} can only be escalated to dpa_panel or arbitration "
        "from independent_recourse"
    )


def test_a_redirected_case_records_the_client_it_went_to(api):
    case = walk(api, api.create(data_context="platform"), ("redirect", {"client": "Acme Ltd"}))
    events = api.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert (events[-1]["action"], events[-1]["after"]["redirected_to"]) == ("redirect", "Acme Ltd")


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


TEAM_CLOCKS = """
[[clocks]]
name = "review"
kind = "complaint"
duration = "30 days"
stages = ["received", "internal_review"]
starts_on = "acknowledge"
source = "Team commitment: internal review within 30 days of the acknowledgement"
"""


@pytest.fixture
def team_policy(app, tmp_path):
    """The default policy plus a clock started by acknowledging, and an extendable
    California acknowledgement: a team's own policy file."""
    text = (resources.files("casetracker.policy") / "default.toml").read_text(encoding="utf-8")
    california_ack = 'duration = "10 business days"\ncalendar = "US-CA"\n'
    assert california_ack in text
    text = text.replace(california_ack, california_ack + 'extension = "10 business days"\n', 1)
    path = tmp_path / "team.toml"
    path.write_text(text + TEAM_CLOCKS, encoding="utf-8")
    app.config["CASETRACKER_POLICY"] = str(path)
    policy.init_app(app, actions=NAMES)


def test_a_clock_the_policy_starts_on_acknowledgement_starts_then(api, clock, team_policy):
    case = api.create()
    clock.advance(days=1)
    running = clocks_of(walk(api, case, ("acknowledge", {})))
    assert set(running) == {"respond", "review"}
    assert stamp(running["review"]["started_at"]) == clock()
    assert due(running["review"]) == end_of(date(2026, 12, 3))  # 30 days after Tue 3 Nov


def test_with_two_extendable_clocks_the_extension_must_name_one(api, clock, team_policy):
    case = api.create(kind="request", right="access", jurisdiction="US-CA")
    before = clocks_of(case)
    for clock_name in (None, "deadline"):
        fields = {"reason": "Complex"} | ({"clock": clock_name} if clock_name else {})
        refused = api.act(case, "extend", **fields)
        assert refused.status_code == 409
        assert refused.get_json()["error"] == (
            "clock: say which clock to extend (acknowledge, respond)"
        )
    extended = clocks_of(walk(api, case, ("extend", {"reason": "Complex", "clock": "respond"})))
    assert extended["acknowledge"] == before["acknowledge"]
    assert extended["respond"]["original_due_at"] == before["respond"]["due_at"]
    assert due(extended["respond"]) == end_of(date(2027, 1, 31))  # 45 + 45 days after 2 Nov
