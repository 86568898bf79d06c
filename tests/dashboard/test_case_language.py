"""The case page names the language the individual wrote in, to everyone who sees the case."""

from __future__ import annotations

import re

import pytest

from casetracker.extensions import db
from casetracker.intake import service as intake

from .conftest import open_case

ANSWERS = {
    "kind": "request",
    "right": "access",
    "country": "DE",
    "data_context": "marketing",
    "description": "Bitte senden Sie mir eine Kopie meiner Daten.",
    "name": "Erika Mustermann",
    "email": "erika@example.org",
}


def _individual(html: str) -> str:
    section = re.search(r'<h2 id="subject-title">.*?</section>', html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


@pytest.mark.parametrize("viewer", ["dana@example.com", "tomasz@example.com"])
def test_the_language_of_a_case_filed_through_the_form_is_shown(web, dana, tomasz, viewer):
    case, _ = intake.submit(db.session, answers=ANSWERS, language="de")
    web.sign_in(viewer)
    individual = _individual(web.get(f"/cases/{case.reference}").text)
    assert "Language Deutsch (emails to the individual are written in it)" in individual
    assert ("Erika" in individual) == (viewer == dana.email)


def test_a_case_from_elsewhere_says_the_language_was_not_given(web, priya):
    case = open_case(priya)
    web.sign_in(priya.email)
    assert "Language not given" in _individual(web.get(f"/cases/{case.reference}").text)
