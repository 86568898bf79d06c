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
    """One input of an action's form; widgets: text, textarea, select, datetime, staff."""

    name: str
    label: str
    widget: str = "text"
    hint: str = ""


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
    name: str
    title: str
    schema: type[Schema]
    handler: Callable[[Step], None]
    when: Callable[[Case, Policy], bool]
    roles: frozenset[str] = ANYONE
    fields: tuple[Field, ...] = ()
    line: Line | None = None
    bumps_version: bool = True

    @property
    def offered(self) -> bool:
        """Tell whether people are offered this action (in allowed_actions, forms, Slack)."""
        return bool(self.roles & PEOPLE) and bool(self.fields or self.line or self.title)
