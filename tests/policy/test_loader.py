"""The default policy: routes, clocks, bodies, reminders and retention, as the law sets them."""

from datetime import timedelta
from importlib import resources

import pytest

from casetracker.cases.actions import NAMES
from casetracker.deadlines import Duration
from casetracker.policy import (
    DATA_CONTEXTS,
    HR_CONTEXTS,
    JURISDICTIONS,
    KINDS,
    RIGHTS,
    load_policy,
)

DEFAULT_TEXT = (resources.files("casetracker.policy") / "default.toml").read_text(encoding="utf-8")


@pytest.fixture
def policy():
    # Loaded per test (2-3 ms), not per module: then every test depends on the loading it checks.
    return load_policy(actions=NAMES)


def test_default_policy_loads_from_the_package(policy):
    assert policy.source_path.endswith("default.toml")
    assert set(policy.routes) == {"dpf", "dpf_hr", "lgpd", "internal", "dsr"}


@pytest.mark.parametrize(
    ("kind", "jurisdiction", "data_context", "route"),
    [
        ("complaint", "EU", "website", "dpf"),
        ("complaint", "UK", "platform", "dpf"),
        ("complaint", "CH", "marketing", "dpf"),
        ("complaint", "EU", "recruiting", "dpf_hr"),
        ("complaint", "UK", "employment", "dpf_hr"),
        ("complaint", "CH", "employment", "dpf_hr"),
        ("complaint", "BR", "employment", "lgpd"),
        ("complaint", "BR", "website", "lgpd"),
        ("complaint", "US-CA", "website", "internal"),
        ("complaint", "OTHER", "marketing", "internal"),
        ("request", "EU", "employment", "dsr"),
        ("request", "US-CA", "platform", "dsr"),
        ("request", "OTHER", "website", "dsr"),
    ],
)
def test_route_for_picks_the_first_matching_rule(policy, kind, jurisdiction, data_context, route):
    chosen = policy.route_for(kind=kind, jurisdiction=jurisdiction, data_context=data_context)
    assert chosen.name == route
    assert chosen.kind == kind


@pytest.mark.parametrize("jurisdiction", ["EU", "UK", "CH"])
@pytest.mark.parametrize("data_context", sorted(HR_CONTEXTS))
def test_hr_complaints_never_reach_the_independent_body(policy, jurisdiction, data_context):
    route = policy.route_for(kind="complaint", jurisdiction=jurisdiction, data_context=data_context)
    assert route.name == "dpf_hr"
    assert not route.contains("independent_recourse")
    assert route.escalation_targets("internal_review") == ("dpa_panel",)


@pytest.mark.parametrize(
    ("route", "stage", "targets"),
    [
        ("dpf", "received", ()),
        ("dpf", "internal_review", ("independent_recourse",)),
        ("dpf", "independent_recourse", ("dpa_panel", "arbitration")),
        ("dpf", "dpa_panel", ("arbitration",)),
        ("dpf", "arbitration", ()),
        ("dpf", "regulator", ()),
        ("dpf_hr", "internal_review", ("dpa_panel",)),
        ("dpf_hr", "dpa_panel", ("arbitration",)),
        ("lgpd", "internal_review", ("regulator",)),
        ("internal", "internal_review", ()),
        ("dsr", "verifying_identity", ("in_progress",)),
    ],
)
def test_escalation_targets(policy, route, stage, targets):
    assert policy.route(route).escalation_targets(stage) == targets


def test_route_lists_its_stages(policy):
    assert policy.route("dsr").stages == ("received", "verifying_identity", "in_progress")
    assert [step.optional for step in policy.route("dpf").steps] == [
        False,
        False,
        False,
        True,
        False,
    ]
    assert policy.route("dsr").description == "Data-subject request: verify identity, then fulfil"


@pytest.mark.parametrize(
    ("kind", "jurisdiction", "right", "name", "duration", "extension", "calendar"),
    [
        ("complaint", "EU", None, "acknowledge", "5 business days", None, "US-NY"),
        ("complaint", "EU", None, "respond", "45 days", None, None),
        ("complaint", "UK", None, "acknowledge", "30 days", None, None),
        ("complaint", "BR", None, "respond", "45 days", None, None),
        ("complaint", "CH", None, "comply_with_advice", "25 days", None, None),
        ("request", "EU", "access", "acknowledge", "5 business days", None, "US-NY"),
        ("request", "EU", "access", "respond", "1 month", "2 months", "DE"),
        ("request", "UK", "erasure", "respond", "1 month", "2 months", "GB-ENG"),
        ("request", "CH", "access", "respond", "30 days", "30 days", None),
        ("request", "BR", "access", "respond", "15 days", None, None),
        ("request", "US-CA", "access", "acknowledge", "10 business days", None, "US-CA"),
        ("request", "US-CA", "access", "respond", "45 days", "45 days", None),
        ("request", "US-CA", "opt_out", "respond", "15 business days", None, "US-CA"),
        ("request", "US-CA", "limit_sensitive", "respond", "15 business days", None, "US-CA"),
        ("request", "OTHER", None, "respond", "1 month", "2 months", None),
    ],
)
def test_clocks_for_resolves_the_most_specific_rule(
    policy, kind, jurisdiction, right, name, duration, extension, calendar
):
    clocks = {
        c.name: c for c in policy.clocks_for(kind=kind, jurisdiction=jurisdiction, right=right)
    }
    rule = clocks[name].rule
    assert rule.duration == Duration.parse(duration)
    assert rule.extension == (extension and Duration.parse(extension))
    assert rule.calendar == calendar


