"""Errors and changes a screen-reader or keyboard user can act on, which a checker cannot see:
focus on one error summary whose links reach each field, invalid choices marked as such, the
new count of a filtered list announced, a skip link, and a focus ring that stands out."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casetracker.cases.models import Case
from casetracker.cases.task_models import Task
from casetracker.extensions import db
from tests.browser import screenshot
from tests.dashboard.conftest import PASSWORD, act, open_case, person

DESKTOP = {"width": 1280, "height": 900}
# Every id that an aria-describedby names, and whether the page has it.
DESCRIBED_BY = """
() => [...document.querySelectorAll('[aria-describedby]')].flatMap(el =>
  el.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean)
    .map(id => [el.id || el.name, id, document.getElementById(id) !== null]))
"""
# The focused element's outline, and the colour behind it (its first painted ancestor).
FOCUS_RING = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let behind = 'rgb(255, 255, 255)';
  for (let up = el.parentElement; up; up = up.parentElement) {
    const colour = getComputedStyle(up).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { behind = colour; break; }
  }
  const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
  return {what: what + (el.type ? '[' + el.type + ']' : ''),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          colour: style.outlineColor, behind};
}
"""


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(css_colour: str) -> float:
    """The relative luminance of an ``rgb()`` colour (WCAG 2.2)."""
    red, green, blue = (float(part) for part in re.findall(r"[\d.]+", css_colour)[:3])
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``rgb()`` colours, from 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_ratio_matches_wcag_examples():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)
    assert contrast("rgb(242, 169, 0)", "rgb(255, 255, 255)") < 3


@pytest.fixture
def public(browser, live_server, live_app):
    """A desktop tab on the public form."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    tab = context.new_page()
    tab.goto("/complaints/new")
    yield tab
    context.close()


@pytest.fixture
def owner(browser, live_server, live_app, clock):
    """Priya signed in, owning Erika's acknowledged complaint; yields (tab, case)."""
    priya = person("priya@example.com", "Priya Raman", "staff")
    person("dana@example.com", "Dana Okafor", "dpo")
    case = act(open_case(priya, received_days_ago=5, clock=clock), "acknowledge", priya)
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    tab = context.new_page()
    tab.goto("/sign-in")
    tab.get_by_label("Work email").fill("priya@example.com")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/my-cases")
    yield tab, case
    context.close()


def summary_links_reach_their_fields(tab, summary: str) -> list[str]:
    """Follow each link of the error summary by keyboard; return the ids they focused."""
    links = tab.locator(f"{summary} a")
    targets = [
        href.lstrip("#") for href in links.evaluate_all("ls => ls.map(l => l.getAttribute('href'))")
    ]
    assert targets, "the error summary lists no problem as a link"
    reached = []
    for index, target in enumerate(targets):
        assert tab.locator(f"[id='{target}']").count() == 1, f"no field with the id {target}"
        links.nth(index).focus()
        tab.keyboard.press("Enter")
        reached.append(tab.evaluate("document.activeElement.id"))
    return reached


def test_a_failed_public_form_focuses_a_summary_that_links_to_each_field(public):
    with public.expect_navigation():
        public.get_by_role("button", name="Send").click()

    assert public.evaluate("document.activeElement.id") == "form-errors"
    summary = public.locator("#form-errors")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    assert public.locator("[role=alert]").count() <= 1
    screenshot(public, "public-form-error-summary", full_page=False)

    targets = summary.locator("a").evaluate_all("ls => ls.map(l => l.hash.slice(1))")
    assert {"kind-0", "data_context-0", "description", "name", "email", "consent"} <= set(targets)
    assert summary_links_reach_their_fields(public, "#form-errors") == targets


def test_invalid_choices_say_so_and_name_their_message(public):
    with public.expect_navigation():
        public.get_by_role("button", name="Send").click()

    for name in ("kind", "data_context"):
        radios = public.locator(f"input[name={name}]")
        assert radios.count() >= 2
        assert (
            radios.evaluate_all("rs => rs.map(r => r.getAttribute('aria-invalid'))")
            == ["true"] * radios.count()
        )
        group = public.locator("fieldset", has=radios.first)
        assert f"{name}-error" in group.get_attribute("aria-describedby").split()
    consent = public.locator("input[name=consent]")
    assert consent.get_attribute("aria-invalid") == "true"
    assert "consent-error" in consent.get_attribute("aria-describedby").split()
    missing = [ref for ref in public.evaluate(DESCRIBED_BY) if not ref[2]]
    assert missing == []


