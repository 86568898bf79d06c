"""A broken policy file stops start-up with the key at fault named."""

import tomllib
from datetime import timedelta
from importlib import resources

import pytest

from casetracker.cases.actions import NAMES
from casetracker.policy import (
    DATA_CONTEXTS,
    JURISDICTIONS,
    KINDS,
    RIGHTS,
    STAGES,
    PolicyError,
    load_policy,
)
from casetracker.policy.loader import build_policy

DEFAULT_TEXT = (resources.files("casetracker.policy") / "default.toml").read_text(encoding="utf-8")
HINT = "(use 'N days', 'N business days' or 'N months')"
ROUTE_STAGES = tuple(stage for stage in STAGES if stage != "closed")


def known(choices):
    """The list an "unknown ..." error gives of the values it accepts."""
    return f"(known: {', '.join(choices)})"


def broken(tmp_path, old, new):
    assert old in DEFAULT_TEXT, f"fixture text not in default.toml: {old!r}"
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


BBB_SOURCE = 'source = "BBB National Programs DPF Procedure Rules (default, unconfirmed)"\n'


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"14 days"', '"14 dayz"', f"clocks[3].duration: '14 dayz' is not a duration {HINT}"),
        (
            'extension = "45 days"',
            'extension = "45"',
            f"clocks[13].extension: '45' is not a duration {HINT}",
        ),
        (
            'calendar = "DE"',
            'calendar = "XX"',
            "clocks[9].calendar: unknown holiday calendar 'XX': use a country code such as 'DE' "
            "or a country and subdivision such as 'GB-ENG'",
        ),
        (
            'stage = "independent_recourse"',
            'stage = "bbb"',
            f"routes.dpf.stages[2].stage: unknown stage 'bbb' {known(STAGES)}",
        ),
        ('duration = "14 days"', 'durration = "14 days"', "clocks[3].durration: unknown key"),
        ("[reminders]\n", '[reminders]\nsnooze = "1 day"\n', "reminders.snooze: unknown key"),
        ("[retention]", "[extra]\nx = 1\n[retention]", "extra: unknown key"),
        (BBB_SOURCE, "", "clocks[3].source: required (cite the rule)"),
        ("at_due = true\n", "", "reminders.at_due: required"),
        (
            'route = "lgpd"',
            'route = "anpd"',
            "route_rules[2].route: unknown route 'anpd' (known: dpf, dpf_hr, lgpd, internal, dsr)",
        ),
        (
            'kind = "request"\nroute = "dsr"',
            'kind = "request"\nroute = "dpf"',
            "route_rules[4].route: route 'dpf' is for complaints, not requests",
        ),
        ('["US-CA", "OTHER"]', '["US-CA"]', "route_rules: no route for complaint/OTHER/platform"),
        (
            'name = "respond"\nkind = "request"\njurisdictions = ["BR"]',
            'name = "reply"\nkind = "request"\njurisdictions = ["BR"]',
            "clocks: no 'respond' clock for request/BR",
        ),
        (
            'jurisdictions = ["CH"]',
            'jurisdictions = ["CH", "BR"]',
            "clocks[12]: ambiguous with clocks[11]: both set 'respond' for request/BR "
            "(make one more specific with jurisdictions or rights)",
        ),
        (
            '"2 days"]',
            '"2 business days"]',
            "reminders.before_due[1]: reminders are in calendar days, not business days "
            "(write e.g. '7 days')",
        ),
        (
            'overdue_every = "1 day"',
            'overdue_every = "1 month"',
            "reminders.overdue_every: reminders are in calendar days, not months "
            "(write e.g. '7 days')",
        ),
        (
            "pausable = true",
            'pausable = "yes"',
            "clocks[9].pausable: expected true or false, got a string 'yes'",
        ),
        (
            "roll_forward = true",
            "roll_forward = 1",
            "clocks[9].roll_forward: expected true or false, got an integer 1",
        ),
        (
            'met_by = ["record_advice"]',
            'met_by = ["advice"]',
            f"clocks[4].met_by[0]: unknown action 'advice' {known(NAMES)}",
        ),
        (
            'starts_on = "record_advice"',
            'starts_on = "advise"',
            f"clocks[5].starts_on: unknown action 'advise' {known(NAMES)}",
        ),
        (
            'stages = ["independent_recourse"]',
            'stages = ["in_progress"]',
            "clocks[3].stages[0]: stage 'in_progress' is on no complaint route",
        ),
        (
            'jurisdictions = ["UK"]\nduration = "30 days"',
            'rights = ["access"]\nduration = "30 days"',
            "clocks[1].rights: only request clocks can be limited to rights",
        ),
        (
            'closed_case_pii = "24 months"',
            "closed_case_pii = 24",
            f"retention.closed_case_pii: expected a duration string {HINT}, got an integer 24",
        ),
        (
            'contexts = ["platform"]',
            'contexts = ["client"]',
            f"redirect.contexts[0]: unknown data context 'client' {known(DATA_CONTEXTS)}",
        ),
        ('UK = "Information', 'XX = "Information', "bodies.dpa_panel.XX: unknown key"),
    ],
)
def test_broken_policy_is_refused_with_the_key_path(tmp_path, old, new, message):
    with pytest.raises(PolicyError) as raised:
        load_policy(broken(tmp_path, old, new), actions=NAMES)
    assert str(raised.value) == message


def test_toml_syntax_error_names_the_file(tmp_path):
    path = broken(tmp_path, "[reminders]", "[reminders")
    with pytest.raises(PolicyError) as raised:
        load_policy(path, actions=NAMES)
    assert str(raised.value).startswith(f"{path}: not valid TOML: ")


def test_missing_file_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "absent.toml", actions=NAMES)


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
