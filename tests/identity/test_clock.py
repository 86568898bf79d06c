"""While identity is checked, a UK request's month waits for the check (UK GDPR Art. 12A);
EU and Californian requests keep counting from receipt."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from casetracker.cases import service as case_service
from casetracker.extensions import db
from casetracker.people.actors import Actor
from tests.identity.conftest import case_for, file_request, identity_emails, link_in, press

BERLIN = ZoneInfo("Europe/Berlin")


def respond_due(case) -> date:
    clock = next(c for c in case.running_clocks if c.name == "respond")
    return clock.due_at.astimezone(BERLIN).date()


def verify_by_link(client, mailbox, staff):
    assert press(client, link_in(identity_emails(mailbox)[-1])).status_code == 303


def verify_by_staff(client, mailbox, staff):
    case = case_for("erika@example.org")
    case_service.perform(
        db.session, reference=case.reference, action="verify_identity", version=case.version,
        params={"reason": "ID checked on a call"}, actor=Actor.for_staff(staff), source="web",
    )  # fmt: skip


@pytest.mark.parametrize("verify", [verify_by_link, verify_by_staff])
@pytest.mark.parametrize(
    ("country", "answers", "on_receipt", "after_check"),
    [
        # Received Mon 2 Nov 2026; identity confirmed Sun 8 Nov.
        ("GB", {}, date(2026, 12, 2), date(2026, 12, 8)),
        ("DE", {}, date(2026, 12, 2), date(2026, 12, 2)),
        ("US", {"california": "y"}, date(2026, 12, 17), date(2026, 12, 17)),
    ],
    ids=["UK", "EU", "US-CA"],
)
def test_the_respond_clock_waits_for_the_check_only_where_the_law_says(
    client, clock, mailbox, staff, verify, country, answers, on_receipt, after_check
):
    case = file_request(client, clock, country=country, **answers)
    assert respond_due(case) == on_receipt
    clock.advance(days=6)
    verify(client, mailbox, staff)
    verified = case_for("erika@example.org")
    assert verified.stage == "in_progress"
    assert respond_due(verified) == after_check
    if after_check != on_receipt:
        respond = next(c for c in verified.running_clocks if c.name == "respond")
        assert respond.started_at == clock()
        events = case_service.events_of(db.session, reference=verified.reference)
        assert "respond clock counted from the identity check: due 08 Dec 2026" in events[-1].reason
