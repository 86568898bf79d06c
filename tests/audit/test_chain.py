"""Each case's audit events form a hash chain that `flask audit verify` checks.

An event edited or deleted in the database itself, past the ORM and the triggers, is found
and named by case and seq; a chain cannot fork; the retention purge adds to the chain and
rewrites nothing.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casetracker.cases import chain, handlers, purge, workflow
from casetracker.cases import service as case_service
from casetracker.cases.errors import StaleVersion
from casetracker.cases.models import Case, Event
from casetracker.cases.writes import writing
from casetracker.extensions import db
from casetracker.people.actors import Actor
from tests import factories

WRITERS = 6
# What PostgreSQL adds to these (row locks, the trigger, the JSON and time round trips) is
# shown by the tests that run on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _trail(reference: str) -> list[Event]:
    db.session.expire_all()
    query = select(Event).join(Case).where(Case.reference == reference).order_by(Event.id)
    return list(db.session.scalars(query))


def _worked_case(api) -> str:
    case = api.create()
    case = api.act(case, "hold", reason="Waiting for the complainant's screenshots").get_json()
    case = api.act(case, "resume").get_json()
    api.act(case, "note", text="Screenshots arrived: three newsletters after opt-out.")
    return case["reference"]


def test_workflow_actions_chain_each_case_s_events_in_order(api, runner):
    worked = _worked_case(api)
    other = api.create()["reference"]

    events = _trail(worked)
    assert [(e.seq, e.action) for e in events] == [
        (1, "create"),
        (2, "hold"),
        (3, "resume"),
        (4, "note"),
    ]
    previous = chain.GENESIS
    for event in events:
        assert event.hash == chain.digest(event, reference=worked, previous=previous)
        previous = event.hash
    assert [e.seq for e in _trail(other)] == [1]
    listed = api.get(f"/api/v1/cases/{worked}/events").get_json()
    assert [(e["seq"], e["hash"]) for e in listed] == [(e.seq, e.hash) for e in events]

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output == "checked 2 cases, 5 events: every chain is intact\n"


def test_an_event_edited_in_the_database_is_found_by_case_and_seq(api, runner, tamper):
    edited, untouched = _worked_case(api), _worked_case(api)
    victim = _trail(edited)[1]
    tamper("UPDATE events SET reason = 'Routine check' WHERE id = :id", id=victim.id)

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"broken: {edited}: seq 2 (event id {victim.id}): hash mismatch" in result.output
    assert untouched not in result.output
    assert "checked 2 cases, 8 events: 1 broken chain" in result.output
    assert runner.invoke(args=["audit", "verify", "--case", untouched]).exit_code == 0


@SQLITE_ONLY
def test_an_event_deleted_from_the_database_is_found_as_a_gap(api, runner, tamper):
    reference = _worked_case(api)
    gone, after = _trail(reference)[2:4]
    tamper("DELETE FROM events WHERE id = :id", id=gone.id)

    result = runner.invoke(args=["audit", "verify", "--case", reference])

    assert result.exit_code == 1
    assert f"{reference}: seq 4 (event id {after.id}): seq 3 missing" in result.output


@SQLITE_ONLY
def test_an_event_stripped_of_its_hash_is_named(api, runner, tamper):
    reference = api.create()["reference"]
    tamper("UPDATE events SET hash = ''")

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"{reference}: seq 1 (event id 1): no hash recorded" in result.output


@SQLITE_ONLY
def test_a_case_whose_events_were_all_deleted_is_named(api, runner, tamper):
    reference = api.create()["reference"]
    tamper("DELETE FROM events")

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"{reference}: no events: no audit events" in result.output


@SQLITE_ONLY
def test_a_second_event_at_the_same_place_in_a_chain_is_refused(api):
    reference = api.create()["reference"]
    first = _trail(reference)[0]
    fork = Event(
        case_id=first.case_id, at=first.at, actor_type="system", actor="system",
        source="api", action="note", before={}, after={}, reason="fork", seq=1, hash="0" * 64,
    )  # fmt: skip
    with writing(db.session):
        db.session.add(fork)
        with pytest.raises(IntegrityError):
            db.session.flush()
    db.session.rollback()


@SQLITE_ONLY
def test_a_colleague_s_change_midway_still_leaves_one_chain(api, staff, runner, monkeypatch):
    reference = api.create()["reference"]
    real_apply, once = workflow.apply, []

    def apply(step: handlers.Step, *, role):
        if not once:
            once.append(step.case.reference)
            with Session(db.engine) as other:
                case_service.perform(
                    other, reference=reference, action="note", version=case_service.CURRENT,
                    params={"text": "Phoned them back"}, actor=Actor.for_staff(staff),
                    source="api",
                )  # fmt: skip
        real_apply(step, role=role)

    monkeypatch.setattr(workflow, "apply", apply)
    case_service.perform_now(
        db.session, reference=reference, action="note", params={"text": "Wrote to them"},
        actor=Actor.for_staff(staff), source="api",
    )  # fmt: skip

    assert [(e.seq, e.reason) for e in _trail(reference)][1:] == [
        (2, "Phoned them back"),
        (3, "Wrote to them"),
    ]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


@SQLITE_ONLY
def test_the_retention_purge_extends_the_chain_and_rewrites_nothing(api, clock, runner):
    case = api.create(summary="I was filmed at work without consent.")
    api.act(case, "resolve", outcome="resolved")
    sealed = [(e.seq, e.hash, e.after) for e in _trail(case["reference"])]
    clock.advance(days=3 * 365)

    assert purge.purge(db.session, now=clock.at).erased == 1

    events = _trail(case["reference"])
    assert [(e.seq, e.hash, e.after) for e in events[:2]] == sealed
    assert (events[2].seq, events[2].action) == (3, "retention_purge")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


@SQLITE_ONLY
def test_verifying_an_unknown_case_names_it(app, runner):
    result = runner.invoke(args=["audit", "verify", "--case", "PC-2099-00001"])
    assert result.exit_code == 2
    assert result.output == "error: --case: no case with reference 'PC-2099-00001'\n"


@pytest.mark.postgres
def test_writers_racing_on_one_case_extend_its_chain_one_after_another(postgres_app):
    member = factories.staff(email="sam@example.com", name="Sam Staff")
    reference = factories.ApiClient(
        postgres_app.test_client(), factories.token(member, scopes=["pii"])
    ).create()["reference"]
    actor, barrier = Actor.for_staff(member), threading.Barrier(WRITERS)

    def note(number: int) -> bool:
        with postgres_app.app_context(), Session(db.engine) as own:
            barrier.wait()
            try:
                case_service.perform(
                    own, reference=reference, action="note", version=case_service.CURRENT,
                    params={"text": f"Call {number}"}, actor=actor, source="api",
                )  # fmt: skip
            except StaleVersion:
                return False
            return True

    with ThreadPoolExecutor(WRITERS) as pool:
        written = sum(pool.map(note, range(WRITERS)))

    assert written >= 1
    assert [e.seq for e in _trail(reference)] == list(range(1, written + 2))
    result = postgres_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.output == f"checked 1 case, {written + 1} events: every chain is intact\n"


@SQLITE_ONLY
def test_a_trail_cut_short_after_its_head_was_given_out_is_found(api, runner, tamper):
    reference = _worked_case(api)
    head = _trail(reference)[-1]
    given = ["audit", "verify", "--case", reference, "--head", f"{head.seq}:{head.hash}"]
    assert runner.invoke(args=given).exit_code == 0

    tamper("DELETE FROM events WHERE id = :id", id=head.id)

    assert runner.invoke(args=["audit", "verify", "--case", reference]).exit_code == 0
    result = runner.invoke(args=given)
    assert result.exit_code == 1
    assert f"broken: {reference}: seq 4: the chain no longer reaches the given head" in (
        result.output
    )


@SQLITE_ONLY
def test_a_head_that_differs_from_the_chain_is_named(api, runner):
    reference = _worked_case(api)
    head = _trail(reference)[1]
    result = runner.invoke(
        args=["audit", "verify", "--case", reference, "--head", f"2:{'ab' * 32}"]
    )
    assert result.exit_code == 1
    assert f"{reference}: seq 2 (event id {head.id}): the given head's hash differs" in (
        result.output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--head", "1:" + "0" * 64], "error: --head: needs --case"),
        (["--case", "PC-2026-00001", "--head", "one"], "error: --head: give it as SEQ:HASH"),
    ],
)
@SQLITE_ONLY
def test_a_malformed_head_is_refused_before_anything_is_checked(app, runner, args, message):
    result = runner.invoke(args=["audit", "verify", *args])
    assert result.exit_code == 2
    assert result.output.startswith(message)
