"""How a demo case is written down: what arrived, when, and what the team did since."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DPO = "dana"


@dataclass(frozen=True)
class Member:
    """A demo account; ``key`` is how scenarios name the person."""

    key: str
    name: str
    email: str
    role: str
    slack_user_id: str


@dataclass(frozen=True)
class Step:
    """One action, ``after`` days after receipt; ``by`` defaults to the owner, else the DPO.

    Params named in ``load.TIME_PARAMS`` hold days after receipt too; ``{year}`` in a body
    reference becomes the year of the step.
    """

    after: float
    action: str
    params: Mapping = field(default_factory=dict)
    by: str | None = None


@dataclass(frozen=True)
class Scenario:
    """One case: its intake and its history, in days relative to the moment of loading."""

    kind: str
    jurisdiction: str
    data_context: str
    right: str | None
    who: tuple[str, str]
    summary: str
    days_ago: float
    steps: tuple[Step, ...] = ()
    owner: str | None = None
    priority: str = "normal"
    channel: str = "web"
    agent: str | None = None


def case(head: str, who: tuple[str, str], summary: str, **details) -> Scenario:
    """Describe a case; ``head`` is "kind jurisdiction data_context [right]"."""
    kind, jurisdiction, data_context, *right = head.split()
    return Scenario(
        kind=kind,
        jurisdiction=jurisdiction,
        data_context=data_context,
        right=right[0] if right else None,
        who=who,
        summary=summary,
        **details,
    )


def ack(after: float) -> Step:
    """Acknowledge receipt."""
    return Step(after, "acknowledge")


def verify(after: float) -> Step:
    """Record that the requester's identity was checked."""
    return Step(after, "verify_identity", {"reason": "Identity matched the account holder"})


def assign(after: float, owner: str) -> Step:
    """Have the DPO hand the case to a team member."""
    return Step(after, "assign", {"owner": owner}, by=DPO)


def note(after: float, text: str) -> Step:
    """Add a note to the timeline."""
    return Step(after, "note", {"text": text})


def hold(after: float, reason: str) -> Step:
    """Put the case on hold."""
    return Step(after, "hold", {"reason": reason})


def resume(after: float, reason: str) -> Step:
    """Take the case off hold."""
    return Step(after, "resume", {"reason": reason})


def extend(after: float, reason: str, *, told: float | None = None) -> Step:
    """Extend the response deadline, telling the individual ``told`` days after receipt."""
    return Step(after, "extend", {"reason": reason, "told_at": after if told is None else told})


def escalate(after: float, body_reference: str, *, to: str | None = None) -> Step:
    """Move the complaint to the next stage; the body's referral came a day earlier."""
    params = {"body_reference": body_reference, "referred_at": after - 1}
    if to:
        params["to_stage"] = to
    return Step(after, "escalate", params)


def advice(after: float, reason: str) -> Step:
    """Record the DPA panel's advice, given the day before."""
    return Step(after, "record_advice", {"advice_at": after - 1, "reason": reason})


def resolve(after: float, outcome: str, reason: str) -> Step:
    """Close the case with an outcome."""
    return Step(after, "resolve", {"outcome": outcome, "reason": reason})


def redirect(after: float, client: str) -> Step:
    """Refer the individual to the client that controls the platform data."""
    reason = "Platform data: we process it for the client, who decides on it"
    return Step(after, "redirect", {"client": client, "reason": reason})


def reopen(after: float, reason: str) -> Step:
    """Have the DPO reopen a closed case."""
    return Step(after, "reopen", {"reason": reason}, by=DPO)