def test_a_failed_case_action_focuses_a_summary_that_links_to_each_field(owner):
    tab, case = owner
    tab.goto(f"/cases/{case.reference}")
    tab.locator("summary", has_text="Escalate").click()
    with tab.expect_response(f"**/cases/{case.reference}/actions") as answer:
        tab.get_by_role("button", name="Escalate").click()
    assert answer.value.status == 422
    tab.wait_for_load_state()

    assert tab.evaluate("document.activeElement.id") == "error-summary"
    summary = tab.locator("#error-summary")
    assert "There is a problem" in summary.get_by_role("heading").inner_text()
    assert tab.locator("[role=alert]").count() <= 1
    screenshot(tab, "case-action-error-summary", full_page=False)
    targets = summary.locator("a").evaluate_all("ls => ls.map(l => l.hash.slice(1))")
    assert {"escalate-to_stage", "escalate-confirm"} <= set(targets)
    assert summary_links_reach_their_fields(tab, "#error-summary") == targets
    for target in targets:
        assert tab.locator(f"[id='{target}']").get_attribute("aria-invalid") == "true"
    assert [ref for ref in tab.evaluate(DESCRIBED_BY) if not ref[2]] == []


def test_filtering_all_cases_announces_the_new_count(owner, clock):
    tab, _ = owner
    for _ in range(2):
        open_case(received_days_ago=3, clock=clock, kind="request", right="access")
    tab.goto("/cases")
    status = tab.get_by_role("status")
    assert status.inner_text() == "3 cases"

    tab.get_by_label("Kind").select_option("request")
    tab.wait_for_function(
        "() => document.getElementById('result-count').textContent.trim() === '2 cases'"
    )
    assert tab.locator("table.cases tbody tr").count() == 2
    assert tab.locator("[role=status]").count() == 1


def test_a_skip_link_leads_to_the_public_forms_content(public):
    public.keyboard.press("Tab")
    skip = public.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box["width"] > 1
    assert box["x"] >= 0
    assert box["y"] >= 0
    public.keyboard.press("Enter")
    assert public.evaluate("document.activeElement.tagName") == "MAIN"
    public.keyboard.press("Tab")
    assert public.evaluate("document.activeElement.name") == "kind"


def test_the_public_forms_focus_ring_stands_out_from_the_page(public):
    rings = []
    for _ in range(40):
        public.keyboard.press("Tab")
        ring = public.evaluate(FOCUS_RING)
        if ring["what"] == "body":
            break
        rings.append(ring)
        if ring["what"].startswith("button"):
            break
    assert rings[-1]["what"].startswith("button"), "Tab never reached the Send button"
    faint = [
        (
            ring["what"],
            ring["colour"],
            ring["behind"],
            round(contrast(ring["colour"], ring["behind"]), 2),
        )
        for ring in rings
        if ring["style"] == "none"
        or ring["width"] < 2
        or contrast(ring["colour"], ring["behind"]) < 3
    ]
    assert faint == []


def test_a_task_blocked_without_a_reason_focuses_a_summary_linking_to_the_note(axe, signed_in):
    tab = signed_in
    task = db.session.scalar(
        select(Task).join(Case).where(Task.status == "open", Case.status != "closed")
    )
    tab.goto(f"/cases/{task.case.reference}")
    item = tab.locator("li.task").filter(has=tab.locator(f"#task-{task.id}-title"))
    item.locator("summary", has_text="Blocked…").click()
    with tab.expect_response(f"**/tasks/{task.id}") as answer:
        item.get_by_role("button", name="Mark blocked").click()
    assert answer.value.status == 422
    tab.wait_for_load_state()

    assert tab.evaluate("document.activeElement.id") == "error-summary"
    summary = tab.locator("#error-summary")
    assert task.system.name in summary.get_by_role("heading").inner_text()
    assert "say what blocks the task" in summary.inner_text()
    assert summary_links_reach_their_fields(tab, "#error-summary") == [f"task-{task.id}-note"]
    assert tab.locator(f"#task-{task.id}-note").get_attribute("aria-invalid") == "true"
    screenshot(tab, "task-blocked-error-summary", full_page=False)
    axe.check(tab, "a task blocked without a reason")
