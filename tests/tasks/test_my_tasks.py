"""My tasks: a person's open and blocked tasks across requests, soonest due first."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from casetracker.cases import task_queries
from casetracker.extensions import db

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _task(api, reference, system):
    items = api.get(f"/api/v1/cases/{reference}/tasks").json["items"]
    return next(item["id"] for item in items if item["system"] == system)


@pytest.fixture
def priyas_work(in_work, dpo_api, clock):
    """Priya's CRM tasks: one late, one due in five weeks, one done, one on a denied request."""
    clock.set(datetime(2026, 9, 15, 9, 0, tzinfo=UTC))
    late = in_work()
    clock.set(NOW)
    current = in_work()
    finished = in_work(right="access", data_context="website")
    crm = _task(dpo_api, finished["reference"], "CRM")
    dpo_api.post(f"/api/v1/cases/{finished['reference']}/tasks/{crm}", json={"status": "done"})
    denied = in_work()
    dpo_api.act(denied, "resolve", outcome="denied", reason="Manifestly unfounded.")
    return {"late": late, "current": current, "finished": finished, "denied": denied}


def _rows(page: str) -> list[str]:
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_my_tasks_lists_open_tasks_on_open_requests_soonest_due_first(web, priya, priyas_work):
    web.sign_in(priya.email)
    page = web.get("/my-tasks")
    assert page.status_code == 200
    late, current = priyas_work["late"]["reference"], priyas_work["current"]["reference"]
    assert _rows(page.text) == [
        f"{late} Erasure · California CRM Open Overdue by 12 days due Tue 20 Oct 2026, 23:59 CEST",
        f"{current} Erasure · California CRM Open Mon 7 Dec 2026, 23:59 CET 35 days left",
    ]
    assert f'<a href="/cases/{late}">{late}</a>' in page.text
    assert priyas_work["finished"]["reference"] not in page.text
    assert priyas_work["denied"]["reference"] not in page.text


def test_my_tasks_is_in_the_navigation_after_my_cases(web, priya, priyas_work):
    web.sign_in(priya.email)
    page = web.get("/my-cases").text
    assert page.index('href="/my-cases"') < page.index('href="/my-tasks"')
    current = web.get("/my-tasks").text
    assert '<a href="/my-tasks" aria-current="page">My tasks' in current
    assert task_queries.count_unfinished_for(db.session, owner_id=priya.id) == 2
    counted = 'My tasks <span class="nav-count">2<span class="visually-hidden"> open</span></span>'
    assert counted in page


def test_a_blocked_task_stays_in_the_queue_and_says_so(web, tomasz, dpo_api, in_work):
    reference = in_work()["reference"]
    newsletter = _task(dpo_api, reference, "Newsletter tool")
    body = {"status": "blocked", "note": "Waiting for the vendor's export."}
    dpo_api.post(f"/api/v1/cases/{reference}/tasks/{newsletter}", json=body)
    web.sign_in(tomasz.email)
    [row] = _rows(web.get("/my-tasks").text)
    assert "Newsletter tool Blocked" in row
    assert "export" not in web.get("/my-tasks").text


def test_someone_without_tasks_is_told_so(web, dana, priyas_work):
    web.sign_in(dana.email)
    page = web.get("/my-tasks").text
    assert "You have no open or blocked task." in page
    assert "<table" not in page
