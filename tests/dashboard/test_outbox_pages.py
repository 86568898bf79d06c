"""The outbox page shows a long list a page at a time, and says which part of it."""

from __future__ import annotations

import re

import pytest

from casetracker import timesource
from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import OutboxNotifier

UNDELIVERED = "Pages of undelivered messages"
BOUNCED = "Pages of bounced emails"


def _queue(count: int, *, bounced: bool = False) -> list[int]:
    """Queue ``count`` messages (sent and bounced back, if asked); return their ids in order."""
    now = timesource.now()
    notifier = OutboxNotifier(db.session, now=now)
    kind = "bounced" if bounced else "waiting"
    for n in range(count):
        notifier.notify(
            topic="email_outcome",
            recipient=f"subject:PC-2026-{n:05d}",
            payload={"reference": f"PC-2026-{n:05d}"},
            dedupe_key=f"{kind}:{n}",
            channel="email",
        )
    db.session.commit()
    rows = db.session.query(OutboxMessage).filter(OutboxMessage.dedupe_key.like(f"{kind}:%"))
    messages = sorted(rows, key=lambda m: m.id)
    if bounced:
        for message in messages:
            message.sent_at = message.bounced_at = now
        db.session.commit()
    return [m.id for m in messages]


def showing(first: int, last: int, total: int) -> str:
    return f"Showing {first}\u2013{last} of {total}"


def _shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<th scope="row">#(\d+)', html)]


def _links(html: str, label: str) -> dict[str, str]:
    nav = re.search(rf'<nav class="pager" aria-label="{label}">(.*?)</nav>', html, re.S)
    if nav is None:
        return {}
    found = re.findall(r'<a href="([^"]+)" rel="(prev|next)">', nav.group(1))
    return {rel: href.replace("&amp;", "&") for href, rel in found}


def test_175_waiting_messages_are_shown_50_at_a_time(web, priya):
    ids = _queue(175)
    web.sign_in(priya.email)

    first = web.get("/outbox").text
    assert showing(1, 50, 175) in first
    assert _shown(first) == ids[:50]
    assert _links(first, UNDELIVERED) == {"next": "/outbox?page=2"}

    second = web.get(_links(first, UNDELIVERED)["next"]).text
    assert showing(51, 100, 175) in second
    assert _shown(second) == ids[50:100]
    assert _links(second, UNDELIVERED) == {"prev": "/outbox?page=1", "next": "/outbox?page=3"}

    last = web.get("/outbox?page=4").text
    assert showing(151, 175, 175) in last
    assert _shown(last) == ids[150:]
    assert _links(last, UNDELIVERED) == {"prev": "/outbox?page=3"}


def test_a_page_past_the_end_shows_the_last_one(web, priya):
    ids = _queue(60)
    web.sign_in(priya.email)
    page = web.get("/outbox?page=9").text
    assert showing(51, 60, 60) in page
    assert _shown(page) == ids[50:]


def test_a_short_list_has_no_pages(web, priya):
    _queue(3)
    web.sign_in(priya.email)
    page = web.get("/outbox").text
    assert "Showing" not in page
    assert 'class="pager"' not in page


def test_bounced_emails_have_pages_of_their_own(web, priya):
    waiting = _queue(51)
    bounced = _queue(55, bounced=True)
    web.sign_in(priya.email)
    page = web.get("/outbox?page=2").text
    assert "Showing 51 of 51, failed ones first." in page
    assert showing(1, 50, 55) + ", newest first." in page
    assert _shown(page) == [waiting[50], *bounced[::-1][:50]]
    assert _links(page, BOUNCED) == {"next": "/outbox?page=2&bounced_page=2"}

    page = web.get(_links(page, BOUNCED)["next"]).text
    assert showing(51, 55, 55) + ", newest first." in page
    assert _shown(page) == [waiting[50], *bounced[::-1][50:]]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-2", "page"),
        ("bounced_page=1.5", "bounced_page"),
    ],
)
def test_a_bad_page_number_is_refused_naming_the_parameter(web, priya, query, name):
    _queue(60)
    web.sign_in(priya.email)
    response = web.get(f"/outbox?{query}")
    assert response.status_code == 400
    assert f"The {name} parameter must be a page number" in response.text
