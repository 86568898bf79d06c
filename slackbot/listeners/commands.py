"""`/case SUBCOMMAND`: answered in the ack body (ephemeral), or by opening a modal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from marshmallow import ValidationError
from slack_bolt import App

from casetracker import policy as policies
from casetracker import timesource
from casetracker.cases import actions, listing, records, task_queries, workflow
from casetracker.cases import service as case_service
from casetracker.cases.errors import ActionNotAllowed, CaseError
from casetracker.database import kept_loaded, read_outside_transaction
from casetracker.extensions import db
from casetracker.people.actors import Actor
from casetracker.policy import STAGES
from slackbot import blocks, modals, service, task_blocks
from slackbot.listeners.command_line import Usage, bare_opens_form, parse, validation_text
from slackbot.listeners.staff import staff_only
from slackbot.presenters import clocks_of, facts_of, task_facts_of

DUE_SOON = timedelta(days=7)
ANY_DEADLINE = timedelta(days=3650)


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
    """Listen for /case, from the privacy team only."""
    app.command("/case", middleware=[reads_only_outside_transaction, staff_only])(case_command)


def reads_only_outside_transaction(command, next):
    """Let a subcommand that only reads run, the staff lookup included, without BEGIN and
    ROLLBACK; it must come before the first query (staff_only's)."""
    name, _ = _words(command)
    subcommand = SUBCOMMANDS.get(name)
    if subcommand is None or subcommand.reads_only:
        read_outside_transaction(db.session)
    return next()


def case_command(ack, command, client, context):
    """Run a subcommand and answer it privately, or open its modal."""
    name, args = _words(command)
    subcommand = SUBCOMMANDS.get(name)
    if subcommand is None:
        answer = _help(problem=f"There is no `/case {name}`.")
    else:
        answer = _answer(subcommand, Call(context["staff"], context["actor"], args))
    if "modal" not in answer:
        return ack(response_type="ephemeral", **answer)
    ack()
    client.views_open(trigger_id=command["trigger_id"], view=answer["modal"])
    return None


def _words(command) -> tuple[str, list[str]]:
    words = command.get("text", "").split()
    return (words[0].lower(), words[1:]) if words else ("help", [])


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
        return blocks.refusal(validation_text(exc.messages))


def _help(call: Call | None = None, *, problem: str | None = None) -> dict:
    answer = blocks.help_message((s.syntax, s.what, s.example) for s in SUBCOMMANDS.values())
    if problem:
        answer["blocks"].insert(0, blocks.reply(problem)["blocks"][0])
    return answer


def _show(call: Call) -> dict:
    (reference,) = _args(call, 1, 1)
    case = records.read_case(db.session, reference=reference.upper())
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


def _tasks(call: Call) -> dict:
    _args(call, 0, 0)
    mine = task_queries.unfinished_for(db.session, owner_id=call.staff.id)
    items = [task_facts_of(task) for task in mine]
    empty = "You have no open or blocked tasks."
    return task_blocks.task_list("My tasks", items, now=timesource.now(), empty=empty)


def _new(call: Call) -> dict:
    _args(call, 0, 0)
    return {"modal": modals.new_case()}


def _act(action: actions.Action, call: Call) -> dict:
    """Take the action on the line's case as it is now; a concurrent change is refused."""
    reference, params = parse(action, call.args)
    if not params and action.line.words and bare_opens_form(action):
        return _form(action, call, reference)
    with kept_loaded(db.session):
        case = case_service.perform(
            db.session,
            reference=reference.upper(),
            action=action.name,
            version=case_service.CURRENT,
            params=params,
            actor=call.actor,
            source=service.SOURCE,
        )
        headline = f":white_check_mark: {action.line.done} {case.reference}"
        return blocks.case_card(facts_of(case), headline=headline)


def _form(action: actions.Action, call: Call, reference: str) -> dict:
    case = case_service.get_case(db.session, reference=reference.upper())
    allowed = workflow.allowed_actions(case, role=call.actor.role, policy=policies.current())
    if action.name not in allowed:
        refusal = f"{case.reference} cannot be {action.line.done.lower()} now"
        return blocks.refusal(refusal, allowed=allowed)
    outcomes = actions.choices(action.name, "outcome", case=case, policy=policies.current())
    return {"modal": modals.resolve(case.reference, version=case.version, outcomes=outcomes)}


def _args(call: Call, least: int, most: int | None = None) -> list[str]:
    count = len(call.args)
    if count < least or (most is not None and count > most):
        raise Usage("Wrong number of arguments.")
    return call.args


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
    "tasks": Subcommand(
        "tasks", "my open and blocked tasks, soonest due first", "tasks", _tasks, reads_only=True
    ),
    "new": Subcommand("new", "open a complaint or request (a form)", "new", _new),
    **{
        word: Subcommand(
            f"{word} REF {action.line.usage}".rstrip(),
            action.line.what,
            f"{word} {action.line.example}",
            partial(_act, action),
        )
        for word, action in actions.BY_WORD.items()
    },
}
