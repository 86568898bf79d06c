"""The retention purge erases old closed cases' personal data and keeps the case."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from casetracker.cases import purge
from casetracker.cases.models import Case, Event
from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage


def closed_case(api, **fields):
    subject = {
        "name": "Erika Mustermann",
        "email": "erika@example.org",
        "country": "DE",
        "agent_name": "Max Agent",
        "agent_email": "max@example.org",
    }
    case = api.create(subject=subject, **fields)
    return api.act(case, "resolve", outcome="resolved").get_json()


def test_purge_erases_personal_data_of_old_closed_cases_only(api, client, clock):
    clock.set(datetime(2024, 9, 1, 9, 0, tzinfo=UTC))
    old = closed_case(api, summary="I was filmed at work without consent.")
    case_row = db.session.scalar(select(Case).where(Case.reference == old["reference"]))
    db.session.add(_email(case_row.id))
    db.session.commit()
    clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    recent = closed_case(api)
    still_open = api.create()
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))

    report = purge.purge(db.session, now=clock.at)
    assert report.erased == 1
    assert purge.purge(db.session, now=clock.at).erased == 0

    erased = _case(old["reference"])
    assert erased.summary is None
    subject = erased.subject
    assert [subject.name, subject.email, subject.agent_name, subject.agent_email] == [None] * 4
    assert erased.subject.erased_at == clock.at
    assert erased.subject.country == "DE"
    assert (erased.stage, erased.outcome, len(erased.clocks)) == ("closed", "resolved", 2)
    for kept in (recent, still_open):
        assert _case(kept["reference"]).subject.name == "Erika Mustermann"
        assert _case(kept["reference"]).summary
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "email"))
    assert (email.recipient, email.payload) == ("erased", {"erased": True})

    events = api.get(f"/api/v1/cases/{old['reference']}/events").get_json()
    assert [event["action"] for event in events] == ["create", "resolve", "retention_purge"]
    purge_event = events[-1]
    assert (purge_event["source"], purge_event["reason"]) == (
        "scheduler",
        "personal data erased: closed more than 24 months ago (retention policy)",
    )
    assert db.session.scalar(select(func.count()).select_from(Case)) == 3
    listed = api.get("/api/v1/cases?status=closed").get_json()["items"]
    assert old["reference"] in {item["reference"] for item in listed}
    total = select(func.count()).select_from(Event).where(Event.action == "retention_purge")
    assert db.session.scalar(total) == 1


def _case(reference):
    db.session.expire_all()
    return db.session.scalar(select(Case).where(Case.reference == reference))


def _email(case_id):
    return OutboxMessage(
        channel="email",
        recipient="erika@example.org",
        topic="case_closed",
        payload={"to": "erika@example.org", "body": "Dear Erika"},
        dedupe_key="email:test",
        case_id=case_id,
        created_at=datetime(2024, 9, 1, 9, 0, tzinfo=UTC),
        next_attempt_at=datetime(2024, 9, 1, 9, 0, tzinfo=UTC),
        sent_at=datetime(2024, 9, 1, 9, 0, tzinfo=UTC),
        attempts=1,
    )
