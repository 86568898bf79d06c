"""The public form over HTTP: validation, abuse, confirmation and the status page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.intake.languages import jurisdiction_for
from casetracker.intake.models import IntakeRecord
from casetracker.outbox.models import OutboxMessage
from tests.factories import row_counts
from tests.intake.factories import csrf_token, form_data, submit

SCRIPT = "<script>alert('x')</script>"


def only_case() -> Case:
    return db.session.scalars(select(Case)).one()


def test_the_form_speaks_the_browsers_language_and_remembers_a_choice(client):
    german = client.get("/complaints/new", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert 'lang="de"' in german.get_data(as_text=True)
    assert "Was möchten Sie tun?" in german.get_data(as_text=True)
    client.get("/complaints/new?lang=pt-BR")
    later = client.get("/complaints/new", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "O que você gostaria de fazer?" in later


def test_a_complaint_becomes_a_case_with_its_route_clocks_and_acknowledgement(client):
    response = submit(client)
    assert response.status_code == 303
    case = only_case()
    assert (case.kind, case.jurisdiction, case.route, case.channel) == (
        "complaint",
        "EU",
        "dpf",
        "web",
    )
    assert {clock.name for clock in case.running_clocks} == {"acknowledge", "respond"}
    record = db.session.scalars(select(IntakeRecord)).one()
    assert record.case_id == case.id
    email = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")).one()
    assert email.topic == "email_acknowledgement"
    assert "erika" not in email.recipient + str(email.payload)


def test_the_confirmation_shows_the_reference_and_the_due_date_in_the_language(client):
    client.get("/complaints/new?lang=de")
    submit(client)
    page = client.get("/complaints/submitted").get_data(as_text=True)
    case = only_case()
    assert case.reference in page
    # 45 days from 2 November 2026, shown the German way.
    assert "17. Dezember 2026" in page


@pytest.mark.parametrize(
    ("country", "california", "expected"),
    [
        ("FR", False, "EU"),
        ("NO", False, "EU"),
        ("GB", False, "UK"),
        ("CH", False, "CH"),
        ("BR", False, "BR"),
        ("US", True, "US-CA"),
        ("US", False, "OTHER"),
        ("JP", False, "OTHER"),
    ],
)
def test_the_jurisdiction_follows_the_country(country, california, expected):
    assert jurisdiction_for(country, california=california) == expected


def test_a_request_names_a_right_and_gets_the_uk_clock(client):
    response = submit(client, kind="request", right="erasure", country="GB")
    assert response.status_code == 303
    case = only_case()
    assert (case.kind, case.right, case.jurisdiction, case.route) == (
        "request",
        "erasure",
        "UK",
        "dsr",
    )


def test_a_request_without_a_right_is_sent_back(client):
    response = submit(client, kind="request")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please choose the right you want to use." in page
    assert row_counts() == (0, 0, 0)


def test_a_one_megabyte_description_is_refused_clearly(client):
    data = form_data(description="x" * 1_000_000)
    data["csrf_token"] = csrf_token(client)
    response = client.post("/complaints/new", data=data)
    assert response.status_code == 413
    assert "under 5000 characters" in response.get_data(as_text=True)
    assert row_counts() == (0, 0, 0)


def test_a_long_description_is_refused_next_to_the_field(client):
    response = submit(client, description="y" * 5001)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please keep this under 5000 characters." in page
    assert row_counts() == (0, 0, 0)


def test_an_invalid_email_is_refused_and_the_answers_are_kept(client):
    response = submit(client, email="not-an-address", name=SCRIPT)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="email-error"[^>]*>Enter a valid email address', page)
    assert "&lt;script&gt;" in page
    assert SCRIPT not in page
    assert "not-an-address" in page
    assert row_counts() == (0, 0, 0)


def test_an_unknown_country_is_refused(client):
    response = submit(client, country="XX")
    assert response.status_code == 400
    assert "Choose your country from the list." in response.get_data(as_text=True)
    assert row_counts() == (0, 0, 0)


def test_markup_in_every_field_is_stored_as_text_and_shown_escaped(client):
    response = submit(
        client,
        name=SCRIPT,
        description=SCRIPT,
        agent_name=SCRIPT,
        agent_email="agent@example.org",
        agent_authorization=SCRIPT,
    )
    assert response.status_code == 303
    assert only_case().summary == SCRIPT
    for path in ("/complaints/submitted", _status_path(client)):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page


def test_the_honeypot_refuses_robots(client):
    response = submit(client, website="http://spam.example")
    assert response.status_code == 400
    assert row_counts() == (0, 0, 0)


def test_a_post_without_the_csrf_token_changes_nothing(client):
    response = client.post("/complaints/new", data=form_data())
    assert response.status_code == 400
    assert "Your session expired" in response.get_data(as_text=True)
    assert row_counts() == (0, 0, 0)


def test_the_status_page_shows_stage_and_deadline_only(client):
    submit(client, description="My secret complaint text")
    page = client.get(_status_path(client)).get_data(as_text=True)
    assert "We have received your message and will confirm it soon." in page
    assert "We will confirm receipt by" in page
    for private in ("Erika", "erika@example.org", "My secret complaint text"):
        assert private not in page


def test_an_unknown_status_link_is_not_found(client):
    response = client.get("/complaints/status/" + "0" * 64)
    assert response.status_code == 404
    assert "Please check the link in your email." in response.get_data(as_text=True)


def _status_path(client) -> str:
    page = client.get("/complaints/submitted").get_data(as_text=True)
    return re.search(r'href="(/complaints/status/[0-9a-f]+)"', page).group(1)
