"""Fulfilment metrics on known data: five requests whose tasks are played with the frozen clock."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from casetracker.cases import service as case_service
from casetracker.dashboard import metrics, task_metrics
from casetracker.extensions import db
from casetracker.people.actors import Actor
from casetracker.systems import service as systems

from .conftest import act, open_case

SEPTEMBER_1 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
OCTOBER_1 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PERIOD = metrics.Period(date(2026, 10, 1), date(2026, 11, 2), ZoneInfo("Europe/Berlin"))
ERASURE = {"kind": "request", "right": "erasure", "jurisdiction": "US-CA"}


def _in_work(clock, at, dana, **overrides):
    clock.set(at)
    case = open_case(dana, data_context="marketing", **{**ERASURE, **overrides})
    return act(act(case, "acknowledge", dana), "verify_identity", dana)


def _finish(clock, case, system: str, status: str, *, month: int, day: int, dana):
    clock.set(datetime(2026, month, day, 9, 0, tzinfo=UTC))
    task = next(task for task in case.tasks if task.system.name == system)
    return case_service.perform(
        db.session,
        reference=case.reference,
        action="update_task",
        version=case_service.CURRENT,
        params={"task": task.id, "status": status},
        actor=Actor.for_staff(dana),
        source="web",
    )


def _resolve(clock, case, outcome: str, *, day: int, dana):
    clock.set(datetime(2026, 10, day, 9, 0, tzinfo=UTC))
    act(case, "resolve", dana, outcome=outcome, reason="Answered.")


@pytest.fixture
def fulfilment(app, clock, dana, priya, tomasz):
    """R1, R2 entered work on 1 October; R3, R4, R5 on 1 September, their tasks due 6 October.

    CRM finished in October after 2 (R1), 10 (R2) and 37 days (R3, late); the Newsletter tool
    after 4 (R1, no data), 20 (R2) and 38 days (R3, late). R4 was denied on 10 October with its
    Newsletter task unfinished past due; R5 is still open, both its tasks late now. R6 reached
    no system. Closed in October: R1, R2, R3, R4 (delayed: R3, R4) and R6."""
    for name, owner in (("CRM", priya), ("Newsletter tool", tomasz)):
        data = {"name": name, "owner": owner.email, "contexts": "marketing", "rights": "erasure"}
        systems.add_system(db.session, data=data)
    r3, r4, _r5 = (_in_work(clock, SEPTEMBER_1, dana) for _ in range(3))
    r1, r2 = (_in_work(clock, OCTOBER_1, dana) for _ in range(2))
    r6 = _in_work(clock, OCTOBER_1, dana, right="access")
    assert (len(r1.tasks), len(r6.tasks)) == (2, 0)
    _finish(clock, r4, "CRM", "done", month=9, day=20, dana=dana)
    _finish(clock, r1, "CRM", "done", month=10, day=3, dana=dana)
    _finish(clock, r1, "Newsletter tool", "no_data", month=10, day=5, dana=dana)
    _resolve(clock, r1, "complied", day=6, dana=dana)
    _finish(clock, r3, "CRM", "done", month=10, day=8, dana=dana)
    _finish(clock, r3, "Newsletter tool", "done", month=10, day=9, dana=dana)
    _resolve(clock, r4, "denied", day=10, dana=dana)
    _finish(clock, r2, "CRM", "done", month=10, day=11, dana=dana)
    _resolve(clock, r3, "complied", day=12, dana=dana)
    _resolve(clock, r6, "complied", day=15, dana=dana)
    _finish(clock, r2, "Newsletter tool", "done", month=10, day=21, dana=dana)
    _resolve(clock, r2, "complied", day=22, dana=dana)
    clock.set(NOW)


def test_per_system_counts_medians_90th_percentiles_and_late_tasks(fulfilment):
    rows = task_metrics.per_system(db.session, period=PERIOD, now=NOW)
    crm, newsletter = rows
    assert (crm.system, crm.finished, crm.no_data, crm.finished_late, crm.late_now) == (
        "CRM",
        3,
        0,
        1,
        1,
    )
    assert crm.median_days == pytest.approx(10.0)
    assert crm.p90_days == pytest.approx(10 + (37 - 10) * 0.8)
    assert (newsletter.system, newsletter.finished, newsletter.no_data) == ("Newsletter tool", 3, 1)
    assert (newsletter.finished_late, newsletter.late_now) == (1, 1)
    assert newsletter.median_days == pytest.approx(20.0)
    assert newsletter.p90_days == pytest.approx(20 + (38 - 20) * 0.8)


def test_the_share_of_requests_a_task_delayed(fulfilment):
    delayed = task_metrics.delayed_requests(db.session, period=PERIOD)
    assert (delayed.closed, delayed.with_tasks, delayed.delayed) == (5, 4, 2)
    assert delayed.rate == 0.5


def test_a_period_without_finished_tasks_still_shows_the_late_ones(fulfilment):
    august = metrics.Period(date(2026, 8, 1), date(2026, 8, 31), PERIOD.tz)
    rows = task_metrics.per_system(db.session, period=august, now=NOW)
    assert [(row.system, row.finished, row.median_days, row.late_now) for row in rows] == [
        ("CRM", 0, None, 1),
        ("Newsletter tool", 0, None, 1),
    ]
    nothing = task_metrics.delayed_requests(db.session, period=august)
    assert (nothing.closed, nothing.rate) == (0, None)


def test_the_metrics_page_and_csv_show_the_task_figures(web, fulfilment, priya):
    web.sign_in(priya.email)
    page = web.get("/metrics?from=2026-10-01&to=2026-11-02").text
    table = re.search(r"<caption>Tasks per system.*?</table>", page, re.S).group(0)
    assert "<caption>Tasks per system, finished between 1 Oct 2026 and 2 Nov 2026</caption>" in (
        table
    )
    rows = [
        re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", table)
    ]
    assert rows[1:] == [
        ["CRM", "3", "0", "10.0", "31.6", "1", "1"],
        ["Newsletter tool", "3", "1", "20.0", "34.4", "1", "1"],
    ]
    assert '<td class="num" data-label="Median days">10.0</td>' in table
    assert "50% <small>(2 of 4 with tasks)</small>" in page

    response = web.get("/metrics.csv?from=2026-10-01&to=2026-11-02")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert ["tasks_finished", "CRM", "3"] in rows
    assert ["tasks_no_data_found", "Newsletter tool", "1"] in rows
    assert ["task_median_days", "CRM", "10.00"] in rows
    assert ["task_p90_days", "Newsletter tool", "34.40"] in rows
    assert ["tasks_finished_late", "CRM", "1"] in rows
    assert ["tasks_late_now", "Newsletter tool", "1"] in rows
    assert ["requests_closed", "delayed_by_a_task", "2"] in rows
    assert ["requests_closed", "share_delayed_by_a_task", "0.5000"] in rows


def test_a_system_name_cannot_become_a_spreadsheet_formula(web, app, clock, dana):
    data = {"name": "=HYPERLINK(1)", "owner": dana.email, "contexts": "marketing"}
    systems.add_system(db.session, data={**data, "rights": "erasure"})
    _in_work(clock, SEPTEMBER_1, dana)
    clock.set(NOW)
    web.sign_in(dana.email)
    response = web.get("/metrics.csv?from=2026-10-01&to=2026-11-02")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert ["tasks_late_now", "'=HYPERLINK(1)", "1"] in rows
