"""Slack rate-limiting, failing and hanging: every message once, late but in order per case."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select, update

import slackbot
from casetracker import create_app
from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import OutboxNotifier
from tests import factories
from tests.conftest import _settings
from tests.faults.support import figure
from tests.serving import serve
from tests.slackbot.conftest import CASES_CHANNEL, slack_settings
from tests.slackbot.web_api import FakeSlack, Traffic

POST = "chat.postMessage"
CLIENT_TIMEOUT = 0.3
STALL = 1.0


@pytest.fixture
def fake_slack(clock):
    server = FakeSlack(Traffic())
    server.stamp = clock
    stop = serve(server)
    yield server
    stop()


@pytest.fixture
def app(database_url, clock, fake_slack):
    """The app as wsgi.py builds it; the outbox is drained only when a test says so."""
    settings = slack_settings(fake_slack, OUTBOX_AFTER_COMMIT="off")
    app = create_app(_settings(database_url, clock, **settings))
    slackbot.init_app(app)
    # A Slack that hangs is given up on after CLIENT_TIMEOUT, not the product's 10 s.
    app.extensions[delivery.TRANSPORTS]["slack"].client.timeout = CLIENT_TIMEOUT
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def open_cases(count: int) -> list[Case]:
    """Open ``count`` cases, their announcements taken as delivered long ago."""
    api = factories.ApiClient(
        current_app.test_client(),
        factories.token(factories.staff(email="sam@example.com", name="Sam"), scopes=["pii"]),
    )
    references = [api.create()["reference"] for _ in range(count)]
    db.session.execute(update(OutboxMessage).values(sent_at=OutboxMessage.created_at))
    db.session.commit()
    return [db.session.scalars(select(Case).where(Case.reference == r)).one() for r in references]


def write(clock, messages: list[tuple[Case, int]]) -> None:
    """Queue message number N about each case, in the order given."""
    notifier = OutboxNotifier(db.session, now=clock())
    for case, number in messages:
        notifier.notify(
            topic="note",
            recipient="channel:cases",
            payload={"reference": case.reference, "stage": f"#{number}"},
            dedupe_key=f"note:{case.reference}:{number}",
            case_id=case.id,
        )
    db.session.commit()


def text(case: Case, number: int) -> str:
    return f"note · {case.reference} · #{number}"


def posted(fake: FakeSlack) -> list[str]:
    return [body["text"] for body in fake.called(POST) if body["channel"] == CASES_CHANNEL]


def pending() -> int:
    db.session.expire_all()
    return len(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()
    )


FAULTS = {
    "rate limited": lambda fake: fake.script(POST, (429, {"Retry-After": "30"})),
    "server error": lambda fake: fake.script(POST, (500, {})),
    "hanging": lambda fake: fake.stall(POST, STALL),
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_held_back_message_keeps_its_case_behind_it_and_goes_out_once(
    app, clock, fake_slack, fault
):
    first, other = open_cases(2)
    write(clock, [(first, 1), (other, 1), (first, 2), (first, 3), (other, 2)])
    FAULTS[fault](fake_slack)

    start = clock()
    delivery.deliver_due(db.session, now=clock())
    # The other case's messages go by; the held one's later messages wait behind it.
    assert posted(fake_slack) == [text(other, 1), text(other, 2)]

    # Slack asked for 30 s (429), or the first back-off is 30 s (error, time-out).
    clock.advance(seconds=29)
    delivery.deliver_due(db.session, now=clock())
    assert len(fake_slack.calls) == 3
    clock.advance(seconds=1)
    delivery.deliver_due(db.session, now=clock())
    clock.advance(hours=2)
    delivery.deliver_due(db.session, now=clock())

    expected = [text(other, 1), text(other, 2), *(text(first, n) for n in (1, 2, 3))]
    assert posted(fake_slack) == expected
    assert pending() == 0
    retried = [call for call in fake_slack.calls if call["body"]["text"] == text(first, 1)]
    assert [call["at"] - start for call in retried] == [timedelta(0), timedelta(seconds=30)]
    figure(f"Slack {fault}", "messages sent / expected, duplicates", f"{len(expected)}/5, 0")


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_storm_of_429s_500s_and_hangs_loses_reorders_and_doubles_nothing(app, clock, fake_slack):
    cases = open_cases(10)
    write(clock, [(case, n) for n in range(1, 5) for case in cases])
    chance = random.Random(1)
    answers = []
    for _ in range(36):
        roll = chance.random()
        if roll < 0.25:
            answers.append((429, {"Retry-After": str(chance.choice([1, 5, 20, 45]))}))
        elif roll < 0.4:
            answers.append((500, {}))
        else:
            answers.append((200, {}))
    fake_slack.script(POST, *answers[:12])
    fake_slack.stall(POST, STALL)
    fake_slack.script(POST, *answers[12:24])
    fake_slack.stall(POST, STALL)
    fake_slack.script(POST, *answers[24:])

    start = clock()
    for _ in range(400):
        factories.deliver_concurrently(app, now=clock())
        if pending() == 0:
            break
        clock.advance(seconds=5)

    expected = {text(case, n) for case in cases for n in range(1, 5)}
    sent = posted(fake_slack)
    assert sorted(sent) == sorted(expected)  # none lost, none twice
    order = defaultdict(list)
    for line in sent:
        reference, number = line.split(" · ")[1:]
        order[reference].append(number)
    out_of_order = sum(numbers != sorted(numbers) for numbers in order.values())
    assert out_of_order == 0
    margins = _waits_after_429(fake_slack.calls)
    early = [m for m in margins if m < timedelta(0)]
    assert margins
    assert early == []
    refused = sum(call["status"] != 200 for call in fake_slack.calls)
    assert fake_slack.scripts[POST] == []  # every fault was met
    assert refused == sum(status != 200 for status, _ in answers) + 2
    figure(
        "Slack 429/500/hang storm",
        "messages sent / expected, duplicates, cases out of order, retries before Retry-After",
        f"{len(sent)}/{len(expected)}, {len(sent) - len(set(sent))}, {out_of_order},"
        f" {len(early)} (shortest wait past Retry-After {min(margins).total_seconds():g} s;"
        f" {refused} refusals; drained in {clock() - start} of app time)",
    )


def _waits_after_429(calls: list[dict]) -> list[timedelta]:
    """For each 429, how much longer than its Retry-After Slack waited for the retry."""
    asked: dict[str, object] = {}
    margins = []
    for call in sorted(calls, key=lambda c: c["at"]):
        key = call["body"]["text"]
        if key in asked:
            margins.append(call["at"] - asked.pop(key))
        if call["status"] == 429:
            asked[key] = call["at"] + timedelta(seconds=int(call["headers"]["Retry-After"]))
    return margins
