"""The state machine: which actions a case allows now, and applying one of them.

Every channel (API, dashboard, Slack, jobs, deliveries) changes a case through
``service.perform``, which checks the step here and wraps it in one transaction with the
audit event and the reactions. The actions themselves are declared in ``actions``.
"""

from __future__ import annotations

from casetracker.cases import actions
from casetracker.cases.errors import ActionNotAllowed, PermissionDenied
from casetracker.cases.handlers import Step
from casetracker.cases.models import Case
from casetracker.policy import Policy

WHO = {"dpo": "the DPO", "admin": "an admin", "staff": "staff", "system": "casetracker itself"}


def may(role: str | None, action: str) -> bool:
    """Tell whether a role may ever perform the action."""
    found = actions.get(action)
    return found is not None and role in found.roles


def allowed_actions(case: Case, *, role: str | None, policy: Policy) -> list[str]:
    """List the actions offered to this role on the case right now."""
    return [
        action.name
        for action in actions.ACTIONS
        if action.offered and role in action.roles and action.when(case, policy)
    ]


def apply(step: Step, *, role: str | None) -> None:
    """Check and perform the step's action; raise instead of changing anything invalid."""
    action = actions.BY_NAME[step.action]
    if role not in action.roles:
        who = " or ".join(WHO[r] for r in sorted(action.roles))
        raise PermissionDenied(f"only {who} may {step.action} a case")
    if not action.when(step.case, step.policy):
        raise ActionNotAllowed(_refusal(step.case, step.action))
    action.handler(step)


def _refusal(case: Case, action: str) -> str:
    state = "closed" if case.status == "closed" else f"{case.status} at stage {case.stage}"
    return f"cannot {action} {case.reference}: the case is {state}"
