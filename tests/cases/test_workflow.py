"""Routes and stage transitions: the escalation path the privacy policy promises and its clocks."""

from datetime import date, datetime, timedelta
from importlib import resources

import pytest
from sqlalchemy import select

from casetracker import policy
from casetracker.cases.actions import NAMES
from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage
from tests import factories
from tests.cases.workflow_support import BERLIN, clocks_of, due, end_of, stamp, walk


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
