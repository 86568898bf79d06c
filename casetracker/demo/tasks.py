"""The demo's system owners at work: tasks finished before a request is answered, and some
still open on requests in work, as a team's would be."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy.orm import Session

from casetracker import timesource
from casetracker.cases import service as case_service
from casetracker.cases.models import Case
from casetracker.cases.tasks import unfinished

# Their own draws, so that the rest of the demo history stays as it was.
RNG_SEED = 2027
NO_DATA_SHARE = 0.3
FINISHED_SHARE = 0.5
NOTES = {
    "done": "Done as the instructions say; checked afterwards.",
    "no_data": "Searched by email and name: no record.",
}


def finish_all(db_session: Session, case: Case, *, team, start, end) -> None:
    """Finish every open task between ``start`` and ``end``, each by its owner."""
    _finish(db_session, case, unfinished(case), team=team, start=start, end=end)


def finish_some(db_session: Session, case: Case, *, team, start, end) -> None:
    """Finish about half of the open tasks of a request still in work."""
    rng = _rng(case)
    chosen = [task for task in unfinished(case) if rng.random() < FINISHED_SHARE]
    _finish(db_session, case, chosen, team=team, start=start, end=end)


def _rng(case: Case) -> random.Random:
    return random.Random(f"{RNG_SEED}:{case.reference}")


def _finish(db_session, case, tasks, *, team, start: datetime, end: datetime) -> None:
    rng = _rng(case)
    by_email = {account.email: account for account in team.values()}
    gap = (end - start) / (len(tasks) + 1)
    for number, task in enumerate(tasks, start=1):
        status = "no_data" if rng.random() < NO_DATA_SHARE else "done"
        owner = by_email[task.owner.email]
        with timesource.frozen_at(start + gap * number):
            case_service.perform(
                db_session,
                reference=case.reference,
                action="update_task",
                version=case_service.CURRENT,
                params={"task": task.id, "status": status, "note": NOTES[status]},
                actor=owner.web,
                source="web",
            )