@pytest.mark.parametrize(
    ("jurisdiction", "roll_forward", "pausable"),
    [("EU", True, True), ("UK", True, True), ("CH", False, False), ("BR", False, False)],
)
def test_only_gdpr_respond_clocks_roll_forward_and_pause(
    policy, jurisdiction, roll_forward, pausable
):
    (respond,) = (
        c
        for c in policy.clocks_for(kind="request", jurisdiction=jurisdiction, right="access")
        if c.name == "respond"
    )
    assert (respond.rule.roll_forward, respond.rule.pausable) == (roll_forward, pausable)


def test_complaint_clocks_come_one_per_name_in_file_order(policy):
    clocks = policy.clocks_for(kind="complaint", jurisdiction="UK")
    assert [c.name for c in clocks] == [
        "acknowledge",
        "respond",
        "body_reply",
        "panel_advice",
        "comply_with_advice",
        "arbitration",
    ]
    by_name = {c.name: c for c in clocks}
    assert by_name["acknowledge"].met_by == ("acknowledge",)
    assert by_name["respond"].stages == ("received", "internal_review")
    assert by_name["panel_advice"].met_by == ("record_advice",)
    assert by_name["comply_with_advice"].starts_on == "record_advice"


def test_every_case_gets_a_cited_respond_clock(policy):
    for kind in KINDS:
        for jurisdiction in JURISDICTIONS:
            for right in RIGHTS if kind == "request" else [None]:
                clocks = policy.clocks_for(kind=kind, jurisdiction=jurisdiction, right=right)
                assert "respond" in [c.name for c in clocks]
                assert all(c.source.strip() for c in clocks)


def test_unconfirmed_numbers_say_so(policy):
    (acknowledge, *_) = policy.clocks_for(kind="complaint", jurisdiction="EU")
    assert "default, unconfirmed" in acknowledge.source


@pytest.mark.parametrize(
    ("right", "required"),
    [("opt_out", False), ("limit_sensitive", False), ("access", True), ("erasure", True)],
)
def test_identity_required(policy, right, required):
    assert policy.identity_required(right=right) is required


@pytest.mark.parametrize(
    ("stage", "jurisdiction", "body"),
    [
        ("independent_recourse", "EU", "BBB National Programs (Data Privacy Framework Services)"),
        ("dpa_panel", "EU", "EU DPA panel"),
        ("dpa_panel", "UK", "Information Commissioner's Office (ICO)"),
        ("dpa_panel", "CH", "Federal Data Protection and Information Commissioner (FDPIC)"),
        ("regulator", "BR", "Autoridade Nacional de Proteção de Dados (ANPD)"),
        ("arbitration", "UK", "Data Privacy Framework arbitration panel (Annex I)"),
        ("internal_review", "EU", None),
    ],
)
def test_body_for(policy, stage, jurisdiction, body):
    assert policy.body_for(stage=stage, jurisdiction=jurisdiction) == body


def test_each_stage_names_its_bodies_by_jurisdiction_without_the_citation(policy):
    assert set(policy.bodies) == {"independent_recourse", "dpa_panel", "regulator", "arbitration"}
    assert dict(policy.bodies["dpa_panel"]) == {
        "EU": "EU DPA panel",
        "UK": "Information Commissioner's Office (ICO)",
        "CH": "Federal Data Protection and Information Commissioner (FDPIC)",
    }
    assert dict(policy.bodies["arbitration"]) == {
        "default": "Data Privacy Framework arbitration panel (Annex I)"
    }


def test_only_platform_data_is_redirectable(policy):
    assert [c for c in DATA_CONTEXTS if policy.is_redirectable(c)] == ["platform"]


def test_reminders_and_retention(policy):
    assert policy.reminders.before_due == (timedelta(days=7), timedelta(days=2))
    assert policy.reminders.at_due
    assert policy.reminders.overdue_every == timedelta(days=1)
    assert policy.reminders.dpo_when_overdue
    assert policy.retention.closed_case_pii == Duration(24, "months")
