"""What the public form says about the privacy policy, and what it does with a right sent
along with a complaint."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casetracker import create_app
from casetracker.cases.models import Case
from casetracker.config import ConfigError
from casetracker.extensions import db
from tests.intake.factories import submit

POLICY = "https://example.com/privacy?lang=all&v=2"
# The words that name the policy in each language, and the policy's address as HTML writes it.
POLICY_WORDS = {
    "en": "privacy policy",
    "de": "Datenschutzerklärung",
    "fr": "politique de confidentialité",
    "pt-BR": "política de privacidade",
}
LINK = '<a href="https://example.com/privacy?lang=all&amp;v=2" target="_blank" rel="noopener">'


def form_page(client, language: str) -> str:
    return client.get(f"/complaints/new?lang={language}").get_data(as_text=True)


@pytest.mark.parametrize("language", list(POLICY_WORDS))
def test_the_form_links_the_privacy_policy_in_every_language(app, client, language):
    app.config["PRIVACY_POLICY_URL"] = POLICY
    page = form_page(client, language)
    link = f"{LINK}{POLICY_WORDS[language]}</a>"
    assert page.count(link) == 2  # the note on platform data, and the footer
    assert "%(link)s" not in page


@pytest.mark.parametrize("language", list(POLICY_WORDS))
def test_without_its_address_the_policy_is_named_in_plain_words(client, language):
    page = form_page(client, language)
    assert page.count(POLICY_WORDS[language]) == 2
    assert f"{POLICY_WORDS[language]}</a>" not in page
    assert 'target="_blank"' not in page
    assert "%(link)s" not in page


def test_an_address_that_is_not_a_web_address_stops_start_up():
    with pytest.raises(ConfigError, match="PRIVACY_POLICY_URL"):
        create_app({"TESTING": True, "PRIVACY_POLICY_URL": "javascript:alert(1)"})


@pytest.mark.parametrize("right", ["access", "no-such-right"])
def test_a_right_sent_with_a_complaint_is_ignored(client, right):
    response = submit(client, kind="complaint", right=right)
    assert response.status_code == 303
    case = db.session.scalars(select(Case)).one()
    assert (case.kind, case.right) == ("complaint", None)
