"""Who is acting: a staff member through some channel, an API token, or the system."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casetracker.people.models import Staff

SYSTEM = "system"
# The individual a case is about, acting through a link only they were sent.
INDIVIDUAL = "individual"
# How the product's own actors are named to people, by the label the audit trail keeps.
SYSTEM_NAMES = {
    "intake": "casetracker (public form)",
    "api": "casetracker (API intake)",
    "scheduler": "casetracker (scheduler)",
    "mail": "casetracker (mailbox)",
    INDIVIDUAL: "the individual (emailed link)",
    SYSTEM: "casetracker",
}


class Person(Protocol):
    """A staff member as a plain record: a model row or a row read for one request."""

    id: int
    email: str
    role: str


@dataclass(frozen=True)
class Actor:
    """The author of a change, as the audit trail records it."""

    kind: str
    label: str
    role: str | None = None
    staff_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_staff(cls, staff: Staff, *, kind: str = "staff", label: str | None = None) -> Actor:
        """Act as a staff member (kind: staff, slack_user or api_token)."""
        return cls(kind=kind, label=label or staff.email, role=staff.role, staff_id=staff.id)

    @classmethod
    def via_slack(cls, staff: Person, *, slack_user_id: str) -> Actor:
        """Act as a staff member from their Slack account: "email (Slack U123)"."""
        label = f"{staff.email} (Slack {slack_user_id})"
        return cls(kind="slack_user", label=label, role=staff.role, staff_id=staff.id)

    @classmethod
    def system(cls, label: str = SYSTEM) -> Actor:
        """Act as the product itself (scheduler, intake)."""
        return cls(kind="system", label=label, role=SYSTEM)

    @classmethod
    def individual(cls) -> Actor:
        """Act as the individual, who may only take what the system offers them by link."""
        return cls(kind=INDIVIDUAL, label=INDIVIDUAL, role=SYSTEM)

    def with_scopes(self, scopes: frozenset[str]) -> Actor:
        return Actor(self.kind, self.label, self.role, self.staff_id, scopes)

    @property
    def sees_pii(self) -> bool:
        return "pii" in self.scopes


def names(
    db_session: Session, *, recorded: Collection[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Name recorded (kind, label) actors in words, staff by name; one query for all."""
    people = {_who(label) for kind, label in recorded if kind not in _NAMED}
    found = {}
    if people:
        match = or_(Staff.email.in_(people), Staff.slack_user_id.in_(people))
        for email, slack_user_id, name in db_session.execute(
            select(Staff.email, Staff.slack_user_id, Staff.name).where(match)
        ):
            found[email] = name
            if slack_user_id:
                found[slack_user_id] = name
    return {
        (kind, label): _system_name(label) if kind in _NAMED else found.get(_who(label), label)
        for kind, label in recorded
    }


_NAMED = frozenset({SYSTEM, INDIVIDUAL})


def _who(label: str) -> str:
    # "email", "email (Slack U123)", "email (token abc)", or a bare Slack user id (older rows).
    return label.split(" (", 1)[0]


def _system_name(label: str) -> str:
    return SYSTEM_NAMES.get(label, f"casetracker ({label})")
