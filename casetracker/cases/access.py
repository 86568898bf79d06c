"""Who may see what on the dashboard: subject data for the DPO and the case owner only."""

from __future__ import annotations

from casetracker.cases.models import Case
from casetracker.people.actors import Actor
from casetracker.people.models import Staff
from casetracker.people.roles import sees_all_subjects

MASK = "\u2022"


def sees_subject(staff: Staff, case: Case) -> bool:
    """Tell whether this person may see the case's subject data and complaint text."""
    return sees_all_subjects(staff) or (case.owner_id is not None and case.owner_id == staff.id)


def web_actor(staff: Staff, case: Case | None = None) -> Actor:
    """Act as this person from the dashboard, with the pii scope where they may see it."""
    actor = Actor.for_staff(staff, kind="staff")
    if case is not None and sees_subject(staff, case):
        return actor.with_scopes(frozenset({"pii"}))
    return actor


def mask(text: str | None) -> str:
    """Hide personal data but keep its shape: "Erika Mustermann" -> "E•••• M•••••••••"."""
    if not text:
        return ""
    if "@" in text:
        return f"{text[:1]}{MASK * 4}@{MASK * 4}"
    return " ".join(word[:1] + MASK * (len(word) - 1) for word in text.split())
