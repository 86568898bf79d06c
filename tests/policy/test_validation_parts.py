"""Each part of the parsed policy is checked and named when wrong; what may be left out defaults."""

import tomllib
from datetime import timedelta

import pytest

from casetracker.cases.actions import NAMES
from casetracker.policy import (
    DATA_CONTEXTS,
    JURISDICTIONS,
    KINDS,
    RIGHTS,
    PolicyError,
)
from casetracker.policy.loader import build_policy
from tests.policy.validation_support import DEFAULT_TEXT, HINT, ROUTE_STAGES, known


def edited(change):
    """Build the default policy after change(data) edited its parsed TOML in place."""
    data = tomllib.loads(DEFAULT_TEXT)
    change(data)
    return build_policy(data, source_path="policy.toml", actions=NAMES)


def _set(*path_and_value):
    *path, key, value = path_and_value

    def change(data):
        for part in path:
            data = data[part]
        data[key] = value

    return change


def _delete(*path):
    *path, key = path

    def change(data):
        for part in path:
            data = data[part]
        del data[key]

    return change


def _append(*path_and_value):
    *path, value = path_and_value

    def change(data):
        for part in path:
            data = data[part]
        data.append(value)

    return change


REFUSED = {
    "no-route": (_set("routes", {}), "routes: define at least one route"),
    "unknown-key-in-a-route": (
        _set("routes", "dpf", "owner", "x"),
        "routes.dpf.owner: unknown key",
    ),
    "unknown-key-in-a-route-stage": (
        _set("routes", "dpf", "stages", 0, "skip", True),
        "routes.dpf.stages[0].skip: unknown key",
    ),
    "unknown-route-kind": (
        _set("routes", "dpf", "kind", "grievance"),
        f"routes.dpf.kind: unknown kind 'grievance' {known(KINDS)}",
    ),
    "route-source-not-text": (
        _set("routes", "dpf", "source", 7),
        "routes.dpf.source: expected a non-empty string, got an integer 7",
    ),
    "route-lists-closed": (
        _append("routes", "dpf", "stages", {"stage": "closed"}),
        "routes.dpf.stages[5].stage: 'closed' ends every route; do not list it",
    ),
    "route-lists-a-stage-twice": (
        _append("routes", "dpf", "stages", {"stage": "dpa_panel"}),
        "routes.dpf.stages[5].stage: 'dpa_panel' is listed twice",
    ),
    "optional-not-a-boolean": (
        _set("routes", "dpf", "stages", 1, "optional", "no"),
        "routes.dpf.stages[1].optional: expected true or false, got a string 'no'",
    ),
    "route-not-starting-with-received": (
        _delete("routes", "dsr", "stages", 0),
        "routes.dsr.stages[0]: every route starts with a required 'received'",
    ),
    "route-with-optional-received": (
        _set("routes", "dsr", "stages", 0, "optional", True),
        "routes.dsr.stages[0]: every route starts with a required 'received'",
    ),
    "unknown-key-in-a-route-rule": (
        _set("route_rules", 0, "priority", 1),
        "route_rules[0].priority: unknown key",
    ),
    "unknown-route-rule-kind": (
        _set("route_rules", 1, "kind", "grievance"),
        f"route_rules[1].kind: unknown kind 'grievance' {known(KINDS)}",
    ),
    "unknown-route-rule-jurisdiction": (
        _set("route_rules", 1, "jurisdictions", ["EU", "US"]),
        f"route_rules[1].jurisdictions[1]: unknown jurisdiction 'US' {known(JURISDICTIONS)}",
    ),
    "unknown-route-rule-data-context": (
        _set("route_rules", 0, "data_contexts", ["hr"]),
        f"route_rules[0].data_contexts[0]: unknown data context 'hr' {known(DATA_CONTEXTS)}",
    ),
    "unknown-clock-kind": (
        _set("clocks", 0, "kind", "grievance"),
        f"clocks[0].kind: unknown kind 'grievance' {known(KINDS)}",
    ),
    "unknown-clock-right": (
        _set("clocks", 9, "rights", ["forget"]),
        f"clocks[9].rights[0]: unknown right 'forget' {known(RIGHTS)}",
    ),
    "unknown-clock-jurisdiction": (
        _set("clocks", 1, "jurisdictions", ["GB"]),
        f"clocks[1].jurisdictions[0]: unknown jurisdiction 'GB' {known(JURISDICTIONS)}",
    ),
    "unknown-clock-stage": (
        _set("clocks", 2, "stages", ["review"]),
        f"clocks[2].stages[0]: unknown stage 'review' {known(ROUTE_STAGES)}",
    ),
    "clock-without-stages": (_delete("clocks", 2, "stages"), "clocks[2].stages: required"),
    "clock-met-by-the-action-that-starts-it": (
        _set("clocks", 5, "met_by", ["record_advice"]),
        "clocks[5].met_by: 'record_advice' already starts this clock",
    ),
    "bodies-of-an-unknown-stage": (
        _set("bodies", "tribunal", {"default": "Tribunal"}),
        f"bodies.tribunal: unknown stage 'tribunal' {known(ROUTE_STAGES)}",
    ),
    "bodies-source-not-text": (
        _set("bodies", "regulator", "source", 3),
        "bodies.regulator.source: expected a non-empty string, got an integer 3",
    ),
    "unknown-key-in-redirect": (
        _set("redirect", "clients", ["Acme"]),
        "redirect.clients: unknown key",
    ),
    "redirect-without-contexts": (
        _delete("redirect", "contexts"),
        "redirect.contexts: required",
    ),
    "unknown-key-in-identity": (
        _set("identity", "always", True),
        "identity.always: unknown key",
    ),
    "identity-without-rights": (
        _delete("identity", "not_required_for"),
        "identity.not_required_for: required",
    ),
    "identity-unknown-right": (
        _set("identity", "not_required_for", ["opt_out", "forget"]),
        f"identity.not_required_for[1]: unknown right 'forget' {known(RIGHTS)}",
    ),
    "unknown-key-in-retention": (
        _set("retention", "audit", "1 month"),
        "retention.audit: unknown key",
    ),
    "before-due-listed-twice": (
        _set("reminders", "before_due", ["7 days", "7 days"]),
        "reminders.before_due[1]: '7 days' is listed twice",
    ),
    "overdue-every-not-a-duration": (
        _set("reminders", "overdue_every", "daily"),
        f"reminders.overdue_every: 'daily' is not a duration {HINT}",
    ),
}


@pytest.mark.parametrize(("change", "message"), REFUSED.values(), ids=REFUSED)
def test_each_part_of_the_policy_is_checked_and_named(change, message):
    with pytest.raises(PolicyError) as raised:
        edited(change)
    assert str(raised.value) == message


def test_what_may_be_left_out_takes_its_default():
    def change(data):
        del data["routes"]["dpf"]["stages"][1]["optional"]
        del data["bodies"]["regulator"]["source"]
        data["reminders"]["before_due"] = ["2 days", "7 days"]
        data["identity"]["not_required_for"] = []

    policy = edited(change)
    assert policy.route("dpf").steps[1].optional is False
    assert dict(policy.bodies["regulator"]) == {
        "BR": "Autoridade Nacional de Proteção de Dados (ANPD)"
    }
    assert policy.reminders.before_due == (timedelta(days=7), timedelta(days=2))
    assert all(policy.identity_required(right=right) for right in RIGHTS)
