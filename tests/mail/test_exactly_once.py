"""Exactly once under concurrency and crashes: 200 messages, two fetchers, a run cut short."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetracker.extensions import db
from casetracker.mail import fetch, service
from casetracker.mail.models import MailMessage
from tests.mail_from_people import german_request
from tests.mail_generated import bulk

MESSAGES = 200


def _imported() -> tuple[int, int]:
    db.session.expire_all()
    rows = select(func.count(), func.count(func.distinct(MailMessage.identity)))
    return tuple(db.session.execute(rows.where(MailMessage.direction == "in")).one())


@pytest.fixture
def full_mailbox(mail_app, imap):
    imap.append_many(list(bulk(MESSAGES, attachment_every=25, attachment_size=4096)))
    return imap


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_fetchers_at_once_import_each_message_exactly_once(mail_app, full_mailbox, clock):
    barrier = threading.Barrier(2)
    reports = []

    def run():
        with mail_app.app_context():
            session = Session(db.engine)
            barrier.wait()
            reports.append(fetch.fetch_mail(session, now=clock()))
            session.close()

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert _imported() == (MESSAGES, MESSAGES)
    assert sum(r.imported for r in reports) == MESSAGES
    assert all(r.errors == [] for r in reports)


def test_a_run_cut_short_is_finished_by_the_next_run_exactly_once(
    mail_app, full_mailbox, clock, monkeypatch
):
    real_import = service.import_message
    calls = []

    def crash_midway(*args, **kwargs):
        calls.append(1)
        if len(calls) == 120:
            raise SystemExit("killed")  # as a killed process: nothing after this point runs
        return real_import(*args, **kwargs)

    monkeypatch.setattr(service, "import_message", crash_midway)
    with pytest.raises(SystemExit):
        fetch.fetch_mail(db.session, now=clock())
    db.session.rollback()
    assert _imported() == (119, 119)

    monkeypatch.setattr(service, "import_message", real_import)
    report = fetch.fetch_mail(db.session, now=clock())

    assert report.imported == MESSAGES - 119
    assert _imported() == (MESSAGES, MESSAGES)


def test_a_message_stored_but_not_yet_counted_is_not_imported_twice(
    mail_app, imap, clock, monkeypatch
):
    """A crash after the commit of a message and before the cursor moved past it."""
    imap.append(german_request())
    monkeypatch.setattr(fetch, "_advance", lambda *args: None)
    fetch.fetch_mail(db.session, now=clock())
    monkeypatch.undo()

    report = fetch.fetch_mail(db.session, now=clock())

    assert (report.imported, report.duplicates) == (0, 1)
    assert _imported() == (1, 1)
