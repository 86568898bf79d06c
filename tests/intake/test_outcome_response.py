"""The outcome email and the status page point to the response; a denial gives its reason
and the individual's right to complain (GDPR Art. 12(4))."""

from __future__ import annotations

import re

from sqlalchemy import select

from casetracker.cases import service as case_service
from casetracker.cases.access import web_actor
from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.outbox import delivery
from casetracker.responses import service as responses
from tests.intake.factories import submit

STATUS_LINK = re.compile(r'href="(/complaints/status/[^"]+)" id="status-link"')


def _deliver(clock):
    delivery.deliver_due(db.session, now=clock())


def _act(case: Case, staff, action: str, **params) -> Case:
    db.session.expire_all()
    current = case_service.get_case(db.session, reference=case.reference)
    return case_service.perform(
        db.session, reference=case.reference, action=action, version=current.version,
        params=params, actor=web_actor(staff, current), source="web",
    )  # fmt: skip


def _request_in_work(client, clock, dpo, **answers) -> tuple[Case, str]:
    client.get("/complaints/new?lang=de")
    assert submit(client, kind="request", right="access", **answers).status_code == 303
    page = client.get("/complaints/submitted").get_data(as_text=True)
    status_url = STATUS_LINK.search(page).group(1)
    _deliver(clock)
    case = db.session.scalars(select(Case)).one()
    case = _act(case, dpo, "assign", owner=dpo.email)
    return _act(case, dpo, "verify_identity"), status_url


def test_the_outcome_email_and_the_status_page_lead_to_the_download(
    app, client, clock, mailbox, dpo, tmp_path
):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "files")
    case, status_url = _request_in_work(client, clock, dpo)
    package = responses.release(
        db.session, reference=case.reference, data={}, actor=web_actor(dpo, case), source="web"
    )
    page = client.get(status_url).get_data(as_text=True)
    link = f"/complaints/response/{responses.token_of(package)}"
    assert f'href="{link}" id="response-link"' in page

    _act(case, dpo, "resolve", outcome="complied")
    _deliver(clock)
    text = mailbox.messages()[-1].get_body(("plain",)).get_content()
    assert link in text
    assert "Ihre Daten stehen bis" in text  # in the individual's language (German)


def test_a_denial_gives_its_reason_and_the_right_to_complain(client, clock, mailbox, dpo):
    case, _ = _request_in_work(client, clock, dpo)
    _act(case, dpo, "resolve", outcome="denied", reason="Manifestly unfounded.")
    _deliver(clock)
    text = mailbox.messages()[-1].get_body(("plain",)).get_content()
    assert "aus folgendem Grund nicht nachkommen: Manifestly unfounded." in text
    assert "bei einer Datenschutz-Aufsichtsbehörde zu beschweren" in text
    assert "/complaints/response/" not in text
