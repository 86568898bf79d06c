"""One case read as plain rows, for the reads that only present it.

The API's ``GET /api/v1/cases/<reference>`` and Slack's ``/case show`` read a case, its
clocks, its subject and its owner, show them and change nothing. Building ORM objects for
that costs more than the query itself. These records carry the models' own column names and
take the few properties presentation uses from the models themselves, so the presenters and
the workflow's checks (``workflow.allowed_actions``) read a record as they read a ``Case``:
one presentation, one set of rules. Writes never use records: they read the ORM objects
(``service.get_case``) and go through ``service.perform``.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from casetracker.cases.errors import CaseNotFound
from casetracker.cases.models import Case, Clock, Subject
from casetracker.people.models import Staff


class CaseRecord(SimpleNamespace):
    """A case's columns, with ``owner``, ``subject`` and ``clocks`` as records."""

    running_clocks = Case.running_clocks


class ClockRecord(SimpleNamespace):
    """A clock's columns."""

    paused = Clock.paused


_cases, _clocks, _subjects, _staff = (m.__table__ for m in (Case, Clock, Subject, Staff))
# Of the owner, only what cases show: not the sign-in columns.
_OWNER = (_staff.c.id, _staff.c.name, _staff.c.email, _staff.c.role, _staff.c.active)
_PARTS = (
    ("case", tuple(_cases.c)),
    ("owner", _OWNER),
    ("subject", tuple(_subjects.c)),
    ("clock", tuple(_clocks.c)),
)


def _slices(parts) -> dict[str, tuple[tuple[str, ...], slice]]:
    """Say, for each part, its column names and where its values lie in a row."""
    found, start = {}, 0
    for name, columns in parts:
        found[name] = (tuple(column.key for column in columns), slice(start, start + len(columns)))
        start += len(columns)
    return found


_SLICES = _slices(_PARTS)

# One round trip: one row per clock (or one row for a case without clocks). Built once.
CASE_ROWS = (
    select(*(column for _, columns in _PARTS for column in columns))
    .select_from(
        _cases.outerjoin(_staff, _staff.c.id == _cases.c.owner_id)
        .outerjoin(_subjects, _subjects.c.case_id == _cases.c.id)
        .outerjoin(_clocks, _clocks.c.case_id == _cases.c.id)
    )
    .where(_cases.c.reference == bindparam("reference"))
    .order_by(_clocks.c.id)
)


def read_case(db_session: Session, *, reference: str) -> CaseRecord:
    """Return the case with this reference as plain records, or raise CaseNotFound."""
    rows = db_session.execute(CASE_ROWS, {"reference": reference}).all()
    if not rows:
        raise CaseNotFound(f"no case with reference {reference!r}")
    first = rows[0]
    case = CaseRecord(**_part(first, "case"))
    case.owner = SimpleNamespace(**_part(first, "owner")) if case.owner_id is not None else None
    subject = _part(first, "subject")
    case.subject = SimpleNamespace(**subject) if subject["id"] is not None else None
    clocks = (_part(row, "clock") for row in rows)
    case.clocks = [ClockRecord(**clock) for clock in clocks if clock["id"] is not None]
    return case


def _part(row, name: str) -> dict:
    names, where = _SLICES[name]
    return dict(zip(names, row[where], strict=True))
