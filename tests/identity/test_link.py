"""The identity link: opening it changes nothing, pressing its button verifies once, and every
link that does not work gets one and the same page."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select

from casetracker.cases import service as case_service
from casetracker.cases.models import Event
from casetracker.extensions import db
from casetracker.intake.models import IdentityLink
from casetracker.outbox.models import OutboxMessage
from casetracker.people import actors
from casetracker.people.actors import Actor
from tests import factories
from tests.identity.conftest import (
    case_for,
    file_request,
    identity_emails,
    link_in,
    links_of,
    press,
)


def events(case) -> list[Event]:
    found = select(Event).where(Event.case_id == case.id).order_by(Event.id)
    return list(db.session.scalars(found))


def test_the_link_goes_to_the_individual_alone_and_only_its_hash_is_kept(waiting, mailbox):
    [email] = identity_emails(mailbox)
    assert (email["To"], email["Cc"]) == ("erika@example.org", None)
    assert waiting.reference in email["Subject"]
    path = link_in(email)
    token = path.rsplit("/", 1)[1]
    [link] = links_of(waiting)
    assert link.token_hash != token
    stored = [str(row.payload) for row in db.session.scalars(select(OutboxMessage))]
    assert not any(token in payload for payload in stored)
    assert "until November 9, 2026" in email.get_body(("plain",)).get_content()


def test_opening_the_link_changes_nothing(client, waiting, mailbox):
    path = link_in(identity_emails(mailbox)[0])
    before = factories.row_counts()
    for _ in range(3):
        page = client.get(path)
        assert page.status_code == 200
        assert "Confirm it is me" in page.get_data(as_text=True)
    assert factories.row_counts() == before
    assert case_for("erika@example.org").stage == "verifying_identity"
    assert links_of(waiting)[0].used_at is None


def test_the_button_verifies_the_request_once_as_the_individual(client, clock, waiting, mailbox):
    path = link_in(identity_emails(mailbox)[0])
    answer = press(client, path)
    assert answer.status_code == 303
    thanks = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "We are now working on it" in thanks
    case = case_for("erika@example.org")
    assert case.stage == "in_progress"
    assert case.subject.identity_verified_at == clock()
    verified = events(case)[-1]
    assert (verified.action, verified.actor_type, verified.source) == (
        "verify_identity",
        "individual",
        "individual",
    )
    assert "confirmed it is them through the emailed link" in verified.reason
    names = actors.names(db.session, recorded={(verified.actor_type, verified.actor)})
    assert names[("individual", "individual")] == "the individual (emailed link)"

    again = press(client, path)
    assert again.status_code == 404
    assert "This link does not work" in again.get_data(as_text=True)
    assert [e.action for e in events(case)].count("verify_identity") == 1


def test_the_link_does_not_work_after_it_expires(client, clock, waiting, mailbox):
    path = link_in(identity_emails(mailbox)[0])
    clock.advance(days=7, hours=14)  # past the end of 9 November, Berlin time
    assert client.get(path).status_code == 404
    assert press(client, path).status_code == 404
    assert case_for("erika@example.org").stage == "verifying_identity"


def test_a_link_opens_its_own_case_only(client, clock, mailbox):
    first = file_request(client, clock, email="erika@example.org")
    second = file_request(client, clock, email="max@example.org")
    path = link_in(identity_emails(mailbox, to="max@example.org")[0])
    assert press(client, path).status_code == 303
    assert case_for("max@example.org").stage == "in_progress"
    assert case_for("erika@example.org").stage == "verifying_identity"
    assert first.reference != second.reference


def _without_csrf(page: bytes) -> bytes:
    return re.sub(rb'name="csrf_token" type="hidden" value="[^"]+"', b"", page)


def test_every_link_that_does_not_work_gets_the_same_page(client, clock, mailbox):
    file_request(client, clock, email="erika@example.org")
    file_request(client, clock, email="max@example.org")
    used = link_in(identity_emails(mailbox, to="erika@example.org")[0])
    expiring = link_in(identity_emails(mailbox, to="max@example.org")[0])
    assert press(client, used).status_code == 303
    clock.advance(days=8)
    prefix = "/complaints/verify/"
    token = expiring.removeprefix(prefix)
    tampered = prefix + token[:-1] + ("0" if token[-1] != "0" else "1")
    unknown = prefix + secrets.token_hex(32)
    malformed = prefix + "not-a-token"
    paths = (used, expiring, tampered, unknown, malformed)

    for method in (client.get, lambda path: press(client, path)):
        answers = [method(path) for path in paths]
        assert {answer.status_code for answer in answers} == {404}
        pages = {_without_csrf(answer.get_data()) for answer in answers}
        assert len(pages) == 1
    page = pages.pop().decode()
    assert "This link does not work" in page
    assert "privacy@casetracker.test" in page
    assert token not in page


def test_an_invalid_press_changes_nothing(client, waiting, mailbox):
    path = link_in(identity_emails(mailbox)[0])
    before = factories.row_counts()
    answer = press(client, path, with_token=False)
    assert answer.status_code == 400
    assert "Please press the button again" in answer.get_data(as_text=True)
    assert factories.row_counts() == before
    assert case_for("erika@example.org").stage == "verifying_identity"
    assert links_of(waiting)[0].used_at is None
    assert press(client, path).status_code == 303


def test_presses_are_rate_limited(app, client, waiting):
    app.config["INTAKE_RATE_LIMIT"] = "2 per hour"
    unknown = f"/complaints/verify/{secrets.token_hex(32)}"
    codes = [press(client, unknown).status_code for _ in range(3)]
    assert codes == [404, 404, 429]


def test_a_check_recorded_by_staff_makes_the_link_stop_working(client, waiting, mailbox, staff):
    path = link_in(identity_emails(mailbox)[0])
    case_service.perform(
        db.session,
        reference=waiting.reference,
        action="verify_identity",
        version=case_for("erika@example.org").version,
        params={"reason": "ID checked on a call"},
        actor=Actor.for_staff(staff),
        source="web",
    )
    assert links_of(waiting)[0].used_at is not None
    assert client.get(path).status_code == 404
    assert press(client, path).status_code == 404
    verified = [e for e in events(waiting) if e.action == "verify_identity"]
    assert [e.actor for e in verified] == ["sam@example.com"]


def test_only_requests_filed_through_the_form_get_a_link(api, clock, mailbox):
    case = api.create(kind="request", right="access", jurisdiction="EU")
    api.act(case, "acknowledge")
    assert db.session.scalar(select(func.count()).select_from(IdentityLink)) == 0
