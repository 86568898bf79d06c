"""Reactions: what else an action sets off, in its own transaction.

The list of reactions is ``casetracker.reactions``; this module only gives them the change
they react to and runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy.orm import Session

from casetracker.cases.models import Case
from casetracker.outbox.notifier import Notifier, OutboxNotifier

REACTIONS = "casetracker.cases.reactions"


@dataclass(frozen=True)
class Change:
    """An action just applied, as a reaction sees it: in the action's transaction."""

    db_session: Session
    case: Case
    action: str
    params: Mapping
    notifier: Notifier
    at: datetime
    # Rows written with a new case in its transaction (create_case's ``attach``).
    attached: Sequence[object] = ()

    @property
    def base_url(self) -> str:
        return current_app.config["CASETRACKER_BASE_URL"]


Reaction = Callable[[Change], None]


def set_reactions(app: Flask, reactions: Mapping[str, Sequence[Reaction]]) -> None:
    """Say what else happens, in the same transaction, after each action (and "create")."""
    app.extensions[REACTIONS] = reactions


def react(
    db_session: Session,
    case: Case,
    action: str,
    params: Mapping,
    *,
    at,
    attached: Sequence[object] = (),
) -> None:
    """Run the reactions to an action just applied to ``case``."""
    notifier = OutboxNotifier(db_session, now=at)
    change = Change(db_session, case, action, params, notifier, at, tuple(attached))
    for reaction in current_app.extensions.get(REACTIONS, {}).get(action, ()):
        reaction(change)
