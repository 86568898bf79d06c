"""The company's promise: shown beside the legal due time, reminders aim at it, the law stays
the deadline, and a promise due the same day as the law never reminds twice."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from casetracker.cases.actions import NAMES
from casetracker.policy import PolicyError, load_policy
from tests.dashboard.conftest import Web, person
from tests.policy.validation_support import DEFAULT_TEXT
from tests.reminders.conftest import clock_of

# Received Mon 2 Nov 2026, 10:00 in Berlin (the frozen clock).
PROMISED = datetime(2026, 12, 2, 22, 59, 59, tzinfo=UTC)  # one month, end of day in Berlin
LEGAL = datetime(2026, 12, 17, 22, 59, 59, tzinfo=UTC)  # 45 days (CCPA)


def _californian(api, **extra):
    return api.create(
        kind="request", right="access", jurisdiction="US-CA", owner="sam@example.com", **extra
    )


def test_a_californian_request_shows_the_promise_beside_the_legal_due_time(api):
    respond = next(c for c in _californian(api)["clocks"] if c["name"] == "respond")
    assert respond["due_at"] == LEGAL.isoformat()
    assert respond["target_at"] == PROMISED.isoformat()


def test_reminders_aim_at_the_promise_and_only_legal_lateness_reaches_the_dpo(
    api, dpo, staff, sweep, reminders
):
    reference = _californian(api)["reference"]
    sweep(PROMISED - timedelta(days=7) + timedelta(minutes=1))
    sweep(PROMISED - timedelta(days=7) + timedelta(minutes=6))
    respond = [r for r in reminders(reference) if r[1] == "respond"]
    assert respond == [(f"staff:{staff.id}", "respond", "7d", "2026-11-26 00:00")]

    sweep(PROMISED + timedelta(days=1, minutes=1))
    late = [r for r in reminders(reference) if r[2] == "overdue:1"]
    assert late == [(f"staff:{staff.id}", "respond", "overdue:1", "2026-12-04 00:00")]
    assert clock_of(reference, "respond").breached_at is None

    sweep(LEGAL + timedelta(days=1, minutes=1))
    assert clock_of(reference, "respond").breached_at == LEGAL
    latest = [r for r in reminders(reference) if r[1] == "respond" and r[3] == "2026-12-19 00:00"]
    assert sorted(r[0] for r in latest) == sorted([f"staff:{staff.id}", f"staff:{dpo.id}"])


def test_a_promise_due_the_same_day_as_the_law_reminds_once(api, staff, sweep, reminders):
    case = api.create(kind="request", right="access", jurisdiction="UK", owner="sam@example.com")
    respond = next(c for c in case["clocks"] if c["name"] == "respond")
    assert respond["target_at"] is None  # one month, as the law: no separate promise
    due = datetime.fromisoformat(respond["due_at"])
    sweep(due - timedelta(days=7) + timedelta(minutes=1))
    sweep(due - timedelta(days=2) + timedelta(minutes=1))
    assert [r[2] for r in reminders(case["reference"]) if r[1] == "respond"] == ["7d", "2d"]


def test_an_extension_drops_the_promise(api):
    case = _californian(api)
    api.act(case, "acknowledge")
    current = api.get(f"/api/v1/cases/{case['reference']}").json
    extended = api.act(current, "extend", clock="respond", reason="Many systems to search").json
    respond = next(c for c in extended["clocks"] if c["name"] == "respond")
    assert respond["target_at"] is None
    assert respond["due_at"] == "2027-01-31T22:59:59+00:00"


def test_a_hold_moves_the_promise_with_the_deadline(api, clock):
    # An EU request of Mon 3 Aug: one month is Thu 3 Sep, the promised 30 days Wed 2 Sep.
    case = api.create(kind="request", right="access", received_at="2026-08-03T08:00:00+00:00")
    respond = next(c for c in case["clocks"] if c["name"] == "respond")
    assert (respond["target_at"], respond["due_at"]) == (
        "2026-09-02T21:59:59+00:00",
        "2026-09-03T21:59:59+00:00",
    )
    on_hold = api.act(case, "hold", reason="Which account?").json
    clock.advance(days=2)
    resumed = api.act(on_hold, "resume").json
    respond = next(c for c in resumed["clocks"] if c["name"] == "respond")
    # Two days later: Fri 4 Sep, and Sat 5 Sep rolled to the next working day.
    assert (respond["target_at"], respond["due_at"]) == (
        "2026-09-04T21:59:59+00:00",
        "2026-09-07T21:59:59+00:00",
    )


def test_the_case_page_says_what_was_promised(api, client):
    reference = _californian(api)["reference"]
    person("dora@example.com", "Dora DPO", "dpo")
    web = Web(client)
    web.sign_in("dora@example.com")
    page = web.get(f"/cases/{reference}").text
    assert "We promise an answer by <strong>Wed 2 Dec 2026, 23:59 CET</strong>" in page
    case_file = web.get(f"/cases/{reference}/file").text
    assert "We try to respond to all legitimate requests within one month" in case_file


EU_SOURCE = (
    'target_source = """Company privacy policy, "Your legal rights": "In the EEA, mP responds '
    'within \\\n30 days""""\n'
)


@pytest.mark.parametrize(
    ("old", "missing"),
    [('target = "30 days"\n', "clocks[9].target"), (EU_SOURCE, "clocks[9].target_source")],
)
def test_a_promise_needs_both_its_period_and_its_source(tmp_path, old, missing):
    assert old in DEFAULT_TEXT
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT_TEXT.replace(old, "", 1), encoding="utf-8")
    with pytest.raises(PolicyError, match=re.escape(f"{missing}: a promise needs both")):
        load_policy(path, actions=NAMES)
