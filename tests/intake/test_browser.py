"""The public form in a real browser (Debian Chromium through Playwright)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from casetracker.cases.models import Case
from casetracker.extensions import db
from tests.browser import screenshot

LANGUAGES = [
    # language, country, expected jurisdiction and route, a heading in that language
    ("en", "GB", "UK", "dpf", "Contact our privacy team"),
    ("de", "DE", "EU", "dpf", "Kontakt zu unserem Datenschutzteam"),
    ("fr", "FR", "EU", "dpf", "Contacter notre équipe protection des données"),
    ("pt-BR", "BR", "BR", "lgpd", "Fale com a nossa equipe de privacidade"),
]


def open_form(page, language: str):
    page.set_extra_http_headers({"Accept-Language": f"{language},en;q=0.5"})
    page.goto("/complaints/new")


def fill_complaint(page, *, country: str, description: str = "Newsletter after unsubscribing."):
    page.check("#kind-0")
    page.select_option("#country", country)
    page.check("#data_context-1")
    page.fill("#description", description)
    page.fill("#name", "Erika Mustermann")
    page.fill("#email", "erika@example.org")
    page.check("#consent")


def cases() -> list[Case]:
    db.session.expire_all()
    return list(db.session.scalars(select(Case)))


@pytest.mark.parametrize(("language", "country", "jurisdiction", "route", "heading"), LANGUAGES)
def test_a_complaint_in_each_language_becomes_a_case(
    page, language, country, jurisdiction, route, heading
):
    open_form(page, language)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == heading
    screenshot(page, f"intake-form-{language}")
    fill_complaint(page, country=country)
    page.click("button[type=submit]")
    reference = page.locator("#reference").inner_text()
    assert page.locator("#respond-by").is_visible()
    screenshot(page, f"intake-confirmation-{language}")
    [case] = cases()
    assert (case.reference, case.jurisdiction, case.route) == (reference, jurisdiction, route)
    assert {clock.name for clock in case.running_clocks} == {"acknowledge", "respond"}
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests == []


def test_the_status_page_shows_the_stage(page):
    open_form(page, "de")
    fill_complaint(page, country="AT")
    page.click("button[type=submit]")
    page.click("#status-link")
    assert "Wir haben Ihre Nachricht erhalten" in page.locator("#stage").inner_text()
    assert "Erika" not in page.content()
    screenshot(page, "intake-status-de")


def test_missing_answers_are_shown_next_to_the_fields_and_the_input_is_kept(page):
    open_form(page, "en")
    page.fill("#description", "Please <b>delete</b> my data")
    page.fill("#email", "not-an-address")
    page.click("button[type=submit]")
    expect(page.locator("#form-errors")).to_be_visible()
    assert page.locator("#name-error").inner_text() == "Please fill in this field."
    assert page.locator("#kind-error").inner_text() == "Please choose one."
    assert page.locator("#consent-error").is_visible()
    assert page.input_value("#description") == "Please <b>delete</b> my data"
    assert page.input_value("#email") == "not-an-address"
    screenshot(page, "intake-form-errors")
    page.fill("#name", "Erika")
    page.check("#kind-0")
    page.select_option("#country", "DE")
    page.check("#data_context-0")
    page.check("#consent")
    page.click("button[type=submit]")
    assert "Enter a valid email address" in page.locator("#email-error").inner_text()
    assert cases() == []


@pytest.mark.parametrize("rate_limit", ["1 per hour"])
def test_a_submission_beyond_the_rate_limit_is_refused_politely(page, rate_limit):
    open_form(page, "de")
    fill_complaint(page, country="DE")
    page.click("button[type=submit]")
    expect(page.locator("#reference")).to_be_visible()
    page.goto("/complaints/new")
    fill_complaint(page, country="DE", description="Second message")
    response_status = []
    page.on("response", lambda response: response_status.append(response.status))
    page.click("button[type=submit]")
    page.wait_for_selector("#message")
    assert 429 in response_status
    assert page.locator("h1").inner_text() == "Bitte versuchen Sie es später erneut"
    assert "eine Stunde" in page.locator("#message").inner_text()
    screenshot(page, "intake-429-de")
    assert len(cases()) == 1


def test_the_form_fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    open_form(page, "fr")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "intake-form-fr-phone")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_right_is_asked_for_requests_only(browser, live_server, javascript):
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript)
    tab = context.new_page()
    open_form(tab, "en")
    right = tab.locator("#right")
    assert right.is_visible()
    tab.check("#kind-0")
    assert tab.locator("#kind-0").get_attribute("value") == "complaint"
    assert right.is_hidden()
    assert tab.get_by_text("Which right do you want to use?").is_hidden()
    screenshot(tab, "intake-form-complaint", full_page=False)
    tab.check("#kind-1")
    assert right.is_visible()
    right.select_option("erasure")
    tab.check("#kind-0")
    fill_complaint(tab, country="DE")
    tab.click("button[type=submit]")
    expect(tab.locator("#reference")).to_be_visible()
    [case] = cases()
    assert (case.kind, case.right) == ("complaint", None)
    context.close()


def test_the_privacy_policy_is_a_link(page, live_app):
    live_app.config["PRIVACY_POLICY_URL"] = "https://example.com/privacy"
    open_form(page, "fr")
    page.check("#data_context-4")
    links = page.get_by_role("link", name="politique de confidentialité")
    assert links.count() == 2
    assert links.first.get_attribute("href") == "https://example.com/privacy"
    links.first.scroll_into_view_if_needed()
    screenshot(page, "intake-form-policy-link-fr", full_page=False)
    assert page.watch.console_errors == []
