"""The case page's action forms, built from the action registry, and parsing them.

Validation stays with the action schemas the API uses; this module only turns the
registry's fields into inputs and form text (empty fields, local date-times) into the
schemas' input, and asks people for what API clients may leave out: explicit choices and
the action's confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from casetracker import policy as policies
from casetracker.cases import actions
from casetracker.cases.actions import Field
from casetracker.cases.models import Case
from casetracker.dashboard.filters import label
from casetracker.people.models import Staff

UNCONFIRMED = "Tick the box to confirm; nothing has changed yet."


@cache
def required(action: str, field: str) -> bool:
    """Tell whether the action's schema requires the field."""
    return actions.BY_NAME[action].schema().fields[field].required


def title(action: str) -> str:
    """Return the action's title, as its form and button say it."""
    found = actions.get(action)
    return found.title if found and found.title else action


def choices(action: str, field: Field, *, case: Case, staff: list[Staff]) -> list[tuple[str, str]]:
    """Return (value, label) options of a select field for this case."""
    values = actions.choices(action, field.name, case=case, policy=policies.current(), staff=staff)
    if field.widget == "staff":
        names = {member.email: member.name for member in staff}
        return [(value, names[value]) for value in values]
    return [(value, label(value)) for value in values]


def params_from_form(action: str, form, *, tz: ZoneInfo) -> dict:
    """Turn the submitted form into the action's input; local date-times get the team zone."""
    params = {}
    for field in actions.BY_NAME[action].fields if action in actions.BY_NAME else ():
        value = (form.get(field.name) or "").strip()
        if not value:
            continue
        if field.widget == "datetime":
            value = _aware(value, tz)
        params[field.name] = value
    return params


def form_problems(action: str, form, params: dict) -> dict:
    """Return what the form lacks that people must give (with the schema's other errors)."""
    declared = actions.BY_NAME[action]
    missing = {
        field.name: [_choose(field)]
        for field in declared.fields
        if field.explicit and field.name not in params
    }
    if declared.confirm and not form.get("confirm"):
        missing["confirm"] = [UNCONFIRMED]
    return {**declared.schema().validate(params), **missing} if missing else {}


def _choose(field: Field) -> str:
    if field.widget in ("select", "staff"):
        return f"{field.label}: choose one of the options."
    return f"{field.label}: fill this in."


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
    confirm: str = ""


def forms_for(case: Case, *, allowed: list[str], staff: list[Staff]) -> list[Form]:
    """Describe one form per action the viewer may take on the case now."""
    return [_form(action, case=case, staff=staff) for action in allowed]


def _form(action: str, *, case: Case, staff: list[Staff]) -> Form:
    declared = actions.BY_NAME[action]
    inputs = [
        Input(
            field,
            required(action, field.name) or field.explicit,
            choices(action, field, case=case, staff=staff),
        )
        for field in declared.fields
    ]
    return Form(action, title(action), inputs, confirmation(declared.confirm, case, inputs))


def confirmation(text: str, case: Case, inputs: list[Input]) -> str:
    """Fill in what the confirmation names: the case, and the options of its select fields."""
    if not text:
        return ""
    named = {"reference": case.reference}
    for item in inputs:
        labels = [option for _, option in item.options]
        if len(labels) == 1:
            named[item.field.name] = labels[0]
        elif labels:
            named[item.field.name] = f"{' or '.join(labels)}, as chosen above"
    return text.format_map(named)
