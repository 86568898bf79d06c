"""The identity check's numbers are policy, each with its cited rule, checked at start-up."""

from __future__ import annotations

import tomllib

import pytest

from casetracker.cases.actions import NAMES
from casetracker.deadlines import Duration
from casetracker.policy import JURISDICTIONS, PolicyError, load_policy
from casetracker.policy.loader import build_policy
from tests.policy.validation_support import DEFAULT_TEXT, known


def test_the_default_policy_encodes_and_cites_the_identity_check():
    check = load_policy(actions=NAMES).identity_check
    week = Duration(7, "days")
    assert (check.link_expires_after, check.remind_after, check.close_after_reminder) == (
        week,
        week,
        week,
    )
    assert check.respond_from_verification == {"UK"}
    identity = tomllib.loads(DEFAULT_TEXT)["identity"]
    for table in ("link", "reminder", "closure", "respond_clock"):
        assert identity[table]["source"]
    assert "UK GDPR Art. 12A" in identity["respond_clock"]["source"]
    assert "regs §7021(b)" in identity["respond_clock"]["source"]


def _edited(change):
    data = tomllib.loads(DEFAULT_TEXT)
    change(data["identity"])
    return build_policy(data, source_path="policy.toml", actions=NAMES)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t["reminder"].update(after="5 business days"),
            "identity.reminder.after: identity checks are in calendar days, not business days",
        ),
        (lambda t: t["closure"].pop("source"), r"identity.closure.source: required \(cite"),
        (lambda t: t.pop("link"), "identity.link: required"),
        (
            lambda t: t["respond_clock"].update(from_verification=["UK", "GB"]),
            "identity.respond_clock.from_verification\\[1\\]: unknown jurisdiction 'GB' "
            + known(JURISDICTIONS).replace("(", "\\(").replace(")", "\\)"),
        ),
        (lambda t: t["link"].update(hours=48), "identity.link.hours: unknown key"),
    ],
    ids=["business-days", "no-source", "no-link", "unknown-jurisdiction", "unknown-key"],
)
def test_a_broken_identity_check_names_its_key(change, message):
    with pytest.raises(PolicyError, match=message):
        _edited(change)


def test_no_respond_clock_need_wait_for_the_check():
    policy = _edited(lambda t: t["respond_clock"].update(from_verification=[]))
    assert policy.identity_check.respond_from_verification == frozenset()
