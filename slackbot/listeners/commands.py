"""`/case SUBCOMMAND`: answered in the ack body (ephemeral), or by opening a modal."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from marshmallow import ValidationError
from slack_bolt import App

from casetracker import policy as policies
from casetracker import timesource
from casetracker.cases import listing, workflow
from casetracker.cases import service as case_service
from casetracker.cases.errors import ActionNotAllowed, CaseError
from casetracker.cases.schemas import OUTCOMES
from casetracker.database import kept_loaded, read_outside_transaction
from casetracker.extensions import db
from casetracker.people.actors import Actor
from casetracker.policy import STAGES
from slackbot import blocks, modals, service
from slackbot.presenters import clocks_of, facts_of

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
DUE_SOON = timedelta(days=7)
ANY_DEADLINE = timedelta(days=3650)
STRANGER = (
    "Sorry, your Slack account is not linked to anyone on the privacy team, so /case cannot act"
    " for you. Ask an admin to run `staff add … --slack-user-id <your member id>`."
)


class Usage(Exception):
    """The arguments do not fit the subcommand; the message says what was wrong."""


@dataclass
class Call:
    """One /case invocation by a known staff member."""

    staff: service.SlackStaff
    actor: Actor
    args: list[str]


@dataclass(frozen=True)
class Subcommand:
    syntax: str
    what: str
    example: str
    run: Callable[[Call], dict]
    reads_only: bool = False


def register(app: App) -> None:
    """Listen for /case."""
    app.command("/case")(case_command)


def case_command(ack, command, client):
    """Run a subcommand and answer it privately, or open its modal."""
    words = command.get("text", "").split()
    name, args = (words[0].lower(), words[1:]) if words else ("help", [])
    subcommand = SUBCOMMANDS.get(name)
    if subcommand is None or subcommand.reads_only:
        read_outside_transaction(db.session)
    staff = service.acting_staff(db.session, slack_user_id=command["user_id"])
    if subcommand is None:
        answer = _help(problem=f"There is no `/case {name}`.")
    elif staff is None:
        answer = blocks.reply(STRANGER)
    else:
        call = Call(staff, service.actor_for(staff, slack_user_id=command["user_id"]), args)
        answer = _answer(subcommand, call)
    if "modal" not in answer:
        return ack(response_type="ephemeral", **answer)
    ack()
    client.views_open(trigger_id=command["trigger_id"], view=answer["modal"])
    return None


def _answer(subcommand: Subcommand, call: Call) -> dict:
    try:
        return subcommand.run(call)
    except Usage as exc:
        return blocks.usage([f"/case {subcommand.syntax}"], problem=str(exc))
    except ActionNotAllowed as exc:
        return blocks.refusal(exc.message, allowed=exc.allowed_actions)
    except CaseError as exc:
        return blocks.refusal(exc.message)
    except ValidationError as exc:
        return blocks.refusal(_validation_text(exc.messages))


def _help(call: Call | None = None, *, problem: str | None = None) -> dict:
    answer = blocks.help_message((s.syntax, s.what, s.example) for s in SUBCOMMANDS.values())
    if problem:
        answer["blocks"].insert(0, blocks.reply(problem)["blocks"][0])
    return answer


def _show(call: Call) -> dict:
    (reference,) = _args(call, 1, 1)
    case = case_service.get_case(db.session, reference=reference.upper())
    allowed = workflow.allowed_actions(case, role=call.actor.role, policy=policies.current())
    clocks = clocks_of(case, now=timesource.now())
    return blocks.case_card(facts_of(case), clocks=clocks, allowed=allowed)


def _list(call: Call) -> dict:
    which = " ".join(call.args).lower() or "mine"
    now = timesource.now()
    queries = {
        "mine": ("My open cases", {"owner": call.staff.email, "due_before": now + ANY_DEADLINE}),
        "overdue": ("Overdue cases", {"overdue": True}),
        "due-soon": ("Due in the next 7 days", {"due_before": now + DUE_SOON}),
    }
    if which.startswith("stage "):
        stage = which.removeprefix("stage ").strip()
        if stage not in STAGES:
            raise Usage(f"`{stage}` is not a stage; stages: {', '.join(STAGES)}.")
        queries[which] = (f"Cases at stage {stage}", {"stage": stage})
    if which not in queries:
        raise Usage(f"I cannot list `{which}`.")
    title, filters = queries[which]
    page = listing.list_cases(
        db.session, now=now, limit=blocks.MAX_LIST_ITEMS + 1, with_details=False, **filters
    )
    return blocks.case_list(title, [facts_of(c) for c in page.items], empty="No cases.")


def _new(call: Call) -> dict:
    _args(call, 0, 0)
    return {"modal": modals.new_case()}


def _ack(call: Call) -> dict:
    (reference,) = _args(call, 1, 1)
    return _perform(call, reference, "acknowledge", {}, done="Acknowledged")


def _assign(call: Call) -> dict:
    reference, who = _args(call, 2, 2)
    owner = _staff_email(who)
    return _perform(call, reference, "assign", {"owner": owner}, done="Assigned")


def _note(call: Call) -> dict:
    reference, *words = _args(call, 2)
    return _perform(call, reference, "note", {"text": " ".join(words)}, done="Note added to")


def _hold(call: Call) -> dict:
    reference, *words = _args(call, 2)
    return _perform(call, reference, "hold", {"reason": " ".join(words)}, done="Put on hold")


def _resume(call: Call) -> dict:
    (reference,) = _args(call, 1, 1)
    return _perform(call, reference, "resume", {}, done="Resumed")


def _extend(call: Call) -> dict:
    reference, *words = _args(call, 2)
    return _perform(call, reference, "extend", {"reason": " ".join(words)}, done="Extended")


def _escalate(call: Call) -> dict:
    reference, *body_reference = _args(call, 1, 2)
    params = {"body_reference": body_reference[0]} if body_reference else {}
    return _perform(call, reference, "escalate", params, done="Escalated")


def _resolve(call: Call) -> dict:
    reference, *rest = _args(call, 1)
    if rest:
        params = {"outcome": rest[0].lower()}
        if rest[1:]:
            params["reason"] = " ".join(rest[1:])
        return _perform(call, reference, "resolve", params, done="Resolved")
    case = case_service.get_case(db.session, reference=reference.upper())
    allowed = workflow.allowed_actions(case, role=call.actor.role, policy=policies.current())
    if "resolve" not in allowed:
        return blocks.refusal(f"{case.reference} cannot be resolved now", allowed=allowed)
    outcomes = OUTCOMES[case.kind]
    return {"modal": modals.resolve(case.reference, version=case.version, outcomes=outcomes)}


def _perform(call: Call, reference: str, action: str, params: dict, *, done: str) -> dict:
    """Act on the version just read; a concurrent change makes the service refuse."""
    case = case_service.get_case(db.session, reference=reference.upper())
    with kept_loaded(db.session):
        case = case_service.perform(
            db.session,
            reference=case.reference,
            action=action,
            version=case.version,
            params=params,
            actor=call.actor,
            source=service.SOURCE,
        )
        headline = f":white_check_mark: {done} {case.reference}"
        return blocks.case_card(facts_of(case), headline=headline)


def _args(call: Call, least: int, most: int | None = None) -> list[str]:
    count = len(call.args)
    if count < least or (most is not None and count > most):
        raise Usage("Wrong number of arguments.")
    return call.args


def _staff_email(who: str) -> str:
    match = MENTION.match(who)
    if match is None:
        raise Usage(f"`{who}` is not a Slack mention; type @ and pick the person.")
    staff = service.acting_staff(db.session, slack_user_id=match.group(1))
    if staff is None:
        raise Usage(f"{who} is not linked to an active member of the privacy team.")
    return staff.email


def _validation_text(messages) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{field}: {_validation_text(text)}" for field, text in messages.items())
    if isinstance(messages, list):
        return " ".join(str(message) for message in messages)
    return str(messages)


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": Subcommand("help", "list these subcommands", "help", _help, reads_only=True),
    "show": Subcommand(
        "show REF",
        "a case's stage, deadlines and next actions",
        "show PC-2026-00042",
        _show,
        reads_only=True,
    ),
    "list": Subcommand(
        "list [mine|overdue|due-soon|stage STAGE]",
        "cases by next deadline (default: mine)",
        "list stage internal_review",
        _list,
        reads_only=True,
    ),
    "new": Subcommand("new", "open a complaint or request (a form)", "new", _new),
    "ack": Subcommand("ack REF", "acknowledge receipt", "ack PC-2026-00042", _ack),
    "assign": Subcommand(
        "assign REF @user", "give a case to a colleague", "assign PC-2026-00042 @sam", _assign
    ),
    "note": Subcommand(
        "note REF text", "add a note to the audit trail", "note PC-2026-00042 called back", _note
    ),
    "hold": Subcommand(
        "hold REF reason", "put a case on hold", "hold PC-2026-00042 waiting for ID", _hold
    ),
    "resume": Subcommand("resume REF", "take a case off hold", "resume PC-2026-00042", _resume),
    "extend": Subcommand(
        "extend REF reason",
        "extend the running deadline once",
        "extend DSR-2026-00007 complex request",
        _extend,
    ),
    "escalate": Subcommand(
        "escalate REF [body-ref]",
        "move to the next stage of the route",
        "escalate PC-2026-00042 BBB-1234",
        _escalate,
    ),
    "resolve": Subcommand(
        "resolve REF [outcome [text]]",
        "close a case (a form without outcome)",
        "resolve PC-2026-00042",
        _resolve,
    ),
}
