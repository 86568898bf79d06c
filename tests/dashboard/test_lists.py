"""Queues, the All cases list with filters and keyset pages, and CSV exports."""

from __future__ import annotations

import csv
import io
import re

from .conftest import act, open_case

REFERENCE = re.compile(r'<th scope="row"><a href="/cases/([A-Z]+-\d{4}-\d{5})"')


def _references(page: str) -> list[str]:
    return REFERENCE.findall(page)


def test_queues_hold_the_right_cases(web, complaint, clock, priya, tomasz, dana):
    fresh = open_case(tomasz, received_days_ago=5, clock=clock)
    escalated = act(open_case(priya, received_days_ago=3, clock=clock), "acknowledge", priya)
    escalated = act(escalated, "escalate", dana, to_stage="independent_recourse")
    web.sign_in(dana.email)

    escalations = _references(web.get("/escalations").text)
    assert set(escalations) == {complaint.reference, escalated.reference}
    assert "waiting for your decision" in web.get("/escalations").text
    assert _references(web.get("/overdue").text) == [complaint.reference]
    assert fresh.reference in _references(web.get("/due-this-week").text)
    assert _references(web.get("/my-cases").text) == []

    web.post("/sign-out")
    web.sign_in(tomasz.email)
    assert _references(web.get("/my-cases").text) == [fresh.reference]


def test_all_cases_pages_with_a_cursor_without_repeats(web, app, priya):
    for _ in range(52):
        open_case(priya)
    web.sign_in(priya.email)
    first = web.get("/cases")
    seen = _references(first.text)
    assert len(seen) == 50
    cursor = re.search(r'href="([^"]*cursor=[^"]+)" rel="next"', first.text).group(1)
    second = web.get(cursor.replace("&amp;", "&"))
    rest = _references(second.text)
    assert len(rest) == 2
    assert not set(seen) & set(rest)
    assert 'rel="next"' not in second.text


def test_filters_and_reference_search(web, complaint, priya, tomasz):
    request = open_case(tomasz, kind="request", right="access", jurisdiction="US-CA")
    web.sign_in(priya.email)
    assert _references(web.get("/cases?kind=request").text) == [request.reference]
    assert _references(web.get("/cases?stage=internal_review").text) == [complaint.reference]
    assert _references(web.get(f"/cases?owner={tomasz.email}").text) == [request.reference]
    assert _references(web.get("/cases?jurisdiction=US-CA&status=open").text) == [request.reference]
    needle = complaint.reference[:7].lower()
    assert _references(web.get(f"/cases?q={needle}").text) == [complaint.reference]


def test_an_invalid_filter_is_named(web, priya):
    web.sign_in(priya.email)
    response = web.get("/cases?stage=limbo")
    assert response.status_code == 422
    assert 'id="stage-error"' in response.text


def test_htmx_filter_requests_get_only_the_results(web, complaint, priya):
    web.sign_in(priya.email)
    response = web.get("/cases?kind=complaint", headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert complaint.reference in response.text


def _csv(response) -> list[dict]:
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.text)))


def test_csv_export_has_pii_columns_only_for_the_dpo(web, complaint, priya, dana):
    web.sign_in(priya.email)
    rows = _csv(web.get("/cases.csv?kind=complaint"))
    assert [row["reference"] for row in rows] == [complaint.reference]
    assert rows[0]["stage"] == "internal_review"
    assert rows[0]["owner"] == priya.email
    assert "subject_email" not in rows[0]
    assert "Erika" not in web.get("/cases.csv").text
    web.post("/sign-out")

    web.sign_in(dana.email)
    rows = _csv(web.get("/cases.csv"))
    assert rows[0]["subject_name"] == "Erika Mustermann"
    assert rows[0]["subject_email"] == "erika@example.org"
    assert rows[0]["received_at"].endswith("+02:00")


def test_csv_export_follows_every_page_and_defuses_formulas(web, app, priya, dana):
    for _ in range(3):
        open_case(priya, summary="=HYPERLINK('http://evil.example')")
    web.sign_in(dana.email)
    rows = _csv(web.get("/queues/mine.csv"))
    assert rows == []
    rows = _csv(web.get("/cases.csv"))
    assert len(rows) == 3
    assert all(row["summary"].startswith("'=") for row in rows)
    assert _csv(web.get("/queues/overdue.csv")) == []
