"""Each jurisdiction's clocks, as REGULATORY.md sets them, seen through the API."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

BERLIN = ZoneInfo("Europe/Berlin")


def clocks_of(case: dict) -> dict:
    return {c["name"]: c for c in case["clocks"] if c["met_at"] is None}


def due_at(clock: dict) -> datetime:
    return datetime.fromisoformat(clock["due_at"])


def end_of(day: date) -> datetime:
    """A deadline on a day falls at its last second in Berlin, the team's time zone."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN)


def received(day: date) -> str:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=BERLIN).isoformat()


def test_eu_complaint_gets_acknowledge_and_45_day_respond(api):
    case = api.create(kind="complaint", jurisdiction="EU", received_at=received(date(2026, 10, 1)))
    clocks = clocks_of(case)
    assert set(clocks) == {"acknowledge", "respond"}
    assert due_at(clocks["respond"]) == end_of(date(2026, 11, 15))
    assert due_at(clocks["acknowledge"]) == end_of(date(2026, 10, 8))  # 5 business days


@pytest.mark.parametrize(
    ("received_on", "due_on"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2027, 1, 31), date(2027, 3, 1)),  # 28 Feb 2027 is a Sunday
        (date(2027, 3, 31), date(2027, 4, 30)),
    ],
    ids=["31-jan-2025", "31-jan-leap-2028", "31-jan-2027-sunday", "31-mar-2027"],
)
def test_gdpr_request_is_due_one_legal_month_later(api, clock, received_on, due_on):
    clock.set(datetime(received_on.year, 12, 31, tzinfo=UTC))
    case = api.create(
        kind="request", right="access", jurisdiction="EU", received_at=received(received_on)
    )
    respond = clocks_of(case)["respond"]
    assert due_at(respond) == end_of(due_on)
    assert "Art. 12(3)" in respond["source"]


@pytest.mark.parametrize(
    ("jurisdiction", "days"), [("BR", 15), ("CH", 30)], ids=["brazil-15", "swiss-30"]
)
def test_calendar_day_request_clocks(api, jurisdiction, days):
    case = api.create(
        kind="request",
        right="erasure",
        jurisdiction=jurisdiction,
        received_at=received(date(2026, 10, 5)),
    )
    assert due_at(clocks_of(case)["respond"]) == end_of(date(2026, 10, 5) + timedelta(days=days))


def test_california_request_acknowledged_in_10_business_days_and_extendable_once(api):
    case = api.create(
        kind="request",
        right="access",
        jurisdiction="US-CA",
        received_at=received(date(2026, 10, 30)),  # a Friday
    )
    clocks = clocks_of(case)
    assert due_at(clocks["acknowledge"]) == end_of(date(2026, 11, 16))  # Veterans Day skipped
    assert due_at(clocks["respond"]) == end_of(date(2026, 12, 14))

    extended = api.act(case, "extend", reason="Records held by three systems").get_json()
    respond = clocks_of(extended)["respond"]
    assert due_at(respond) == end_of(date(2026, 10, 30) + timedelta(days=90))
    assert due_at({"due_at": respond["original_due_at"]}) == end_of(date(2026, 12, 14))

    again = api.act(extended, "extend", reason="Still more records")
    assert again.status_code == 409
    assert "extend" not in again.get_json()["allowed_actions"]


def test_extension_refused_after_the_due_time(api, clock):
    case = api.create(
        kind="request", right="access", jurisdiction="US-CA", received_at=clock().isoformat()
    )
    clock.advance(days=46)
    refused = api.act(case, "extend", reason="Too late")
    assert refused.status_code == 409
    assert "due time has passed" in refused.get_json()["error"]
    after = api.get(f"/api/v1/cases/{case['reference']}").get_json()
    assert clocks_of(after)["respond"]["original_due_at"] is None


def test_hold_moves_pausable_due_time_by_the_paused_span(api, clock):
    case = api.create(kind="request", right="access", jurisdiction="UK")
    due_before = clocks_of(case)["respond"]["due_at"]
    held = api.act(case, "hold", reason="Asked the requester which account they mean").get_json()
    assert clocks_of(held)["respond"]["paused"] is True
    clock.advance(days=1, hours=4)
    resumed = api.act(held, "resume").get_json()
    due_after = clocks_of(resumed)["respond"]["due_at"]
    shift = datetime.fromisoformat(due_after) - datetime.fromisoformat(due_before)
    assert shift == timedelta(days=1, hours=4)


def test_paused_due_time_landing_on_a_weekend_rolls_to_the_next_working_day(api, clock):
    case = api.create(kind="request", right="access", jurisdiction="UK")
    assert due_at(clocks_of(case)["respond"]) == end_of(date(2026, 12, 2))
    held = api.act(case, "hold", reason="Clarification requested").get_json()
    clock.advance(days=3)
    resumed = api.act(held, "resume").get_json()
    assert due_at(clocks_of(resumed)["respond"]) == end_of(date(2026, 12, 7))  # Sat 5th → Mon 7th


def test_hold_does_not_stop_a_clock_whose_rule_never_pauses(api, clock):
    case = api.create(kind="request", right="access", jurisdiction="US-CA")
    due_before = clocks_of(case)["respond"]["due_at"]
    held = api.act(case, "hold", reason="Waiting for the agent's proof").get_json()
    clock.advance(days=5)
    resumed = api.act(held, "resume").get_json()
    assert clocks_of(resumed)["respond"]["due_at"] == due_before
