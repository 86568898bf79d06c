from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from casetracker import timesource
from casetracker.cases import service as case_service
from casetracker.cases.models import Case, Event
from casetracker.demo import data, scenario
from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage
from casetracker.people import service as people_service
from casetracker.people.actors import Actor
from casetracker.people.models import Staff
from casetracker.policy import DATA_CONTEXTS, JURISDICTIONS, KINDS, RIGHTS, STAGES
from tests import factories


@pytest.fixture
def quick_hashes(monkeypatch):
    # scrypt costs a quarter second per account; the hash format is all this file checks.
    quick = partial(generate_password_hash, method="pbkdf2:sha256:1000")
    monkeypatch.setattr(people_service, "generate_password_hash", quick)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _counts() -> tuple[int, ...]:
    return tuple(_count(model) for model in (Case, Event, Staff, OutboxMessage))


def _overdue(case, now) -> bool:
    return any(c.paused_since is None and c.due_at < now for c in case.running_clocks)


def _advice_recorded(case) -> bool:
    return any(clock.name == "comply_with_advice" for clock in case.clocks)


def _assert_variety(cases, now):
    assert len(cases) >= 60
    assert {c.jurisdiction for c in cases} == set(JURISDICTIONS)
    assert {c.kind for c in cases} == set(KINDS)
    assert {c.data_context for c in cases} == set(DATA_CONTEXTS)
    assert {c.right for c in cases if c.right} == set(RIGHTS)
    assert {c.stage for c in cases} == set(STAGES)
    assert {_advice_recorded(c) for c in cases if c.stage == "dpa_panel"} == {True, False}
    assert any(_overdue(c, now) for c in cases)
    assert any(c.status == "on_hold" for c in cases)
    assert any(clock.original_due_at for c in cases for clock in c.clocks)
    assert {"redirected", "resolved", "not_upheld", "complied"} <= {c.outcome for c in cases}
    assert {c.priority for c in cases} == {"low", "normal", "high"}
    assert any(c.owner is None for c in cases)


def _assert_history(cases, now):
    assert min(c.received_at for c in cases) >= now - timedelta(days=125)
    per_case = db.session.execute(select(Event.case_id, func.count()).group_by(Event.case_id))
    assert len(per_case.all()) == len(cases)
    assert db.session.scalar(select(func.max(Event.at))) <= now
    actions = set(db.session.scalars(select(Event.action)))
    assert {"reopen", "escalate", "extend", "record_advice", "redirect"} <= actions
    assert _count(OutboxMessage) > len(cases)


def test_demo_load_fills_every_stage_with_history_once(runner, quick_hashes):
    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    assert "Sign in as dpo@demo.casetracker.test / demo-password-2026" in result.output
    now = timesource.now()
    cases = db.session.scalars(select(Case)).all()
    _assert_variety(cases, now)
    _assert_history(cases, now)
    team = db.session.scalars(select(Staff)).all()
    assert sorted(m.role for m in team) == ["admin", "dpo", "staff", "staff", "staff", "staff"]
    assert {c.owner.email for c in cases if c.owner} >= {m.email for m in team if m.role != "admin"}
    assert all(check_password_hash(m.password_hash, data.DEMO_PASSWORD) for m in team)
    assert all(m.slack_user_id.startswith("U0") for m in team)

    counts = _counts()
    again = runner.invoke(args=["demo", "load"])

    assert again.exit_code == 1
    assert f"already holds {len(data.CASES)} cases" in again.output
    assert _counts() == counts


def test_demo_load_refuses_a_database_with_cases(runner):
    case_service.create_case(
        db.session, data=factories.case_payload(), actor=Actor.system(), source="intake"
    )

    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 1
    assert "already holds 1 cases" in result.output
    assert _counts()[:3] == (1, 1, 0)


def test_demo_load_stops_clearly_when_the_policy_refuses_a_step(runner, quick_hashes, monkeypatch):
    request = scenario.case(
        "request EU website access",
        ("Erika Mustermann", "DE"),
        "Wants a copy of her account data.",
        days_ago=10,
        steps=(scenario.escalate(3, "BBB-DPF-{year}-0001"),),
    )
    monkeypatch.setattr(data, "CASES", (request,))

    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 1
    assert "stopped after 0 cases: the request of Erika Mustermann was refused" in result.output


def test_demo_history_never_reaches_past_now():
    # A receipt may fall up to a day after days_ago: in working hours of that day.
    for demo_case in data.CASES:
        for step in demo_case.steps:
            assert step.after <= demo_case.days_ago - 1, (demo_case.who, step.action)


def test_if_empty_lets_start_up_scripts_run_it_every_time(runner):
    case_service.create_case(
        db.session, data=factories.case_payload(), actor=Actor.system(), source="intake"
    )
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert "not loaded" in again.output
    assert "Sign in as dpo@demo.casetracker.test" in again.output
    assert _counts()[:3] == (1, 1, 0)
