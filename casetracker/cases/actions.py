"""Every way a case can change, declared once.

Each action names who may take it, when the case allows it, its schema, its handler, and how
people are offered it: a title and form fields (the dashboard, Slack modals) and a one-line
form (Slack's ``/case``). The API, the dashboard, Slack and the policy's clock rules read
this table; adding an action is one entry here plus its handler in ``handlers``.

System actions (``roles={"system"}``) are taken by jobs and deliveries; they and the other
actions people are not offered as forms are declared in ``unlisted_actions``. Actions with
``bumps_version=False`` only record what happened beside the case (an email sent) or what
time did to it (a breach): they must not make the version a person or a reminder button
holds stale.
"""

from __future__ import annotations

from casetracker.cases import clocks, handlers, schemas
from casetracker.cases.action_types import Action, Field, Line
from casetracker.cases.handlers import advice_recorded, escalation_targets
from casetracker.cases.models import Case
from casetracker.cases.unlisted_actions import UNLISTED
from casetracker.policy import Policy

OPEN_STAGES_FOR_REDIRECT = frozenset(
    {"received", "internal_review", "verifying_identity", "in_progress"}
)


def _open(case: Case) -> bool:
    return case.status == "open"


def _not_closed(case: Case) -> bool:
    return case.status != "closed"


REASON = Field("reason", "Reason", "textarea")
LATER = "Leave empty to record the time you submit this form."
ACTIONS: tuple[Action, ...] = (
    Action(
        "acknowledge",
        "Acknowledge receipt",
        schemas.OptionalReasonSchema,
        handlers.acknowledge,
        lambda case, policy: _open(case) and case.stage == "received",
        fields=(Field("reason", "Note", "textarea"),),
        line=Line("ack", "acknowledge receipt", "PC-2026-00042", "Acknowledged"),
    ),
    Action(
        "assign",
        "Assign to someone else",
        schemas.AssignSchema,
        handlers.assign,
        lambda case, policy: _not_closed(case),
        fields=(Field("owner", "New owner", "staff"), REASON),
        line=Line(
            "assign",
            "give a case to a colleague",
            "PC-2026-00042 @sam",
            "Assigned",
            ("owner",),
            least=1,
            usage="@user",
        ),
    ),
    Action(
        "note",
        "Add a note",
        schemas.NoteSchema,
        handlers.record_only,
        lambda case, policy: True,
        fields=(Field("text", "Note", "textarea", "Added to the audit trail only."),),
        line=Line(
            "note",
            "add a note to the audit trail",
            "PC-2026-00042 called back",
            "Note added to",
            least=1,
            rest="text",
            usage="text",
        ),
    ),
    Action(
        "hold",
        "Put on hold",
        schemas.ReasonRequiredSchema,
        handlers.hold,
        lambda case, policy: _open(case),
        fields=(REASON,),
        line=Line(
            "hold",
            "put a case on hold",
            "PC-2026-00042 waiting for ID",
            "Put on hold",
            least=1,
            rest="reason",
            usage="reason",
        ),
    ),
    Action(
        "resume",
        "Resume",
        schemas.OptionalReasonSchema,
        handlers.resume,
        lambda case, policy: case.status == "on_hold",
        fields=(REASON,),
        line=Line("resume", "take a case off hold", "PC-2026-00042", "Resumed"),
    ),
    Action(
        "extend",
        "Extend a deadline",
        schemas.ExtendSchema,
        handlers.extend,
        lambda case, policy: _not_closed(case) and bool(clocks.extendable(case)),
        fields=(
            Field("clock", "Deadline to extend", "select"),
            Field("reason", "Reason for the extension", "textarea", "The individual is told this."),
            Field("told_at", "When the individual was told", "datetime", LATER),
        ),
        line=Line(
            "extend",
            "extend the running deadline once",
            "DSR-2026-00007 complex request",
            "Extended",
            least=1,
            rest="reason",
            usage="reason",
        ),
    ),
    Action(
        "escalate",
        "Escalate",
        schemas.EscalateSchema,
        handlers.escalate,
        lambda case, policy: _open(case) and bool(escalation_targets(case, policy)),
        fields=(
            Field("to_stage", "Escalate to", "select", explicit=True),
            Field("body_reference", "The body's own reference", hint="For example BBB-2026-1234."),
            Field("referred_at", "Date of the referral", "datetime", LATER),
            REASON,
        ),
        line=Line(
            "escalate",
            "move to the next stage of the route",
            "PC-2026-00042 BBB-1234",
            "Escalated",
            ("body_reference",),
            usage="[body-ref]",
        ),
        confirm=(
            "Refer {reference} to {to_stage}: its deadlines start from the date of the"
            " referral, and those of the current stage end."
        ),
    ),
    Action(
        "record_advice",
        "Record the panel's advice",
        schemas.RecordAdviceSchema,
        handlers.record_advice,
        lambda case, policy: (
            _open(case) and case.stage == "dpa_panel" and not advice_recorded(case)
        ),
        fields=(Field("advice_at", "Date of the panel's advice", "datetime", LATER), REASON),
    ),
    Action(
        "resolve",
        "Resolve and close",
        schemas.ResolveSchema,
        handlers.resolve,
        lambda case, policy: _not_closed(case),
        fields=(Field("outcome", "Outcome", "select"), REASON),
        line=Line(
            "resolve",
            "close a case (a form without outcome)",
            "PC-2026-00042",
            "Resolved",
            ("outcome",),
            rest="reason",
            usage="[outcome [text]]",
        ),
    ),
    Action(
        "redirect",
        "Redirect to the client",
        schemas.RedirectSchema,
        handlers.redirect,
        lambda case, policy: (
            _open(case)
            and policy.is_redirectable(case.data_context)
            and case.stage in OPEN_STAGES_FOR_REDIRECT
        ),
        fields=(Field("client", "Client that controls the data"), REASON),
    ),
    Action(
        "reopen",
        "Reopen",
        schemas.ReasonRequiredSchema,
        handlers.reopen,
        lambda case, policy: case.status == "closed",
        roles=frozenset({"dpo"}),
        fields=(REASON,),
    ),
    Action(
        "verify_identity",
        "Record identity verified",
        schemas.OptionalReasonSchema,
        handlers.verify_identity,
        lambda case, policy: _open(case) and case.stage == "verifying_identity",
        fields=(REASON,),
    ),
    *UNLISTED,
)
BY_NAME: dict[str, Action] = {action.name: action for action in ACTIONS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
OFFERED: tuple[str, ...] = tuple(action.name for action in ACTIONS if action.offered)
BY_WORD: dict[str, Action] = {action.line.word: action for action in ACTIONS if action.line}


def get(name: str) -> Action | None:
    """Return the action called ``name``, or None."""
    return BY_NAME.get(name)


def choices(action: str, field: str, *, case: Case, policy: Policy, staff=()) -> list[str]:
    """Return the values a select field may take for this case now."""
    if field == "owner":
        return [member.email for member in staff if member.id != case.owner_id]
    if field == "clock":
        return [clock.name for clock in clocks.extendable(case)]
    if field == "to_stage":
        return list(escalation_targets(case, policy))
    if field == "outcome":
        return list(schemas.OUTCOMES[case.kind])
    return []
