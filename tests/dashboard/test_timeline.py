"""The timeline names people by their staff name and the product's own steps in words."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from casetracker.cases import service as case_service
from casetracker.cases.models import Event
from casetracker.dashboard import filters
from casetracker.extensions import db
from casetracker.people.actors import Actor
from tests import factories
from tests.dashboard.conftest import open_case

PRIYA_SLACK = "U0PRIYA"
OLDEST_FIRST = [
    "by casetracker via api",
    "by Priya Raman via slack",
    "by Priya Raman via web",
    "by Tomasz Nowak via api",
    "by left.in.2025@example.com via web",
    "by Priya Raman via slack",
    "by casetracker (scheduler) via scheduler",
]


def _note(case, actor: Actor, source: str, text: str):
    return case_service.perform(
        db.session,
        reference=case.reference,
        action="note",
        version=case.version,
        params={"text": text},
        actor=actor,
        source=source,
    )


def _who(html: str) -> list[str]:
    """The "by … via …" lines of the timeline, oldest first as the case file lists them."""
    lines = re.findall(r'<p class="event-who"[^>]*>(.*?)</p>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip() for line in lines]


@pytest.fixture
def history(app, client, priya, tomasz, dana):
    """A case touched by the public form, Priya on Slack and on the web, Tomasz's API
    token, a former colleague, and the Slack id alone (as older demo data recorded it)."""
    priya.slack_user_id = PRIYA_SLACK
    db.session.commit()
    from_slack = Actor.via_slack(priya, slack_user_id=PRIYA_SLACK)
    case = _note(open_case(priya), from_slack, "slack", "called")
    case = _note(case, Actor.for_staff(priya), "web", "wrote")
    api = factories.ApiClient(client, factories.token(tomasz))
    body = api.get(f"/api/v1/cases/{case.reference}").get_json()
    assert api.act(body, "note", text="synced").status_code == 200
    case = case_service.get_case(db.session, reference=case.reference)
    former = Actor(kind="staff", label="left.in.2025@example.com", role="dpo")
    case = _note(case, former, "web", "archived")
    legacy = Actor(kind="slack_user", label=PRIYA_SLACK, role="staff", staff_id=priya.id)
    case = _note(case, legacy, "slack", "older row")
    return _note(case, Actor.system("scheduler"), "scheduler", "swept")


def test_the_case_file_names_each_person_and_says_what_the_product_did(web, history, dana):
    web.sign_in(dana.email)
    assert _who(web.get(f"/cases/{history.reference}/file").text) == OLDEST_FIRST


def test_the_case_page_lists_the_same_names_newest_first_with_the_recorded_label_at_hand(
    web, history, priya
):
    web.sign_in(priya.email)
    page = web.get(f"/cases/{history.reference}").text
    assert _who(page) == OLDEST_FIRST[::-1]
    assert f'title="recorded as priya@example.com (Slack {PRIYA_SLACK})"' in page


def test_the_audit_trail_keeps_the_labels_it_recorded(api, history):
    actors = [e["actor"] for e in api.get(f"/api/v1/cases/{history.reference}/events").json]
    assert actors[1] == f"priya@example.com (Slack {PRIYA_SLACK})"
    assert actors[3].startswith("tomasz@example.com (token ")
    stored = db.session.scalars(select(Event.actor).where(Event.case_id == history.id)).all()
    assert stored[2] == "priya@example.com"
    assert stored[-2] == PRIYA_SLACK


def test_names_are_looked_up_once_for_the_whole_timeline(app, history):
    events = db.session.scalars(select(Event).where(Event.case_id == history.id)).all()
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        entries = filters.timeline(events)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(entries) == 7
    assert len(statements) == 1
