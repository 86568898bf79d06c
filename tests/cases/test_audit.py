"""The audit trail: every change recorded, and nothing can rewrite it."""

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from casetracker.cases.models import Event, EventImmutable
from casetracker.extensions import db


def test_every_change_leaves_an_event_with_actor_source_before_after_and_reason(api, staff):
    case = api.create()
    api.act(case, "hold", reason="Waiting for the complainant's screenshots")
    events = api.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert [e["action"] for e in events] == ["create", "hold"]
    hold = events[1]
    assert hold["actor"].startswith(staff.email)
    assert (hold["actor_type"], hold["source"]) == ("api_token", "api")
    assert hold["before"]["status"] == "open"
    assert hold["after"]["status"] == "on_hold"
    assert hold["reason"] == "Waiting for the complainant's screenshots"


def test_events_hold_no_personal_data(api):
    case = api.create()
    events = api.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert "erika" not in str(events).lower()


@pytest.fixture
def an_event(api):
    api.create()
    return db.session.scalars(db.select(Event)).first()


def test_an_event_cannot_be_updated_through_the_orm(an_event):
    an_event.reason = "rewritten"
    with pytest.raises(EventImmutable):
        db.session.commit()
    db.session.rollback()


def test_an_event_cannot_be_deleted_through_the_orm(an_event):
    db.session.delete(an_event)
    with pytest.raises(EventImmutable):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [update(Event).values(reason="rewritten"), delete(Event)],
    ids=["bulk-update", "bulk-delete"],
)
def test_bulk_statements_on_events_are_refused(an_event, statement):
    with pytest.raises(EventImmutable):
        db.session.execute(statement)
    db.session.rollback()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE events SET reason = 'rewritten'", "DELETE FROM events"],
    ids=["update", "delete"],
)
def test_the_database_itself_refuses_to_change_events(an_event, sql):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(sql))
    db.session.rollback()
    assert db.session.get(Event, an_event.id).reason is None
