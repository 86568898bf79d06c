"""Every page at 320 CSS pixels wide (WCAG 1.4.10, reflow): read without scrolling sideways.

Each page is also checked by axe as drawn at that width, where the narrow layout's own
problems show: a menu hidden but still focusable, targets too small to touch.

A wide table may scroll inside its own box, which a keyboard can then reach and which says
what it holds; the page itself never scrolls sideways.
"""

from __future__ import annotations

import pytest

from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.intake import service as intake
from casetracker.mail.models import MailMessage
from tests.a11y import axe as axe_runner
from tests.a11y.conftest import ADMIN, DPO, sign_in
from tests.browser import screenshot

NARROW = {"width": 320, "height": 640}
REQUEST = {
    "kind": "request",
    "right": "access",
    "country": "DE",
    "data_context": "website",
    "description": "Bitte senden Sie mir eine Kopie meiner Daten.",
    "name": "Jonas Weber",
    "email": "jonas.weber.with.a.rather.long.address@example.org",
}
# How far the page scrolls sideways, and the element reaching furthest right (its box or its
# text) that no scrolling box of its own clips: the deepest one, which holds the culprit.
SIDEWAYS = """
() => {
  const width = window.innerWidth;
  const over = document.documentElement.scrollWidth - width;
  if (over <= 0) return null;
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  let widest = null, reach = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    const right = Math.max(box.right, box.left + el.scrollWidth);
    if (right >= reach - 0.5 && right > width + 0.5 && !clipped(el)) {
      widest = el;
      reach = right;
    }
  }
  const name = widest && (widest.tagName.toLowerCase()
    + (widest.id ? '#' + widest.id : '')
    + [...widest.classList].map(c => '.' + c).join(''));
  return {over, widest: name, right: Math.round(reach),
          text: widest ? widest.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60) : ''};
}
"""
OPEN_PANELS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
# Boxes that scroll sideways: each must be reachable by keyboard and named.
SCROLL_BOXES = """
() => [...document.querySelectorAll('main *')]
  .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
                && el.scrollWidth > el.clientWidth + 1)
  .map(el => ({box: el.className || el.tagName,
               under: el.closest('section')?.querySelector('h2')?.textContent.trim(),
               tabindex: el.getAttribute('tabindex'),
               role: el.getAttribute('role'),
               label: el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')}))
"""


@pytest.fixture
def narrow(browser, live_server):
    """A browser 320 pixels wide."""
    context = browser.new_context(base_url=live_server, viewport=NARROW)
    yield context
    context.close()


def problems_at_320(tab, path: str, name: str | None = None) -> list[str]:
    """What makes the page at PATH fail reflow: sideways scrolling, unreachable scroll boxes."""
    response = tab.goto(path)
    assert response.status < 500, f"{path} answered {response.status}"
    screenshot(tab, "320-" + (name or path.strip("/").replace("/", "-").split("?")[0]))
    return problems_here(tab, path)


def problems_here(tab, path: str) -> list[str]:
    """What makes the page shown fail at 320px: sideways scrolling, unreachable scroll boxes,
    what axe finds."""
    # After a form's submit, its new page can be in the DOM before its stylesheet applies.
    tab.wait_for_load_state("load")
    found = []
    sideways = tab.evaluate(SIDEWAYS)
    if sideways:
        found.append(
            f"{path} scrolls sideways by {sideways['over']}px; widest: {sideways['widest']} "
            f"(right edge {sideways['right']}px) {sideways['text']!r}"
        )
    for box in tab.evaluate(SCROLL_BOXES):
        if box["tabindex"] != "0" or not box["label"] or box["role"] != "region":
            found.append(f"{path}: the scrolling box {box} is not a named, focusable region")
    violations = axe_runner.violations(tab)
    if violations:
        found.append(f"axe on {path} at 320px:\n{axe_runner.describe(violations)}")
    return found


def test_no_signed_in_page_scrolls_sideways_at_320px(axe, narrow, demo, live_server):
    # The case with the most deadlines has the widest deadlines table.
    case = max(db.session.query(Case).order_by(Case.id), key=lambda case: len(case.clocks))
    mail = db.session.query(MailMessage).order_by(MailMessage.id).first()
    dpo_pages = [
        "/escalations",
        "/overdue",
        "/due-this-week",
        "/my-cases",
        "/my-tasks",
        "/cases",
        "/cases?kind=complaint",
        "/inbox",
        f"/inbox/{mail.id}",
        "/metrics",
        "/outbox",
        "/jobs",
        "/systems",
        "/access-log",
        f"/cases/{case.reference}",
        f"/cases/{case.reference}/file",
        "/account/second-factor",
        "/cases/PC-2026-99999",
        "/account/confirm",
    ]
    tab = narrow.new_page()
    sign_in(tab, DPO)
    found = []
    for path in dpo_pages:
        found += problems_at_320(tab, path)
    filed, _ = intake.submit(db.session, answers=REQUEST, language="de")
    found += problems_at_320(tab, f"/cases/{filed.reference}/file")
    # Every action's form open, then one sent back with its problems.
    tab.goto(f"/cases/{filed.reference}")
    tab.evaluate(OPEN_PANELS)
    found += problems_here(tab, f"/cases/{filed.reference} with every action open")
    screenshot(tab, "320-case-actions-open")
    tab.locator("form:has(input[name=action][value=hold]) button").click()
    tab.locator("#error-summary").wait_for()
    found += problems_here(tab, f"/cases/{filed.reference} with a form's problems")
    tab.close()

    admin = narrow.browser.new_context(base_url=live_server, viewport=NARROW)
    tab = admin.new_page()
    sign_in(tab, ADMIN)
    for path in ("/staff", "/tokens"):
        found += problems_at_320(tab, path)
    admin.close()
    assert found == [], "\n".join(found)


def test_no_public_page_scrolls_sideways_at_320px(axe, narrow, live_app):
    tab = narrow.new_page()
    found = []
    found += problems_at_320(tab, "/sign-in")
    found += problems_at_320(tab, "/complaints/new")
    tab.get_by_role("button", name="Send").click()
    tab.locator(".summary").wait_for()
    found += problems_here(tab, "/complaints/new with its errors")
    screenshot(tab, "320-complaints-new-errors")
    _, token = intake.submit(db.session, answers=REQUEST, language="en")
    found += problems_at_320(tab, f"/complaints/status/{token}", "complaints-status")
    found += problems_at_320(tab, "/complaints/verify/not-a-link")
    found += problems_at_320(tab, "/complaints/new")
    tab.get_by_label("Ask us to do something with your personal data").check()
    tab.get_by_label("Which right do you want to use?").select_option("access")
    tab.get_by_label("Where do you live?").select_option("DE")
    tab.get_by_label("Our website").check()
    tab.get_by_label("Tell us what happened or what you need").fill(REQUEST["description"])
    tab.get_by_label("Your name").fill(REQUEST["name"])
    tab.get_by_label("Your email address").fill(REQUEST["email"])
    tab.locator("input[name=consent]").check()
    tab.get_by_role("button", name="Send").click()
    tab.wait_for_url("**/complaints/submitted")
    found += problems_here(tab, "/complaints/submitted")
    screenshot(tab, "320-complaints-submitted")
    assert found == [], "\n".join(found)
