"""How an action is declared: who may take it, when, and the forms people are offered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from marshmallow import Schema

from casetracker.cases.handlers import Step
from casetracker.cases.models import Case
from casetracker.policy import Policy

PEOPLE = frozenset({"staff", "dpo", "admin"})
ANYONE = PEOPLE | {"system"}
SYSTEM = frozenset({"system"})


@dataclass(frozen=True)
class Field:
    """One input of an action's form; widgets: text, textarea, select, datetime, staff.

    An ``explicit`` field must be filled in on the dashboard's form even where the schema
    lets API clients leave it to a default.
    """

    name: str
    label: str
    widget: str = "text"
    hint: str = ""
    explicit: bool = False


@dataclass(frozen=True)
class Line:
    """The action as one line of text: `ack PC-2026-00042`, answered "Acknowledged …".

    After the case reference, ``words`` are fields given one word each (at least ``least``
    words in all); ``rest`` takes the rest of the line.
    """

    word: str
    what: str
    example: str
    done: str
    words: tuple[str, ...] = ()
    least: int = 0
    rest: str | None = None
    usage: str = ""


@dataclass(frozen=True)
class Action:
    """An action: who may take it, when, and how people are offered it.

    ``confirm`` is a sentence the dashboard's form asks people to tick before the action
    runs; it may name ``{reference}`` and the form's select fields (``{to_stage}``).
    """

    name: str
    title: str
    schema: type[Schema]
    handler: Callable[[Step], None]
    when: Callable[[Case, Policy], bool]
    roles: frozenset[str] = ANYONE
    fields: tuple[Field, ...] = ()
    line: Line | None = None
    bumps_version: bool = True
    confirm: str = ""

    @property
    def offered(self) -> bool:
        """Tell whether people are offered this action (in allowed_actions, forms, Slack)."""
        return bool(self.roles & PEOPLE) and bool(self.fields or self.line or self.title)
