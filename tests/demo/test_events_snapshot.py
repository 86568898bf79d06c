"""The audit trail the demo leaves, recorded once: refactoring must not move behaviour.

The demo load, an SLA sweep at the demo's "now" and a retention purge years later touch
every kind of change the product makes (and must leave every case's hash chain intact).
Their events (action, actor, source, before, after, reason, time) are compared with
``demo_events.json``. After a deliberate change of behaviour, write the file anew with
``CASETRACKER_UPDATE_SNAPSHOT=1`` and review its diff.
"""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from casetracker.cases.models import Case, Event
from casetracker.extensions import db
from casetracker.people import service as people_service

SNAPSHOT = Path(__file__).with_name("demo_events.json")


@pytest.fixture
def quick_hashes(monkeypatch):
    quick = partial(generate_password_hash, method="pbkdf2:sha256:1000")
    monkeypatch.setattr(people_service, "generate_password_hash", quick)


def _trail() -> list[dict]:
    rows = db.session.execute(
        select(Case.reference, Event).join(Case, Case.id == Event.case_id).order_by(Event.id)
    )
    return [
        {
            "case": reference,
            "at": event.at.isoformat(),
            "action": event.action,
            "actor": f"{event.actor_type}:{event.actor}",
            "source": event.source,
            "before": event.before,
            "after": event.after,
            "reason": event.reason,
        }
        for reference, event in rows
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_demo_history_leaves_the_recorded_audit_trail(runner, clock, quick_hashes):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert runner.invoke(args=["jobs", "run", "sla-sweep"]).exit_code == 0
    clock.advance(days=3 * 365)
    assert runner.invoke(args=["jobs", "run", "retention-purge"]).exit_code == 0
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert verified.output.endswith("events: every chain is intact\n")

    trail = _trail()
    if os.environ.get("CASETRACKER_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(trail, indent=1, ensure_ascii=False) + "\n")
    recorded = json.loads(SNAPSHOT.read_text())
    assert len(trail) == len(recorded)
    for now, then in zip(trail, recorded, strict=True):
        assert now == then
    assert {"create", "breach", "retention_purge"} <= {e["action"] for e in trail}
    assert trail[-1]["at"] > trail[0]["at"]
