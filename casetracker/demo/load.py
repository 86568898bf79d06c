"""Load the demo data through the services, so clocks, events and outbox rows are genuine."""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetracker import timesource
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseError
from casetracker.cases.models import Case
from casetracker.cases.tasks import FULFILLING
from casetracker.demo import data, mailbox, tasks
from casetracker.demo.scenario import DPO, Member, Scenario, Step
from casetracker.demo.systems import SYSTEMS, DemoSystem
from casetracker.people import service as people_service
from casetracker.people.actors import Actor
from casetracker.people.models import Staff
from casetracker.systems import service as systems_service

SEED = 2026
TIME_PARAMS = ("told_at", "referred_at", "advice_at")
TEAM_SINCE = timedelta(days=180)
SLACK_SHARE = 0.4
SLACK_ACTIONS = frozenset(
    {"acknowledge", "assign", "note", "hold", "resume", "extend", "escalate", "resolve"}
)
OFFICE_HOURS = (8, 18)
STEP_JITTER_MINUTES = 150
SUBJECT_DOMAINS = ("example.org", "example.com")
ASCII_FOLDS = str.maketrans({"ø": "o", "ß": "ss", "æ": "ae", "ł": "l", "đ": "d"})


class DemoError(Exception):
    """The demo cannot be loaded; the message says why."""


class AlreadyLoaded(DemoError):
    """The database already holds cases or demo accounts; loading again would mix them."""


class HistoryRefused(DemoError):
    """The services refused a step of the demo history, e.g. under a replaced policy."""


@dataclass(frozen=True)
class Account:
    """A loaded team member, kept as plain values so commits do not reload it."""

    email: str
    web: Actor
    slack: Actor


@dataclass
class Summary:
    """What was loaded, for the closing message."""

    staff: int
    stages: Counter
    overdue: int = 0
    on_hold: int = 0
    emails: int = 0

    @property
    def cases(self) -> int:
        return sum(self.stages.values())


def load(db_session: Session, *, now: datetime, progress: Callable[[str], None]) -> Summary:
    """Add the demo team and cases, with history up to ``now``, unless already there."""
    _refuse_if_loaded(db_session)
    progress(f"loading {len(data.STAFF)} staff and {len(data.CASES)} cases…")
    with timesource.frozen_at(now - TEAM_SINCE):
        team = {member.key: _add_member(db_session, member) for member in data.STAFF}
        for system in SYSTEMS:
            _add_system(db_session, system, team)
    rng = random.Random(SEED)
    summary = Summary(staff=len(team), stages=Counter())
    for scenario in data.CASES:
        try:
            case = _load_case(db_session, scenario, team=team, now=now, rng=rng)
        except (CaseError, ValidationError) as exc:
            raise HistoryRefused(
                f"stopped after {summary.cases} cases: the {scenario.kind} of {scenario.who[0]} "
                f"was refused ({exc}); is CASETRACKER_POLICY a custom policy?"
            ) from exc
        summary.stages[case.stage] += 1
        summary.on_hold += case.status == "on_hold"
        summary.overdue += case.next_due_at is not None and case.next_due_at < now
    summary.emails = mailbox.load(db_session, now=now)
    return summary


def _refuse_if_loaded(db_session: Session) -> None:
    cases = db_session.scalar(select(func.count()).select_from(Case))
    if cases:
        raise AlreadyLoaded(
            f"the database already holds {cases} cases; the demo loads only into an empty one"
        )
    emails = [member.email for member in data.STAFF]
    taken = db_session.scalars(select(Staff.email).where(Staff.email.in_(emails))).first()
    if taken:
        raise AlreadyLoaded(f"{taken} already exists; the demo team is loaded already")


def _add_member(db_session: Session, member: Member) -> Account:
    fields = {
        "name": member.name,
        "email": member.email,
        "role": member.role,
        "slack_user_id": member.slack_user_id,
    }
    staff = people_service.add_staff(db_session, data=fields, password=data.DEMO_PASSWORD)
    slack = Actor.via_slack(staff, slack_user_id=staff.slack_user_id)
    return Account(email=staff.email, web=Actor.for_staff(staff), slack=slack)


