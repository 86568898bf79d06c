"""An authorized agent's request (CCPA regs §7063(a)) waits for both the agent's written
permission and the individual's own confirmation, sent to the individual alone."""

from __future__ import annotations

from casetracker.cases import service as case_service
from casetracker.extensions import db
from casetracker.intake import service as intake
from casetracker.people.actors import Actor
from tests.identity.conftest import case_for, file_request, identity_emails, link_in, press

AGENT = {
    "country": "US",
    "california": "y",
    "agent_name": "ClearPath Privacy Agents",
    "agent_email": "agent@example.com",
}


def trail(case) -> list:
    return case_service.events_of(db.session, reference=case.reference)


def test_with_the_permission_on_record_the_individuals_confirmation_verifies(
    client, clock, mailbox
):
    case = file_request(
        client, clock, agent_authorization="Signed permission dated 1 October", **AGENT
    )
    assert intake.agent_permission_on_record(db.session, case=case) is True
    [link] = identity_emails(mailbox)
    assert (link["To"], link["Cc"]) == ("erika@example.org", None)
    [envelope] = [e for e in mailbox.envelopes if b"/complaints/verify/" in e.content]
    assert envelope.rcpt_tos == ["erika@example.org"]
    assert "gave them permission" in link.get_body(("plain",)).get_content()
    page = client.get(link_in(link)).get_data(as_text=True)
    assert "An authorized agent made this request for you" in page
    assert press(client, link_in(link)).status_code == 303
    assert case_for("erika@example.org").stage == "in_progress"


def test_without_the_permission_the_link_alone_does_not_verify(client, clock, mailbox, staff):
    case = file_request(client, clock, **AGENT)
    assert "without their written permission" in trail(case)[0].reason
    assert intake.agent_permission_on_record(db.session, case=case) is False
    answer = press(client, link_in(identity_emails(mailbox)[0]))
    thanks = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "we still need the written permission you gave your agent" in thanks
    waiting = case_for("erika@example.org")
    assert waiting.stage == "verifying_identity"
    confirmed = trail(waiting)[-1]
    assert (confirmed.action, confirmed.actor_type) == ("identity_confirmed", "individual")
    assert "written permission is missing" in confirmed.reason

    case_service.perform(
        db.session, reference=waiting.reference, action="verify_identity",
        version=waiting.version, params={"reason": "Signed permission received by email"},
        actor=Actor.for_staff(staff), source="web",
    )  # fmt: skip
    assert case_for("erika@example.org").stage == "in_progress"


def test_an_agent_using_the_individuals_address_gets_no_link(client, clock, mailbox):
    case = file_request(
        client, clock, email="agent@example.com", agent_authorization="Signed", **AGENT
    )
    assert identity_emails(mailbox) == []
    assert case.stage == "verifying_identity"
    assert "no identity link is sent" in trail(case)[0].reason
