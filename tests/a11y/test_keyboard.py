"""The keyboard alone is enough: the public form from choice to confirmation, and a case
action from sign-in to the timeline, with Tab, Space, Enter and typing, never the mouse, and
a visible focus at every stop."""

from __future__ import annotations

import pytest

from casetracker.cases.models import Case
from casetracker.extensions import db
from tests.browser import screenshot
from tests.dashboard.conftest import PASSWORD, act, open_case, person

DESKTOP = {"width": 1280, "height": 900}
MOST_TABS = 120
# What has the focus, and whether anything shows it (an outline, or a ring drawn as a shadow).
FOCUSED = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const shown = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none';
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
          value: el.value ?? null, text: (el.innerText || '').trim().slice(0, 60), shown};
}
"""


class Keyboard:
    """A tab driven by the keyboard only, remembering every focus stop that showed no focus."""

    def __init__(self, tab):
        self.tab = tab
        self.unseen: list[dict] = []

    def tab_to(self, wanted) -> dict:
        """Press Tab until ``wanted(focused)`` holds; fail after MOST_TABS presses."""
        stops = []
        for _ in range(MOST_TABS):
            self.tab.keyboard.press("Tab")
            focused = self.tab.evaluate(FOCUSED)
            if not focused["shown"] and focused["tag"] != "body":
                self.unseen.append(focused)
            if wanted(focused):
                return focused
            stops.append(focused["id"] or focused["name"] or focused["text"])
        raise AssertionError(f"Tab never reached the element; stops: {stops}")

    def press(self, key: str) -> None:
        self.tab.keyboard.press(key)

    def type(self, text: str) -> None:
        self.tab.keyboard.type(text)


def named(name: str):
    return lambda focused: focused["name"] == name


@pytest.fixture
def keyboard(browser, live_server, live_app):
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    tab = context.new_page()
    yield Keyboard(tab)
    context.close()


def test_the_public_form_is_completed_with_the_keyboard_alone(keyboard):
    tab = keyboard.tab
    tab.goto("/complaints/new")

    keyboard.tab_to(named("kind"))
    keyboard.press("Space")
    assert tab.evaluate("document.activeElement.checked")
    keyboard.tab_to(named("country"))
    keyboard.type("Germany")
    assert tab.evaluate("document.activeElement.value") == "DE"
    keyboard.tab_to(named("data_context"))
    keyboard.press("Space")
    keyboard.tab_to(named("description"))
    keyboard.type("My newsletter kept arriving after I unsubscribed twice.")
    keyboard.tab_to(named("name"))
    keyboard.type("Erika Mustermann")
    keyboard.tab_to(named("email"))
    keyboard.type("erika@example.org")
    keyboard.tab_to(named("consent"))
    keyboard.press("Space")
    assert tab.evaluate("document.activeElement.checked")
    keyboard.tab_to(lambda focused: focused["tag"] == "button")
    with tab.expect_navigation(url="**/complaints/submitted"):
        keyboard.press("Enter")

    assert "PC-" in tab.locator(".reference").inner_text()
    screenshot(tab, "keyboard-public-form-sent", full_page=False)
    assert keyboard.unseen == []


def test_a_case_note_is_added_with_the_keyboard_alone(keyboard, clock):
    priya = person("priya@example.com", "Priya Raman", "staff")
    case = act(open_case(priya, received_days_ago=5, clock=clock), "acknowledge", priya)
    version = case.version
    tab = keyboard.tab
    tab.goto("/sign-in")
    # The email field takes the focus as the page opens.
    keyboard.type("priya@example.com")
    keyboard.tab_to(named("password"))
    keyboard.type(PASSWORD)
    with tab.expect_navigation(url="**/my-cases"):
        keyboard.press("Enter")

    keyboard.tab_to(lambda focused: focused["text"] == case.reference)
    with tab.expect_navigation(url=f"**/cases/{case.reference}"):
        keyboard.press("Enter")
    keyboard.tab_to(lambda focused: focused["tag"] == "summary" and focused["text"] == "Add a note")
    keyboard.press("Enter")
    keyboard.tab_to(named("text"))
    keyboard.type("Called Erika: she will forward the newsletter's headers.")
    keyboard.tab_to(lambda focused: focused["tag"] == "button" and focused["text"] == "Add a note")
    with tab.expect_navigation(url=f"**/cases/{case.reference}"):
        keyboard.press("Enter")

    assert "Done: add a note." in tab.locator(".flash-success").inner_text()
    assert "she will forward" in tab.locator(".timeline > li").first.inner_text()
    screenshot(tab, "keyboard-case-note", full_page=False)
    db.session.expire_all()
    assert db.session.get(Case, case.id).version == version + 1
    assert keyboard.unseen == []
