"""The dashboard's tables on a phone: each row a card, every line of a value in the value
column beside its label, never under the label."""

from __future__ import annotations

import pytest

from casetracker.cases.models import Case
from casetracker.demo import data as demo_data
from casetracker.extensions import db
from casetracker.mail.models import Attachment
from casetracker.outbox.models import OutboxMessage
from tests.browser import screenshot

DPO = "dpo@demo.casetracker.test"
PHONE = {"width": 375, "height": 812}
LABEL_WIDTH = 7.5 * 16
# The boxes of each labelled cell's value, relative to the cell: elements and text alike.
VALUE_BOXES = """
(selector) => [...document.querySelectorAll(selector)].map(cell => {
  const box = cell.getBoundingClientRect();
  const boxes = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let rects = [];
    if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      rects = [...range.getClientRects()];
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      rects = [...node.getClientRects()];
    }
    for (const rect of rects) {
      if (rect.width > 1 && rect.height > 1) {
        boxes.push([Math.round(rect.left - box.left), Math.round(box.right - rect.right)]);
      }
    }
  }
  return {label: cell.dataset.label, text: cell.innerText, boxes};
})
"""


@pytest.fixture
def phone(browser, live_server, demo):
    """The demo data, and the DPO signed in on a phone."""
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    tab = context.new_page()
    tab.goto("/sign-in")
    tab.get_by_label("Work email").fill(DPO)
    tab.get_by_label("Password").fill(demo_data.DEMO_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/escalations")
    yield tab
    context.close()


@pytest.fixture
def case_with_lists(phone):
    """A case whose email bounced and whose file was too large to keep, so both lists show."""
    case = db.session.query(Case).order_by(Case.id).first()
    message = db.session.query(OutboxMessage).order_by(OutboxMessage.id).first()
    message.bounced_at = message.created_at
    refused = Attachment(
        case_id=case.id, filename="scan.pdf", content_type="application/pdf", size=90_000_000,
        refused="larger than the limit", created_at=case.received_at, created_by="dana",
    )  # fmt: skip
    db.session.add(refused)
    db.session.commit()
    return case


def lines_beside_labels(tab, selector: str) -> list[dict]:
    """The cells with a line of their value under the label or past the cell's right edge."""
    cells = tab.evaluate(VALUE_BOXES, selector)
    assert cells, f"no {selector} on {tab.url}"
    return [
        cell
        for cell in cells
        if any(left < LABEL_WIDTH or right < -1 for left, right in cell["boxes"])
    ]


def test_a_deadlines_second_line_sits_under_its_first_on_a_phone(phone):
    phone.goto("/overdue")
    cell = phone.locator('td[data-label="Next deadline"]').filter(has=phone.locator(".overdue"))
    first = cell.first.locator(".overdue").bounding_box()
    second = cell.first.locator("small").bounding_box()
    label_end = cell.first.bounding_box()["x"] + LABEL_WIDTH
    assert second["y"] > first["y"]
    assert second["x"] == pytest.approx(first["x"], abs=1)
    assert first["x"] >= label_end
    cell.first.scroll_into_view_if_needed()
    screenshot(phone, "phone-overdue", full_page=False)


@pytest.mark.parametrize(
    ("path", "selector"),
    [
        ("/cases", "table.cases td"),
        ("/jobs", "table.cards td"),
        ("/outbox", "table.cards td"),
        ("case", "table.cards td"),
    ],
)
def test_every_value_line_sits_in_the_value_column_on_a_phone(
    phone, case_with_lists, path, selector
):
    phone.goto(f"/cases/{case_with_lists.reference}" if path == "case" else path)
    phone.locator(selector).last.scroll_into_view_if_needed()
    screenshot(phone, f"phone-{path.strip('/')}-cards", full_page=False)
    assert lines_beside_labels(phone, selector) == []
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
