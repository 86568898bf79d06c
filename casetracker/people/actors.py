"""Who is acting: a staff member through some channel, an API token, or the system."""

from __future__ import annotations

from dataclasses import dataclass, field

from casetracker.people.models import Staff

SYSTEM = "system"


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
    def system(cls, label: str = SYSTEM) -> Actor:
        """Act as the product itself (scheduler, intake)."""
        return cls(kind="system", label=label, role=SYSTEM)

    def with_scopes(self, scopes: frozenset[str]) -> Actor:
        return Actor(self.kind, self.label, self.role, self.staff_id, scopes)

    @property
    def sees_pii(self) -> bool:
        return "pii" in self.scopes
