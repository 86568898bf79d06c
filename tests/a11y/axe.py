"""Run axe-core (installed from npm by scripts/test) in a Playwright page; report its findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import IN_CI

PACKAGE = Path(__file__).resolve().parent / "axe"
SCRIPT = PACKAGE / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 A and AA (2.2 adds AA rules only) and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RUN = """
(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(results => results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  })))
"""

# axe leaves an aria-describedby naming a missing id "to review", not failed: check it here.
MISSING_REFERENCES = """
() => [...document.querySelectorAll('[aria-describedby], [aria-labelledby], [aria-controls]')]
  .flatMap(node => ['aria-describedby', 'aria-labelledby', 'aria-controls']
    .flatMap(name => (node.getAttribute(name) || '').split(/\\s+/).filter(Boolean)
      .filter(id => !document.getElementById(id))
      .map(id => `${node.tagName.toLowerCase()}#${node.id || '?'} ${name}="${id}"`)))
"""


def require() -> Path:
    """Return axe-core's script, skipping the test (failing it under CI) when not installed."""
    if not SCRIPT.is_file():
        message = f"axe-core is not installed at {SCRIPT} (scripts/test runs npm ci in {PACKAGE})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return SCRIPT


def violations(page) -> list[dict]:
    """Inject axe-core into the page, unless there, and return its violations and broken idrefs."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # (no inline script) does not govern, unlike a script tag.
        page.evaluate(require().read_text(encoding="utf-8") + "\n;0")
    found = page.evaluate(RUN, TAGS)
    missing = page.evaluate(MISSING_REFERENCES)
    if missing:
        help_ = "ARIA attributes must refer to ids on the page"
        found.append(
            {"id": "missing-idref", "impact": "serious", "help": help_, "targets": missing}
        )
    return found


def describe(found: list[dict]) -> str:
    """Render violations one per line: rule id, impact, what it means and where."""
    lines = []
    for violation in found:
        where = ", ".join(violation["targets"][:5])
        more = len(violation["targets"]) - 5
        if more > 0:
            where += f" and {more} more"
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']} at {where}")
    return "\n".join(lines)


def check(page, where: str = "") -> None:
    """Fail with a readable message when axe finds a violation on the page as it is now."""
    found = violations(page)
    assert not found, f"axe on {where or page.url}:\n{describe(found)}"
