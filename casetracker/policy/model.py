"""The validated policy: routes, clocks, bodies, reminders, task targets and retention."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from casetracker.deadlines import ClockRule, Duration

KINDS = ("complaint", "request")
JURISDICTIONS = ("EU", "UK", "CH", "BR", "US-CA", "OTHER")
DATA_CONTEXTS = ("platform", "website", "marketing", "recruiting", "employment")
HR_CONTEXTS = frozenset({"recruiting", "employment"})
RIGHTS = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "portability",
    "objection",
    "withdraw_consent",
    "opt_out",
    "limit_sensitive",
)
STAGES = (
    "received",
    "internal_review",
    "independent_recourse",
    "dpa_panel",
    "arbitration",
    "regulator",
    "verifying_identity",
    "in_progress",
    "closed",
)


class PolicyError(Exception):
    """The policy file is unreadable or breaks a rule; the message names the key path."""


@dataclass(frozen=True)
class Step:
    """One stage of a route; optional stages may be skipped when escalating."""

    stage: str
    optional: bool = False


@dataclass(frozen=True)
class Route:
    """The ordered stages a case of one kind moves through."""

    name: str
    kind: str
    steps: tuple[Step, ...]
    description: str = ""

    @property
    def stages(self) -> tuple[str, ...]:
        """Return the stage names in order."""
        return tuple(step.stage for step in self.steps)

    def contains(self, stage: str) -> bool:
        """Return whether stage is on this route."""
        return stage in self.stages

    def escalation_targets(self, current_stage: str) -> tuple[str, ...]:
        """Return the stages a case may escalate to from current_stage."""
        if current_stage == "received" or not self.contains(current_stage):
            return ()
        targets = []
        for step in self.steps[self.stages.index(current_stage) + 1 :]:
            targets.append(step.stage)
            if not step.optional:
                break
        return tuple(targets)


@dataclass(frozen=True)
class RouteRule:
    """Send cases of a kind, jurisdiction and data context to a route; None matches any."""

    kind: str
    jurisdictions: frozenset[str] | None
    data_contexts: frozenset[str] | None
    route: str

    def matches(self, *, kind: str, jurisdiction: str, data_context: str) -> bool:
        """Return whether a case with these attributes falls under this rule."""
        return (
            kind == self.kind
            and (self.jurisdictions is None or jurisdiction in self.jurisdictions)
            and (self.data_contexts is None or data_context in self.data_contexts)
        )


@dataclass(frozen=True)
class ClockSpec:
    """A resolved clock: its rule, the stages it runs in and the actions that start or meet it."""

    name: str
    rule: ClockRule
    stages: tuple[str, ...]
    starts_on: str | None
    met_by: tuple[str, ...]
    source: str
    # The company's own promise, shorter than the law's period: reminders aim at it, the
    # legal due time stays the deadline.
    target: Duration | None = None
    target_source: str | None = None


@dataclass(frozen=True)
class ClockEntry:
    """One [[clocks]] entry: a ClockSpec and the cases it applies to; None matches any."""

    index: int
    kind: str
    jurisdictions: frozenset[str] | None
    rights: frozenset[str] | None
    spec: ClockSpec

    @property
    def specificity(self) -> tuple[bool, bool]:
        """Rank entries: explicit rights first, then explicit jurisdictions."""
        return (self.rights is not None, self.jurisdictions is not None)

    def matches(self, *, kind: str, jurisdiction: str, right: str | None) -> bool:
        """Return whether a case with these attributes falls under this entry."""
        return (
            kind == self.kind
            and (self.jurisdictions is None or jurisdiction in self.jurisdictions)
            and (self.rights is None or right in self.rights)
        )


@dataclass(frozen=True)
class Reminders:
    """When to remind owners (and the DPO) about a clock."""

    before_due: tuple[timedelta, ...]
    at_due: bool
    overdue_every: timedelta
    dpo_when_overdue: bool


@dataclass(frozen=True)
class TaskTargets:
    """When a system owner's task on a request is due, relative to the request's deadline."""

    before_legal_due: timedelta
    at_least: timedelta

    def due_at(self, *, legal_due: datetime, entered_work: datetime, tz: tzinfo) -> datetime:
        """Return the task's due time: ahead of the legal one, but leaving the owner time.

        Days are counted on the team's wall clock: ten days before 23:59 is 23:59, whatever
        summer time did in between.
        """
        ahead = (legal_due.astimezone(tz) - self.before_legal_due).astimezone(legal_due.tzinfo)
        room = (entered_work.astimezone(tz) + self.at_least).astimezone(legal_due.tzinfo)
        return min(max(ahead, room), legal_due)


@dataclass(frozen=True)
class IdentityCheck:
    """How a request filed through the form confirms identity: an emailed, single-use link."""

    link_expires_after: Duration
    remind_after: Duration
    close_after_reminder: Duration
    # Jurisdictions whose respond clock starts again when identity is verified.
    respond_from_verification: frozenset[str]


@dataclass(frozen=True)
class Retention:
    """How long personal data of closed cases is kept."""

    closed_case_pii: Duration


# Compared and hashed by identity: it holds mappings and is loaded once per app.
@dataclass(frozen=True, eq=False)
class Policy:
    """The operator's rules for routes, deadlines, bodies, reminders and retention."""

    routes: Mapping[str, Route]
    route_rules: tuple[RouteRule, ...]
    clock_entries: tuple[ClockEntry, ...]
    bodies: Mapping[str, Mapping[str, str]]
    redirectable_contexts: frozenset[str]
    identity_not_required_for: frozenset[str]
    identity_check: IdentityCheck
    reminders: Reminders
    tasks: TaskTargets
    retention: Retention
    source_path: str

    def route(self, name: str) -> Route:
        """Return the route called name."""
        return self.routes[name]

    def route_for(self, *, kind: str, jurisdiction: str, data_context: str) -> Route:
        """Return the route of a new case: the first matching route rule wins."""
        for rule in self.route_rules:
            if rule.matches(kind=kind, jurisdiction=jurisdiction, data_context=data_context):
                return self.routes[rule.route]
        raise ValueError(f"no route for {kind}/{jurisdiction}/{data_context}")

    def clocks_for(
        self, *, kind: str, jurisdiction: str, right: str | None = None
    ) -> tuple[ClockSpec, ...]:
        """Return the clocks of a case, the most specific entry per name, in file order."""
        chosen: dict[str, ClockEntry] = {}
        for entry in self.clock_entries:
            if not entry.matches(kind=kind, jurisdiction=jurisdiction, right=right):
                continue
            best = chosen.get(entry.spec.name)
            if best is None or entry.specificity > best.specificity:
                chosen[entry.spec.name] = entry
        return tuple(entry.spec for entry in chosen.values())

    def identity_required(self, *, right: str | None) -> bool:
        """Return whether a request for right needs the individual's identity verified."""
        return right not in self.identity_not_required_for

    def body_for(self, *, stage: str, jurisdiction: str) -> str | None:
        """Return the body that handles stage for jurisdiction, if any."""
        bodies = self.bodies.get(stage, {})
        return bodies.get(jurisdiction, bodies.get("default"))

    def is_redirectable(self, data_context: str) -> bool:
        """Return whether cases about data_context may be referred to the client."""
        return data_context in self.redirectable_contexts
