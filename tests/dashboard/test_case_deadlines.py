"""The Deadlines table tells a deadline met apart from one an escalation ended."""

from __future__ import annotations

import re

import pytest

from .conftest import act


def _rows(html: str) -> dict[str, str]:
    """Map each deadline's label to its row's text."""
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.S)
    texts = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    texts = [re.sub(r" ([,.])", r"\1", text) for text in texts]
    return {text.split(" started ")[0]: text for text in texts}


@pytest.fixture
def referred_on(complaint, dana, clock):
    """Erika's complaint: escalated to the BBB overdue, then to the DPA panel 3 days later."""
    case = act(complaint, "escalate", dana, to_stage="independent_recourse")
    clock.advance(days=3)
    return act(case, "escalate", dana, to_stage="dpa_panel")


@pytest.mark.parametrize("path", ["/cases/{}", "/cases/{}/file"], ids=["page", "case-file"])
def test_deadlines_ended_by_escalation_are_not_shown_met(web, dana, referred_on, path):
    web.sign_in(dana.email)
    rows = _rows(web.get(path.format(referred_on.reference)).text)
    body_reply = rows["Body reply"]
    assert "Ended — escalated Thu 5 Nov 2026, 10:00 CET" in body_reply
    assert "Met" not in body_reply
    assert "Missed" not in body_reply
    respond = rows["Respond"]
    assert "Missed, then ended — escalated Mon 2 Nov 2026, 10:00 CET" in respond
    assert "Met" not in respond
    assert "Met late" in rows["Acknowledge"]
    assert "left" in rows["Panel advice"]
