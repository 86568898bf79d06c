"""Task targets: a system owner's share of a request is due ahead of the legal deadline."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casetracker.cases.actions import NAMES
from casetracker.policy import PolicyError, load_policy
from tests.policy.validation_support import DEFAULT_TEXT

ENTERED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_the_default_policy_cites_its_task_targets():
    targets = load_policy(actions=NAMES).tasks
    assert (targets.before_legal_due, targets.at_least) == (timedelta(days=10), timedelta(days=3))
    cited = 'source = """Team practice, an internal target before the legal deadlines'
    assert cited in DEFAULT_TEXT


@pytest.mark.parametrize(
    ("legal_due", "due"),
    [
        # A month to answer: the systems have until ten days before.
        (ENTERED + timedelta(days=30), ENTERED + timedelta(days=20)),
        # Fifteen days (LGPD): ten days ahead would leave five; still at least three.
        (ENTERED + timedelta(days=15), ENTERED + timedelta(days=5)),
        # Eight days left: ten ahead is already past, so three days from entering work.
        (ENTERED + timedelta(days=8), ENTERED + timedelta(days=3)),
        # Two days left: never after the legal due time itself.
        (ENTERED + timedelta(days=2), ENTERED + timedelta(days=2)),
    ],
)
def test_a_task_is_due_ahead_of_the_legal_time_but_leaves_its_owner_time(legal_due, due):
    targets = load_policy(actions=NAMES).tasks
    assert targets.due_at(legal_due=legal_due, entered_work=ENTERED, tz=UTC) == due


def test_ten_days_before_is_counted_on_the_team_wall_clock_across_summer_time():
    berlin = ZoneInfo("Europe/Berlin")
    legal_due = datetime(2026, 11, 2, 23, 59, 59, tzinfo=berlin)  # winter time
    entered = datetime(2026, 10, 1, 9, 0, tzinfo=berlin)  # summer time
    due = load_policy(actions=NAMES).tasks.due_at(
        legal_due=legal_due.astimezone(UTC), entered_work=entered.astimezone(UTC), tz=berlin
    )
    assert due.astimezone(berlin) == datetime(2026, 10, 23, 23, 59, 59, tzinfo=berlin)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'before_legal_due = "10 days"',
            'before_legal_due = "5 business days"',
            "tasks.before_legal_due: task targets are in calendar days, not business days",
        ),
        ('at_least = "3 days"\n', "", "tasks.at_least: required"),
        ("[tasks]\n", "[taskz]\n", "taskz"),
    ],
)
def test_a_broken_task_target_names_its_key(tmp_path, old, new, message):
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError, match=message):
        load_policy(path, actions=NAMES)
