"""The case page's action forms: which fields each action asks for, and parsing them.

Validation stays with the action schemas the API uses; this module only describes the
inputs and turns form text (empty fields, local date-times) into the schemas' input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from casetracker import policy as policies
from casetracker.cases import clocks, workflow
from casetracker.cases.models import Case
from casetracker.cases.schemas import ACTION_SCHEMAS, OUTCOMES
from casetracker.people.models import Staff

DATETIME_FIELDS = frozenset({"told_at", "referred_at", "advice_at"})


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: str = "text"  # text, textarea, select, datetime
    hint: str = ""


REASON = Field("reason", "Reason", "textarea")
FIELDS: dict[str, tuple[Field, ...]] = {
    "acknowledge": (Field("reason", "Note", "textarea"),),
    "assign": (Field("owner", "New owner", "select"), REASON),
    "note": (Field("text", "Note", "textarea", "Added to the audit trail only."),),
    "hold": (REASON,),
    "resume": (REASON,),
    "extend": (
        Field("clock", "Deadline to extend", "select"),
        Field("reason", "Reason for the extension", "textarea", "The individual is told this."),
        Field("told_at", "When the individual was told", "datetime", "Leave empty for now."),
    ),
    "escalate": (
        Field("to_stage", "Escalate to", "select"),
        Field("body_reference", "The body's own reference", hint="For example BBB-2026-1234."),
        Field("referred_at", "Date of the referral", "datetime", "Leave empty for now."),
        REASON,
    ),
    "record_advice": (
        Field("advice_at", "Date of the panel's advice", "datetime", "Leave empty for now."),
        REASON,
    ),
    "resolve": (Field("outcome", "Outcome", "select"), REASON),
    "redirect": (Field("client", "Client that controls the data"), REASON),
    "reopen": (REASON,),
    "verify_identity": (REASON,),
}
TITLES = {
    "acknowledge": "Acknowledge receipt",
    "assign": "Assign to someone else",
    "note": "Add a note",
    "hold": "Put on hold",
    "resume": "Resume",
    "extend": "Extend a deadline",
    "escalate": "Escalate",
    "record_advice": "Record the panel's advice",
    "resolve": "Resolve and close",
    "redirect": "Redirect to the client",
    "reopen": "Reopen",
    "verify_identity": "Record identity verified",
}


@cache
def required(action: str, field: str) -> bool:
    """Tell whether the action's schema requires the field."""
    return ACTION_SCHEMAS[action]().fields[field].required


def choices(action: str, field: str, *, case: Case, staff: list[Staff]) -> list[tuple[str, str]]:
    """Return (value, label) options of a select field for this case."""
    if field == "owner":
        return [(member.email, member.name) for member in staff if member.id != case.owner_id]
    if field == "clock":
        return [(clock.name, clock.name) for clock in clocks.extendable(case)]
    if field == "to_stage":
        targets = workflow.escalation_targets(case, policies.current())
        return [(stage, stage) for stage in targets]
    if field == "outcome":
        return [(outcome, outcome) for outcome in OUTCOMES[case.kind]]
    return []


def params_from_form(action: str, form, *, tz: ZoneInfo) -> dict:
    """Turn the submitted form into the action's input; local date-times get the team zone."""
    params = {}
    for field in FIELDS.get(action, ()):
        value = (form.get(field.name) or "").strip()
        if not value:
            continue
        if field.name in DATETIME_FIELDS:
            value = _aware(value, tz)
        params[field.name] = value
    return params


def _aware(value: str, tz: ZoneInfo) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema names the field and says what is wrong
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.isoformat()


@dataclass(frozen=True)
class Input:
    field: Field
    required: bool
    options: list[tuple[str, str]]


@dataclass(frozen=True)
class Form:
    action: str
    title: str
    inputs: list[Input]


def forms_for(case: Case, *, allowed: list[str], staff: list[Staff]) -> list[Form]:
    """Describe one form per action the viewer may take on the case now."""
    return [
        Form(
            action,
            TITLES[action],
            [
                Input(
                    field,
                    required(action, field.name),
                    choices(action, field.name, case=case, staff=staff),
                )
                for field in FIELDS[action]
            ],
        )
        for action in allowed
    ]
