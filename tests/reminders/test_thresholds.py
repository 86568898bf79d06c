"""Thresholds fall on the team's wall clock, and a late look sends only the latest."""

from datetime import UTC, datetime, timedelta

from casetracker.policy import Reminders
from casetracker.reminders import thresholds
from tests.reminders.conftest import BERLIN, local

POLICY = Reminders(
    before_due=(timedelta(days=7), timedelta(days=2)),
    at_due=True,
    overdue_every=timedelta(days=1),
    dpo_when_overdue=True,
)
# 30 Oct 2026, end of day in Berlin: five days after clocks went back on 25 Oct.
DUE = local(2026, 10, 30, 23, 59, 59).astimezone(UTC)
SINCE = datetime(2026, 9, 1, tzinfo=UTC)


def latest(now):
    return thresholds.latest_passed(DUE, since=SINCE, now=now, tz=BERLIN, policy=POLICY)


def test_seven_days_before_keeps_the_local_time_across_the_dst_change():
    seven = latest(local(2026, 10, 24, 0, 0))
    assert seven.label == "7d"
    assert seven.at.astimezone(BERLIN) == local(2026, 10, 23, 23, 59, 59)
    assert DUE - seven.at == timedelta(days=7, hours=1)


def test_a_late_look_sends_only_the_latest_threshold():
    assert latest(local(2026, 10, 29, 12, 0)).label == "2d"
    assert latest(local(2026, 11, 4, 12, 0)).label == "overdue:4"
    assert latest(local(2026, 10, 23, 23, 0)) is None


def test_thresholds_before_the_clock_started_are_skipped():
    since = local(2026, 10, 26, 9, 0)
    found = thresholds.latest_passed(
        DUE, since=since, now=local(2026, 10, 27, 9, 0), tz=BERLIN, policy=POLICY
    )
    assert found is None


def test_next_threshold_after_now():
    def following(now):
        return thresholds.next_after(DUE, since=SINCE, now=now, tz=BERLIN, policy=POLICY)

    assert following(local(2026, 10, 20, 9, 0)) == local(2026, 10, 23, 23, 59, 59)
    assert following(local(2026, 10, 30, 23, 59, 59)) == local(2026, 10, 31, 23, 59, 59)
    assert following(local(2027, 3, 27, 23, 59, 59)).astimezone(BERLIN) == local(
        2027, 3, 28, 23, 59, 59
    )


def test_labels():
    assert thresholds.label_of(timedelta(days=7)) == "7d"
    assert thresholds.label_of(timedelta(hours=36)) == "36h"
