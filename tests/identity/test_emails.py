"""The identity emails speak the individual's language."""

from __future__ import annotations

import pytest

from tests.identity.conftest import file_request, identity_emails

SUBJECTS = {
    "en": "Please confirm it is you",
    "de": "Bitte bestätigen Sie, dass Sie es sind",
    "fr": "Merci de confirmer que c\u2019est bien vous",
    "pt-BR": "Confirme que é você",
}
UNTIL = {
    "en": "until November 9, 2026",
    "de": "bis zum 9. November 2026",
    "fr": "jusqu\u2019au 9 novembre 2026",
    "pt-BR": "até 9 de novembro de 2026",
}


@pytest.mark.parametrize("language", SUBJECTS)
def test_the_link_email_is_in_the_individuals_language(client, clock, mailbox, language):
    case = file_request(client, clock, language=language)
    [email] = identity_emails(mailbox)
    assert email["Subject"] == f"{SUBJECTS[language]} ({case.reference})"
    text = email.get_body(("plain",)).get_content()
    assert UNTIL[language] in text
    assert f"?lang={language}" in text


def test_the_page_the_link_opens_speaks_the_language_of_the_email(client, clock, mailbox):
    file_request(client, clock, language="fr")
    path = identity_emails(mailbox)[0].get_body(("plain",)).get_content().split()
    url = next(word for word in path if "/complaints/verify/" in word)
    fresh = client.application.test_client()
    page = fresh.get(url.removeprefix("http://casetracker.test")).get_data(as_text=True)
    assert "Je confirme que c\u2019est moi" in page
