"""Read a policy file, validate every key, and build a Policy."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Collection
from datetime import timedelta
from importlib import resources
from types import MappingProxyType
from typing import Any

from casetracker.deadlines import ClockRule, Duration
from casetracker.policy.checks import check_policy
from casetracker.policy.fields import Table, check_choice, parse_duration
from casetracker.policy.model import (
    DATA_CONTEXTS,
    JURISDICTIONS,
    KINDS,
    RIGHTS,
    STAGES,
    ClockEntry,
    ClockSpec,
    IdentityCheck,
    Policy,
    PolicyError,
    Reminders,
    Retention,
    Route,
    RouteRule,
    Step,
    TaskTargets,
)

_TOP_KEYS = (
    "reminders",
    "retention",
    "bodies",
    "routes",
    "route_rules",
    "redirect",
    "clocks",
    "identity",
    "tasks",
)
_CLOCK_KEYS = (
    "name",
    "kind",
    "jurisdictions",
    "rights",
    "duration",
    "calendar",
    "roll_forward",
    "pausable",
    "extension",
    "stages",
    "starts_on",
    "met_by",
    "source",
    "target",
    "target_source",
)
_REMINDER_KEYS = ("before_due", "at_due", "overdue_every", "dpo_when_overdue", "source")
_RULE_KEYS = ("kind", "jurisdictions", "data_contexts", "route")
_IDENTITY_KEYS = ("not_required_for", "source", "link", "reminder", "closure", "respond_clock")
_ROUTE_STAGES = tuple(stage for stage in STAGES if stage != "closed")


def load_policy(path: str | os.PathLike[str] | None = None, *, actions: Collection[str]) -> Policy:
    """Load and validate the policy at path, or the packaged default when path is None.

    ``actions`` are the names clocks may start on or be met by (the case action registry).
    """
    if path is None:
        resource = resources.files(__package__) / "default.toml"
        source_path, text = str(resource), resource.read_text(encoding="utf-8")
    else:
        source_path = os.fspath(path)
        try:
            with open(source_path, encoding="utf-8") as file:
                text = file.read()
        except OSError as exc:
            raise PolicyError(f"{source_path}: cannot read the policy file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source_path}: not valid TOML: {exc}") from None
    return build_policy(data, source_path=source_path, actions=actions)


def build_policy(data: dict[str, Any], *, source_path: str, actions: Collection[str]) -> Policy:
    """Validate parsed TOML data and return the Policy it describes."""
    root = Table(data, "", _TOP_KEYS)
    routes = _routes(root)
    policy = Policy(
        routes=MappingProxyType(routes),
        route_rules=tuple(
            _route_rule(table, routes) for table in root.tables("route_rules", _RULE_KEYS)
        ),
        clock_entries=tuple(
            _clock(index, table, tuple(actions))
            for index, table in enumerate(root.tables("clocks", _CLOCK_KEYS))
        ),
        bodies=_bodies(root.table("bodies")),
        redirectable_contexts=_redirect(root.table("redirect", ("contexts", "source"))),
        identity_not_required_for=_identity(root.table("identity", _IDENTITY_KEYS)),
        identity_check=_identity_check(root.table("identity", _IDENTITY_KEYS)),
        reminders=_reminders(root.table("reminders", _REMINDER_KEYS)),
        tasks=_tasks(root.table("tasks", ("before_legal_due", "at_least", "source"))),
        retention=_retention(root.table("retention", ("closed_case_pii", "source"))),
        source_path=source_path,
    )
    check_policy(policy)
    return policy


def _routes(root: Table) -> dict[str, Route]:
    table = root.table("routes")
    if not table.data:
        raise PolicyError("routes: define at least one route")
    return {
        name: _route(name, table.table(name, ("description", "kind", "stages", "source")))
        for name in table.data
    }


def _route(name: str, table: Table) -> Route:
    kind = table.choice("kind", KINDS, "kind")
    description = table.text("description")
    table.text("source", required=False)
    steps: list[Step] = []
    for step in table.tables("stages", ("stage", "optional")):
        stage = step.choice("stage", STAGES, "stage")
        if stage == "closed":
            raise PolicyError(f"{step.at('stage')}: 'closed' ends every route; do not list it")
        if stage in (earlier.stage for earlier in steps):
            raise PolicyError(f"{step.at('stage')}: {stage!r} is listed twice")
        steps.append(Step(stage, step.flag("optional", False)))
    if steps[0] != Step("received"):
        raise PolicyError(f"{table.at('stages')}[0]: every route starts with a required 'received'")
    return Route(name=name, kind=kind, steps=tuple(steps), description=description)


def _route_rule(table: Table, routes: dict[str, Route]) -> RouteRule:
    kind = table.choice("kind", KINDS, "kind")
    jurisdictions = table.choices("jurisdictions", JURISDICTIONS, "jurisdiction")
    data_contexts = table.choices("data_contexts", DATA_CONTEXTS, "data context")
    route = table.choice("route", routes, "route")
    if routes[route].kind != kind:
        raise PolicyError(
            f"{table.at('route')}: route {route!r} is for {routes[route].kind}s, not {kind}s"
        )
    return RouteRule(kind, _as_set(jurisdictions), _as_set(data_contexts), route)


def _clock(index: int, table: Table, actions: tuple[str, ...]) -> ClockEntry:
    kind = table.choice("kind", KINDS, "kind")
    rights = table.choices("rights", RIGHTS, "right")
    if rights is not None and kind != "request":
        raise PolicyError(f"{table.at('rights')}: only request clocks can be limited to rights")
    rule = ClockRule(
        duration=table.duration("duration"),
        calendar=table.calendar("calendar"),
        roll_forward=table.flag("roll_forward", False),
        pausable=table.flag("pausable", False),
        extension=table.duration("extension", required=False),
    )
    starts_on = table.choice("starts_on", actions, "action", required=False)
    met_by = table.choices("met_by", actions, "action") or ()
    if starts_on in met_by:
        raise PolicyError(f"{table.at('met_by')}: {starts_on!r} already starts this clock")
    spec = ClockSpec(
        name=table.text("name"),
        rule=rule,
        stages=table.choices("stages", _ROUTE_STAGES, "stage", required=True),
        starts_on=starts_on,
        met_by=met_by,
        source=table.source(),
        target=table.duration("target", required=False),
        target_source=table.text("target_source", required=False),
    )
    if (spec.target is None) != (spec.target_source is None):
        missing = "target_source" if spec.target else "target"
        raise PolicyError(f"{table.at(missing)}: a promise needs both target and target_source")
    jurisdictions = table.choices("jurisdictions", JURISDICTIONS, "jurisdiction")
    return ClockEntry(index, kind, _as_set(jurisdictions), _as_set(rights), spec)


def _bodies(table: Table) -> MappingProxyType[str, MappingProxyType[str, str]]:
    bodies = {}
    for stage in table.data:
        check_choice(stage, _ROUTE_STAGES, "stage", table.at(stage))
        names = table.table(stage, (*JURISDICTIONS, "default", "source"))
        names.text("source", required=False)
        bodies[stage] = MappingProxyType(
            {key: names.text(key) for key in names.data if key != "source"}
        )
    return MappingProxyType(bodies)


def _redirect(table: Table) -> frozenset[str]:
    table.source()
    return frozenset(table.choices("contexts", DATA_CONTEXTS, "data context", required=True))


def _identity(table: Table) -> frozenset[str]:
    table.source()
    value = table.value("not_required_for")
    # An empty list is a valid choice: every request needs verification.
    if value == []:
        return frozenset()
    return frozenset(table.choices("not_required_for", RIGHTS, "right", required=True))


def _identity_check(table: Table) -> IdentityCheck:
    link = table.table("link", ("expires_after", "source"))
    reminder = table.table("reminder", ("after", "source"))
    closure = table.table("closure", ("after_reminder", "source"))
    respond = table.table("respond_clock", ("from_verification", "source"))
    for part in (link, reminder, closure, respond):
        part.source()
    listed = respond.value("from_verification")
    # An empty list is a valid choice: every respond clock keeps counting from receipt.
    jurisdictions = (
        ()
        if listed == []
        else respond.choices("from_verification", JURISDICTIONS, "jurisdiction", required=True)
    )
    return IdentityCheck(
        link_expires_after=_days(link, "expires_after"),
        remind_after=_days(reminder, "after"),
        close_after_reminder=_days(closure, "after_reminder"),
        respond_from_verification=frozenset(jurisdictions),
    )


def _days(table: Table, key: str) -> Duration:
    span = _calendar_days(table.value(key), table.at(key), "identity checks")
    return Duration(span.days, "days")


def _reminders(table: Table) -> Reminders:
    table.source()
    before_due: list[timedelta] = []
    for index, item in enumerate(table.items("before_due")):
        path = f"{table.at('before_due')}[{index}]"
        before_due.append(_calendar_days(item, path))
        if before_due[-1] in before_due[:-1]:
            raise PolicyError(f"{path}: {item!r} is listed twice")
    return Reminders(
        before_due=tuple(sorted(before_due, reverse=True)),
        at_due=table.flag("at_due"),
        overdue_every=_calendar_days(table.value("overdue_every"), table.at("overdue_every")),
        dpo_when_overdue=table.flag("dpo_when_overdue"),
    )


def _tasks(table: Table) -> TaskTargets:
    table.source()
    return TaskTargets(
        before_legal_due=_calendar_days(
            table.value("before_legal_due"), table.at("before_legal_due"), "task targets"
        ),
        at_least=_calendar_days(table.value("at_least"), table.at("at_least"), "task targets"),
    )


def _calendar_days(value: Any, path: str, what: str = "reminders") -> timedelta:
    duration = parse_duration(value, path)
    if duration.unit != "days":
        raise PolicyError(
            f"{path}: {what} are in calendar days, not {duration.unit.replace('_', ' ')} "
            f"(write e.g. '7 days')"
        )
    return timedelta(days=duration.amount)


def _retention(table: Table) -> Retention:
    table.source()
    return Retention(closed_case_pii=table.duration("closed_case_pii"))


def _as_set(values: tuple[str, ...] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)
