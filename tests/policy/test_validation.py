"""A broken policy file stops start-up with the key at fault named."""

import pytest

from casetracker.cases.actions import NAMES
from casetracker.policy import (
    DATA_CONTEXTS,
    STAGES,
    PolicyError,
    load_policy,
)
from tests.policy.validation_support import DEFAULT_TEXT, HINT, known


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
