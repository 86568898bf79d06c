"""Only the workflow writes cases: any other path is refused before it reaches the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from casetracker.cases import service as case_service
from casetracker.cases.models import Case, Clock, Event, Subject
from casetracker.cases.writes import WriteOutsideWorkflow
from casetracker.extensions import db
from casetracker.reminders import bulk


def test_changing_a_case_outside_the_workflow_is_refused(api):
    reference = api.create()["reference"]
    case = case_service.get_case(db.session, reference=reference)
    case.stage = "closed"
    with pytest.raises(WriteOutsideWorkflow, match=r"use casetracker\.cases\.service\.perform"):
        db.session.commit()
    db.session.rollback()
    assert api.get(f"/api/v1/cases/{reference}").get_json()["stage"] == "received"


@pytest.mark.parametrize(
    "statement",
    [
        update(Clock).values(breached_at=Clock.due_at),
        update(Subject).values(name=None),
        insert(Event).values(case_id=1, actor_type="system", actor="x", source="x", action="x"),
    ],
    ids=["breach-in-bulk", "erase-in-bulk", "hand-built-event"],
)
def test_bulk_writes_to_case_tables_are_refused(api, statement):
    api.create()
    with pytest.raises(WriteOutsideWorkflow, match="outside the workflow"):
        db.session.execute(statement)
    db.session.rollback()


def test_the_sweep_may_move_its_own_bookmark(api, clock):
    reference = api.create()["reference"]
    row = db.session.execute(
        select(Clock.id, Clock.due_at).join(Case).where(Case.reference == reference)
    ).first()
    later = clock() + timedelta(days=3)
    bulk.set_next_reminders(
        db.session,
        Clock.__table__,
        [{"clock_id": row.id, "seen_due": row.due_at, "next_at": later}],
    )
    db.session.commit()
    assert db.session.get(Clock, row.id).next_reminder_at == later
