"""Thresholds fall on the team's wall clock, and a late look sends only the latest."""

from datetime import UTC, datetime, timedelta

import pytest

from casetracker.policy import Reminders
from casetracker.reminders import thresholds
from casetracker.reminders.thresholds import Threshold
from tests.reminders.conftest import BERLIN, local
from tests.test_deadlines import HOST_ZONES, host_time_zone

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


def utc(*args):
    return local(*args).astimezone(UTC)


def test_a_late_look_sends_only_the_latest_threshold():
    assert latest(local(2026, 10, 29, 12, 0)) == Threshold("2d", utc(2026, 10, 28, 23, 59, 59))
    assert latest(local(2026, 11, 4, 12, 0)) == Threshold(
        "overdue:4", utc(2026, 11, 3, 23, 59, 59), overdue=True
    )
    assert latest(local(2026, 10, 23, 23, 0)) is None


def test_the_due_threshold_counts_from_the_due_second_until_the_first_overdue_one():
    half_a_day_late = DUE + timedelta(hours=12)
    assert latest(DUE) == Threshold("due", DUE)
    assert latest(half_a_day_late) == Threshold("due", DUE)
    assert thresholds.next_after(
        DUE, since=SINCE, now=half_a_day_late, tz=BERLIN, policy=POLICY
    ) == DUE + timedelta(days=1)
    assert latest(DUE + timedelta(days=1)) == Threshold("overdue:1", DUE + timedelta(days=1), True)


def test_a_threshold_at_the_very_second_the_clock_started_is_sent():
    seven = utc(2026, 10, 23, 23, 59, 59)
    found = thresholds.latest_passed(
        DUE, since=seven, now=seven + timedelta(hours=1), tz=BERLIN, policy=POLICY
    )
    assert found == Threshold("7d", seven)


def test_overdue_reminders_keep_the_local_time_across_the_dst_change():
    # Due Fri 23 Oct 2026 23:59:59 summer time; clocks go back on Sun 25 Oct.
    due = utc(2026, 10, 23, 23, 59, 59)
    now = local(2026, 10, 26, 23, 30)
    found = thresholds.latest_passed(due, since=SINCE, now=now, tz=BERLIN, policy=POLICY)
    assert found == Threshold("overdue:2", utc(2026, 10, 25, 23, 59, 59), overdue=True)
    assert found.at - due == timedelta(days=2, hours=1)
    coming = thresholds.next_after(due, since=SINCE, now=now, tz=BERLIN, policy=POLICY)
    assert coming == utc(2026, 10, 26, 23, 59, 59)


def test_without_overdue_reminders_the_due_one_is_the_last():
    quiet = Reminders(
        before_due=POLICY.before_due, at_due=True, overdue_every=timedelta(), dpo_when_overdue=False
    )
    now = local(2026, 11, 4, 12, 0)
    assert thresholds.latest_passed(DUE, since=SINCE, now=now, tz=BERLIN, policy=quiet) == (
        Threshold("due", DUE)
    )
    assert thresholds.next_after(DUE, since=SINCE, now=now, tz=BERLIN, policy=quiet) is None


@pytest.mark.parametrize("host", HOST_ZONES)
def test_the_servers_own_time_zone_never_moves_a_threshold(host):
    with host_time_zone(host):
        seven = latest(local(2026, 10, 24, 0, 0))
        overdue = latest(local(2026, 11, 4, 12, 0))
        coming = thresholds.next_after(
            DUE, since=SINCE, now=local(2026, 10, 20, 9, 0), tz=BERLIN, policy=POLICY
        )
    assert seven.at.isoformat() == "2026-10-23T21:59:59+00:00"
    assert overdue.at.isoformat() == "2026-11-03T22:59:59+00:00"
    assert coming.isoformat() == "2026-10-23T21:59:59+00:00"


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
