"""Metrics on known data: four cases whose history is played with the frozen clock."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from casetracker.dashboard import metrics
from casetracker.extensions import db

from .conftest import act, open_case

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
OCTOBER = metrics.Period(date(2026, 10, 1), date(2026, 11, 2), BERLIN)


def _at(clock, day: int):
    clock.set(START.replace(day=day))


@pytest.fixture
def history(app, clock, priya, dana):
    """A: acknowledged after 1 day, resolved after 10. B: acknowledged late (20 days), then
    escalated. C: Californian access request complied with after 15 days. D: Californian
    deletion request denied after 5 days, never acknowledged."""
    clock.set(START)
    a = open_case(priya)
    b = open_case(priya)
    c = open_case(priya, kind="request", right="access", jurisdiction="US-CA")
    d = open_case(priya, kind="request", right="erasure", jurisdiction="US-CA")
    _at(clock, 2)
    a = act(a, "acknowledge", priya)
    _at(clock, 3)
    c = act(c, "acknowledge", priya)
    _at(clock, 6)
    act(d, "resolve", priya, outcome="denied", reason="The records show no such account.")
    _at(clock, 11)
    act(a, "resolve", priya, outcome="resolved")
    _at(clock, 16)
    act(c, "resolve", priya, outcome="complied")
    _at(clock, 21)
    b = act(b, "acknowledge", priya)
    _at(clock, 25)
    act(b, "escalate", dana, to_stage="independent_recourse")
    clock.set(NOW)


def test_on_time_rate_counts_met_in_time_of_all_decided(history):
    rates = {row.clock: row for row in metrics.on_time_rates(db.session, period=OCTOBER, now=NOW)}
    acknowledge = rates["acknowledge"]
    assert (acknowledge.on_time, acknowledge.decided) == (3, 4)
    assert acknowledge.rate == 0.75


def test_medians_of_days_to_acknowledge_and_to_resolve(history):
    assert metrics.median_days_to_acknowledge(db.session, period=OCTOBER) == pytest.approx(2.0)
    assert metrics.median_days_to_resolve(db.session, period=OCTOBER) == pytest.approx(10.0)


def test_open_cases_escalations_and_outcomes(history):
    from casetracker.cases.models import Case

    assert metrics.open_cases_by(db.session, Case.stage) == [("independent_recourse", 1)]
    assert metrics.open_cases_by(db.session, Case.jurisdiction) == [("EU", 1)]
    assert metrics.escalations_per_month(db.session, period=OCTOBER) == [("2026-10", 1)]
    assert sorted(metrics.outcomes(db.session, period=OCTOBER)) == [
        ("complaint", "resolved", 1),
        ("request", "complied", 1),
        ("request", "denied", 1),
    ]


def test_a_period_before_the_cases_is_empty(history):
    september = metrics.Period(date(2026, 9, 1), date(2026, 9, 30), BERLIN)
    assert metrics.on_time_rates(db.session, period=september, now=NOW) == []
    assert metrics.median_days_to_resolve(db.session, period=september) is None
    assert metrics.escalations_per_month(db.session, period=september) == []


def test_ccpa_request_metrics_for_the_year(history):
    rows = {
        row.right: row for row in metrics.ccpa_request_metrics(db.session, year=2026, tz=BERLIN)
    }
    assert (rows["access"].received, rows["access"].complied, rows["access"].denied) == (1, 1, 0)
    assert rows["access"].median_days == pytest.approx(15.0)
    assert (rows["erasure"].received, rows["erasure"].complied, rows["erasure"].denied) == (1, 0, 1)
    assert rows["erasure"].median_days == pytest.approx(5.0)
    assert rows["opt_out"].received == 0
    assert rows["opt_out"].median_days is None
    assert rows["access"].label == "Requests to know"
    assert metrics.ccpa_request_metrics(db.session, year=2025, tz=BERLIN)[0].received == 0


def test_metrics_page_and_csv_show_the_same_figures(web, history, priya):
    web.sign_in(priya.email)
    page = web.get("/metrics?from=2026-10-01&to=2026-11-02&year=2026")
    assert page.status_code == 200
    assert "75% (3/4)" in page.text
    assert '<canvas id="on-time"' in page.text
    assert "Requests to know" in page.text

    response = web.get("/metrics.csv?from=2026-10-01&to=2026-11-02")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert ["on_time_rate", "acknowledge", "0.7500"] in rows
    assert ["median_days", "acknowledge", "2.00"] in rows
    assert ["median_days", "resolve", "10.00"] in rows
    assert ["escalations_per_month", "2026-10", "1"] in rows
    assert ["open_by_stage", "independent_recourse", "1"] in rows


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-11-02&to=2026-10-01", "to-error", "must be on or after the start date"),
        ("from=yesterday&to=2026-10-01", "from-error", "Not a valid date."),
        ("year=20x6", "year-error", "Not a valid integer."),
    ],
)
def test_an_invalid_period_is_explained_next_to_the_field(web, priya, query, field, message):
    web.sign_in(priya.email)
    response = web.get(f"/metrics?{query}")
    assert response.status_code == 422
    assert f'id="{field}"' in response.text
    assert message in response.text
    assert query.split("&")[0].split("=")[1] in response.text


def test_the_ccpa_year_defaults_to_last_year_and_says_why(web, history, priya):
    web.sign_in(priya.email)
    page = web.get("/metrics")
    assert 'id="year" name="year" inputmode="numeric" value="2025"' in page.text
    assert "the disclosure due by 1 July each year covers the previous calendar year" in page.text


def test_a_year_without_californian_requests_says_so_and_links_the_years_with_some(
    web, history, priya
):
    web.sign_in(priya.email)
    page = web.get("/metrics?from=2026-10-01&to=2026-11-02&year=2025")
    assert "No request from a California consumer was received in 2025." in page.text
    assert "Requests to know" not in page.text
    assert (
        'href="/metrics?from=2026-10-01&amp;to=2026-11-02&amp;year=2026#ccpa-title">2026</a>'
        in (page.text)
    )


def test_a_year_with_californian_requests_shows_the_table(web, history, priya):
    web.sign_in(priya.email)
    page = web.get("/metrics?year=2026")
    assert "<caption>Requests received in 2026</caption>" in page.text
    assert "No request from a California consumer" not in page.text


def test_ccpa_request_years_follow_the_team_time_zone(app, clock, priya):
    clock.set(datetime(2024, 12, 31, 23, 30, tzinfo=UTC))
    open_case(priya, kind="request", right="access", jurisdiction="US-CA")
    clock.set(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    open_case(priya, kind="request", right="erasure", jurisdiction="US-CA")
    open_case(priya, kind="request", right="access", jurisdiction="EU")
    assert metrics.ccpa_request_years(db.session, tz=BERLIN) == [2025, 2026]
    assert metrics.ccpa_request_years(db.session, tz=ZoneInfo("UTC")) == [2024, 2026]