def _load_case(
    db_session: Session,
    scenario: Scenario,
    *,
    team: dict[str, Account],
    now: datetime,
    rng: random.Random,
) -> Case:
    received = _received_at(scenario, now=now, rng=rng)
    actor, source = _intake_actor(scenario, team)
    with timesource.frozen_at(received):
        case = case_service.create_case(
            db_session, data=_intake(scenario, team), actor=actor, source=source
        )
    owner, at = scenario.owner, received
    for step in scenario.steps:
        planned = _step_at(step, received=received, previous=at, now=now, rng=rng)
        if step.action == "resolve" and step.params["outcome"] in FULFILLING:
            tasks.finish_all(db_session, case, team=team, start=at, end=planned)
        at = planned
        account = team[step.by or owner or DPO]
        slack = _from_slack(step, account, rng)
        with timesource.frozen_at(at):
            case = case_service.perform(
                db_session,
                reference=case.reference,
                action=step.action,
                version=case.version,
                params=_params(step, team=team, received=received, at=at),
                actor=account.slack if slack else account.web,
                source="slack" if slack else "web",
            )
        owner = step.params.get("owner", owner)
    if case.status != "closed" and case.tasks:
        tasks.finish_some(db_session, case, team=team, start=at, end=now)
    return case


def _add_system(db_session: Session, system: DemoSystem, team: dict[str, Account]) -> None:
    fields = {
        "name": system.name,
        "owner": team[system.owner].email,
        "contexts": system.contexts,
        "rights": system.rights,
        "instructions": system.instructions,
    }
    systems_service.add_system(db_session, data=fields)


def _from_slack(step: Step, account: Account, rng: random.Random) -> bool:
    """Staff often act from Slack; the DPO works in the dashboard, as do Slack-less actions."""
    slack_ready = step.action in SLACK_ACTIONS and account.slack.role != "dpo"
    return slack_ready and rng.random() < SLACK_SHARE


def _received_at(scenario: Scenario, *, now: datetime, rng: random.Random) -> datetime:
    """Put the receipt in working hours of its day, unless that is still to come."""
    ago = now - timedelta(days=scenario.days_ago)
    hour = time(rng.randrange(*OFFICE_HOURS), rng.randrange(60), rng.randrange(60))
    moment = datetime.combine(ago.astimezone(timesource.team_tz()).date(), hour)
    moment = moment.replace(tzinfo=timesource.team_tz()).astimezone(UTC)
    return ago if moment > now else moment


def _step_at(
    step: Step, *, received: datetime, previous: datetime, now: datetime, rng: random.Random
) -> datetime:
    """Place a step after the one before it and never later than now."""
    planned = received + timedelta(days=step.after)
    if planned > now:
        raise ValueError(f"demo data: {step.action} {step.after} days after receipt is to come")
    jittered = planned + timedelta(minutes=rng.randrange(STEP_JITTER_MINUTES))
    return min(max(jittered, previous + timedelta(minutes=5)), now)


def _intake_actor(scenario: Scenario, team: dict[str, Account]) -> tuple[Actor, str]:
    """Web and API cases come in by themselves; staff log the ones that arrive otherwise."""
    if scenario.channel in ("web", "api"):
        source = "intake" if scenario.channel == "web" else "api"
        return Actor.system(source), source
    return team[scenario.owner or DPO].web, "web"


def _intake(scenario: Scenario, team: dict[str, Account]) -> dict:
    name, country = scenario.who
    domain = SUBJECT_DOMAINS[len(name) % len(SUBJECT_DOMAINS)]
    subject = {"name": name, "email": _email(name, domain), "country": country}
    if scenario.agent:
        subject |= {
            "agent_name": scenario.agent,
            "agent_email": _email(scenario.agent, "example.com"),
        }
    payload = {
        "kind": scenario.kind,
        "jurisdiction": scenario.jurisdiction,
        "data_context": scenario.data_context,
        "summary": scenario.summary,
        "channel": scenario.channel,
        "priority": scenario.priority,
        "subject": subject,
    }
    if scenario.right:
        payload["right"] = scenario.right
    if scenario.owner:
        payload["owner"] = team[scenario.owner].email
    return payload


def _params(step: Step, *, team: dict[str, Account], received: datetime, at: datetime) -> dict:
    params = dict(step.params)
    for name in TIME_PARAMS:
        if name in params:
            params[name] = max(received, received + timedelta(days=params[name])).isoformat()
    if "owner" in params:
        params["owner"] = team[params["owner"]].email
    if "body_reference" in params:
        params["body_reference"] = params["body_reference"].format(year=at.year)
    return params


def _email(name: str, domain: str) -> str:
    folded = unicodedata.normalize("NFKD", name.lower().translate(ASCII_FOLDS))
    words = ("".join(c for c in word if c.isascii() and c.isalnum()) for word in folded.split())
    return ".".join(words) + "@" + domain
