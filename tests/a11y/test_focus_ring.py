"""The dashboard's focus ring stands out from what it is drawn on (WCAG 1.4.11, 2.4.11).

The ring is two bands outside the focused element: a dark band from the element's edge to the
outline's offset (the box shadow showing through), then the yellow outline. The ring touches
two colours, the one behind the element and the element's own edge; it is seen when, against
each, a band at least 2 px wide has 3:1: the dark band on light pages and grey field borders,
the yellow one on the blue header and on a primary button's blue border.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from casetracker.cases.models import Case
from casetracker.extensions import db
from tests.a11y.test_errors import contrast
from tests.browser import screenshot

OPEN_PANELS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
# The focused element's two bands (their colours and visible widths) and the colour behind it.
RING = """
el => {
  const style = getComputedStyle(el);
  let behind = 'rgb(255, 255, 255)';
  for (let up = el.parentElement; up; up = up.parentElement) {
    const colour = getComputedStyle(up).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { behind = colour; break; }
  }
  // The control's own edge, which the ring touches: its border, else its fill, if it has one.
  const clear = colour => colour === 'rgba(0, 0, 0, 0)' || colour === 'transparent';
  let edge = null;
  if (parseFloat(style.borderTopWidth) > 0 && !clear(style.borderTopColor)) {
    edge = style.borderTopColor;
  } else if (!clear(style.backgroundColor)) {
    edge = style.backgroundColor;
  }
  return {visible: el.matches(':focus-visible'),
          outline: style.outlineStyle === 'none' ? null : style.outlineColor,
          width: parseFloat(style.outlineWidth), offset: parseFloat(style.outlineOffset),
          shadow: style.boxShadow, behind, edge};
}
"""
# What a keyboard user reaches on the dashboard: each kind of control, wherever it first shows.
CONTROLS = {
    "a link in the page": "main a[href]",
    "a link in the menu": "nav[aria-label=Main] a",
    "a link in the header": ".site-header .account a",
    "the sign-out button": ".site-header button",
    "a button": "main button:not(.secondary):not(.warning):not(.link-button)",
    "a secondary button": "main button.secondary",
    "a field": "main input:not([type=hidden]):not([type=checkbox]):not([type=file])",
    "a list of choices": "main select",
    "a text area": "main textarea",
}
COLOUR = r"rgba?\([^)]*\)"


def bands(ring: dict) -> list[tuple[str, str, float]]:
    """The ring's visible bands: (name, colour, width in px), inside out."""
    found = []
    shadow = ring["shadow"]
    if shadow and shadow != "none":
        colour = re.search(COLOUR, shadow).group(0)
        lengths = [float(n) for n in re.findall(r"(-?[\d.]+)px", re.sub(COLOUR, "", shadow))]
        spread = lengths[3] if len(lengths) > 3 else 0.0
        # The outline is painted over the shadow: the dark band shows up to the offset only.
        dark = min(spread, max(ring["offset"], 0.0)) if ring["outline"] else spread
        if "inset" not in shadow and dark > 0:
            found.append(("dark band", colour, dark))
    if ring["outline"] and ring["width"] > 0:
        found.append(("outline", ring["outline"], ring["width"]))
    return found


def faint(what: str, ring: dict) -> str | None:
    """Why the ring of WHAT does not stand out from what it touches, or None.

    It touches the colour behind the control and the control's own edge (a primary button's
    blue border, a field's grey one): against each, a band at least 2 px wide needs 3:1.
    """
    if not ring["visible"]:
        return f"{what}: no focus ring shown for keyboard focus"
    wide = [(name, colour) for name, colour, width in bands(ring) if width >= 2]
    for side in ("behind", "edge"):
        against = ring.get(side)
        if against is None or "rgba" in against:
            continue  # no edge of its own, or a see-through one: the page behind shows
        seen = [(name, colour, round(contrast(colour, against), 2)) for name, colour in wide]
        if not any(ratio >= 3 for _, _, ratio in seen):
            return f"{what}: bands {seen} on its {side} colour {against}"
    return None


def test_the_ring_is_two_bands_inside_out():
    ring = {
        "outline": "rgb(245, 180, 0)",
        "width": 3.0,
        "offset": 2.0,
        "shadow": "rgb(27, 31, 36) 0px 0px 0px 5px",
    }
    assert bands(ring) == [("dark band", "rgb(27, 31, 36)", 2.0), ("outline", ring["outline"], 3.0)]
    # Without an offset the outline hides the shadow: only the yellow shows, faint on white.
    hidden = {**ring, "offset": 0.0, "behind": "rgb(255, 255, 255)", "edge": None, "visible": True}
    assert bands(hidden) == [("outline", ring["outline"], 3.0)]
    assert faint("a button", hidden) is not None


def test_a_ring_as_dark_as_the_button_it_circles_is_faint():
    dark_only = {
        "outline": None,
        "width": 0.0,
        "offset": 0.0,
        "shadow": "rgb(27, 31, 36) 0px 0px 0px 3px",
        "behind": "rgb(255, 255, 255)",
        "edge": "rgb(11, 79, 138)",  # the primary button's border
        "visible": True,
    }
    assert "edge colour rgb(11, 79, 138)" in faint("a button", dark_only)
    assert faint("a link", {**dark_only, "edge": None}) is None


def test_the_dashboards_focus_ring_stands_out_from_the_page(signed_in):
    tab = signed_in
    reference = db.session.scalar(
        select(Case.reference).where(Case.status != "closed").order_by(Case.id)
    )
    problems, unchecked = [], dict(CONTROLS)
    for path in (f"/cases/{reference}", "/cases", "/systems"):
        tab.goto(path)
        tab.evaluate(OPEN_PANELS)
        tab.keyboard.press("Tab")  # focus moved by a key: later focus() calls show the ring
        for what, selector in list(unchecked.items()):
            control = tab.locator(selector).locator("visible=true").first
            if control.count() == 0:
                continue
            control.focus()
            del unchecked[what]
            problem = faint(f"{what} on {path}", control.evaluate(RING))
            if problem:
                problems.append(problem)
    screenshot(tab, "dashboard-focus-ring", full_page=False)
    assert problems == []
    assert unchecked == {}, "controls found on no page"
