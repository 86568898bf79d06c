"""`flask audit verify`: check the audit trail's hash chains."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from marshmallow import ValidationError
from sqlalchemy import select

from casetracker.cases import chain, verify
from casetracker.cases.models import Case
from casetracker.clierrors import refuse
from casetracker.extensions import db

group = AppGroup("audit", help="Check the audit trail.")

VERIFY_HELP = f"""Check that no audit event was changed or removed since it was recorded.

Each case's events are numbered 1, 2, 3... (seq) and sealed with a hash that covers the
event and the hash before it ({chain.ALGORITHM}). This recomputes every link and prints
how many cases and events it checked. For a broken chain it names the case, the seq and
id of the first broken link and why: a hash mismatch (the event or one before it was
edited), a seq gap (events deleted) or a missing hash. Exits 1 when any chain is broken,
2 for an unknown --case.

Removing a case's newest events leaves a shorter chain that still checks: give the chain
head printed on an earlier case file with --head SEQ:HASH (and --case), and the check also
fails unless the case's event at that seq still carries that hash.

The scheduler runs the same check every night (job audit-verify, at
CASETRACKER_AUDIT_VERIFY_AT, 03:00 by default) and tells the DPOs once of each newly
broken case; `flask jobs list` shows its last outcome.
"""


@group.command("verify", help=VERIFY_HELP)
@click.option(
    "--case", "reference", metavar="REF", help="Check this case only, e.g. PC-2026-00042."
)
@click.option(
    "--head",
    metavar="SEQ:HASH",
    help="The chain head from an earlier case file (needs --case), e.g. 12:3f5a...",
)
def verify_command(reference, head):
    """Check the hash chains of the audit trail."""
    expected = _parse_head(head, reference) if head is not None else None
    case_id = None
    if reference is not None:
        case_id = db.session.scalar(select(Case.id).where(Case.reference == reference))
        if case_id is None:
            refuse(ValidationError({"case": [f"no case with reference {reference!r}"]}))
    report = verify.verify(db.session, case_id=case_id)
    if expected is not None:
        report.breaks.extend(verify.against_head(db.session, case_id=case_id, head=expected))
    db.session.rollback()
    for broken in report.breaks:
        click.echo(f"broken: {broken}", err=True)
    summary = f"checked {_count(report.cases, 'case')}, {_count(report.events, 'event')}"
    if report.intact:
        click.echo(f"{summary}: every chain is intact")
        return
    click.echo(f"{summary}: {_count(len(report.breaks), 'broken chain')}", err=True)
    sys.exit(1)


def _parse_head(head: str, reference: str | None) -> tuple[int, str]:
    if reference is None:
        refuse(ValidationError({"head": ["needs --case: a chain head belongs to one case"]}))
    seq, _, digest = head.partition(":")
    if not seq.isdigit() or int(seq) < 1 or not verify.HEX_SHA256.fullmatch(digest.lower()):
        refuse(ValidationError({"head": ["give it as SEQ:HASH, e.g. 12: and 64 hex digits"]}))
    return int(seq), digest.lower()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
