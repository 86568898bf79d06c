"""The case page's response panel: the packages released to the individual, and the files
that may go into the next one."""

from __future__ import annotations

from flask_login import current_user

from casetracker import timesource
from casetracker.cases import access
from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.responses import export, service

RIGHTS = frozenset({"access", "portability"})


def panel(case: Case, *, forms: bool = True) -> dict | None:
    """What the panel shows; None for cases that are not access or portability requests."""
    if case.kind != "request" or case.right not in RIGHTS:
        return None
    sees = access.sees_subject(current_user, case)
    return {
        "packages": service.of_case(db.session, case_id=case.id),
        "files": export.own_files(db.session, case_id=case.id) if sees else [],
        "may_release": forms and sees and case.subject is not None and not case.subject.erased_at,
        "now": timesource.now(),
    }
