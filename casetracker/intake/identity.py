"""Identity check by emailed link: issue single-use links, confirm through one, spend them.

A request filed through the form that starts waiting for identity gets a link, sent to the
individual's own address only. Opening it changes nothing (mail scanners fetch links);
pressing its button records ``verify_identity`` as the individual, or, when that alone cannot
verify the request (an agent's written permission missing, the case on hold), records
``identity_confirmed`` for staff to decide.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casetracker import deadlines, timesource
from casetracker import policy as policies
from casetracker.cases import service as case_service
from casetracker.cases.changes import Change
from casetracker.cases.errors import CaseError
from casetracker.cases.models import Case, Subject
from casetracker.extensions import db
from casetracker.intake import messages
from casetracker.intake.models import IdentityLink, IntakeRecord
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import Notifier
from casetracker.people.actors import Actor

INDIVIDUAL = Actor.individual()
SOURCE = "individual"
WAITING = "verifying_identity"
AGENT_PERMISSION = "agent_permission"
ON_HOLD = "on_hold"
_TOKEN = re.compile(r"[0-9a-f]{64}")
_LIVE = (IdentityLink.used_at.is_(None), IdentityLink.revoked_at.is_(None))


@dataclass(frozen=True)
class Confirmation:
    """What the individual's confirmation did: verified the request, or what is still missing."""

    reference: str
    missing: str | None


def on_waiting(change: Change) -> None:
    """Send a link when a request filed through the form starts waiting for identity."""
    case = change.case
    if case.stage != WAITING or case.status == "closed":
        return
    record = _record(change.db_session, case)
    if record is not None and reachable_directly(case.subject):
        issue(change.db_session, change.notifier, case, record, kind="first", at=change.at)


def on_message(change: Change) -> None:
    """Send a new link when the individual writes in and theirs no longer works."""
    case, db_session = change.case, change.db_session
    if change.params.get("foreign_sender") or case.stage != WAITING or case.status != "open":
        return
    record = _record(db_session, case)
    if record is None or not reachable_directly(case.subject):
        return
    latest = _latest(db_session, case.id)
    if latest is not None and (latest.used_at is not None or _usable(latest, at=change.at)):
        return
    issue(db_session, change.notifier, case, record, kind="first", at=change.at)


def spend(change: Change) -> None:
    """Make the case's links stop working: identity was confirmed, by link or by staff."""
    _end(change.db_session, change.case.id, {"used_at": change.at})


def withdraw(change: Change) -> None:
    """Make the links of a case that closes stop working; a reopened case gets a new one."""
    revoke(change.db_session, case_id=change.case.id, at=change.at)


def revoke(db_session: Session, *, case_id: int, at: datetime, link_id: int | None = None) -> bool:
    """Make the case's working links (or just ``link_id``) stop working; tell whether any did."""
    return _end(db_session, case_id, {"revoked_at": at}, link_id=link_id)


def link_sent(db_session: Session, message: OutboxMessage, now: datetime) -> None:
    """Note when a link's email went out: the reminder and the closure count from then."""
    link = db_session.get(IdentityLink, message.payload.get("link") or 0)
    if link is not None and link.sent_at is None:
        link.sent_at = now


def reachable_directly(subject: Subject | None) -> bool:
    """Tell whether a link to the individual's address reaches them, not their agent."""
    if subject is None or not subject.email or subject.erased_at is not None:
        return False
    agent = subject.agent_email
    return not agent or agent.casefold() != subject.email.casefold()


def issue(
    db_session: Session, notifier: Notifier, case: Case, record: IntakeRecord, *, kind: str, at
) -> IdentityLink:
    """Make a fresh link (the older ones stop working) and email it to the individual."""
    check = policies.current().identity_check
    latest = _latest(db_session, case.id)
    revoke(db_session, case_id=case.id, at=at)
    round_ = (latest.round if latest else 0) + (1 if kind == "first" else 0)
    link = IdentityLink(
        case_id=case.id,
        round=max(round_, 1),
        kind=kind,
        salt=secrets.token_hex(16),
        created_at=at,
        expires_at=_after(check.link_expires_after, at),
    )
    link.token_hash = _hash(token_for(link))
    db_session.add(link)
    db_session.flush()
    closes_at = _after(check.close_after_reminder, at) if kind == "reminder" else None
    messages.identity_request(notifier, case, record, link, closes_at=closes_at)
    return link


def find_live(db_session: Session, *, token: str) -> tuple[IdentityLink, Case] | None:
    """Return the link a token opens and its case, or None for any link that does not work."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    link = db_session.scalar(select(IdentityLink).where(IdentityLink.token_hash == _hash(token)))
    if link is None or not _usable(link, at=timesource.now()):
        return None
    case = db_session.get(Case, link.case_id)
    if case is None or case.stage != WAITING or case.status == "closed":
        return None
    return link, case


def confirm(db_session: Session, *, token: str) -> Confirmation | None:
    """Record the individual's confirmation through a link, once; None if the link does not work."""
    found = find_live(db_session, token=token)
    if found is None:
        return None
    link, case = found
    now = timesource.now()
    # Claimed in the action's transaction: a second press, even a concurrent one, finds it used.
    fresh = IdentityLink.expires_at > now
    if not _end(db_session, case.id, {"used_at": now}, link_id=link.id, where=(fresh,)):
        db_session.rollback()
        return None
    missing = _missing(case, _record(db_session, case))
    action, reason = _recorded_as(missing)
    try:
        case_service.perform_now(
            db_session,
            reference=case.reference,
            action=action,
            params={"reason": reason},
            actor=INDIVIDUAL,
            source=SOURCE,
            at=now,
        )
    except CaseError:
        db_session.rollback()
        return None
    return Confirmation(case.reference, missing=missing)


def describe(case: Case) -> dict:
    """Say what the confirmation page shows: the reference, the right, whether an agent acts."""
    return {"reference": case.reference, "right": case.right, "agent": _has_agent(case.subject)}


def link_url(payload: dict) -> str | None:
    """Rebuild the address of the link an identity email carries (None for other emails)."""
    if payload.get("template") not in messages.IDENTITY_TEMPLATES:
        return None
    link = db.session.get(IdentityLink, payload.get("link") or 0)
    if link is None:
        return None
    base = current_app.config["CASETRACKER_BASE_URL"]
    language = payload.get("language") or "en"
    return f"{base}/complaints/verify/{token_for(link)}?lang={language}"


def token_for(link: IdentityLink) -> str:
    """Rebuild a link's secret from its salt (never stored; only its hash is)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"identity-link:{link.salt}".encode(), hashlib.sha256).hexdigest()


def _recorded_as(missing: str | None) -> tuple[str, str]:
    done = "the individual confirmed it is them through the emailed link"
    if missing is None:
        return "verify_identity", done
    if missing == AGENT_PERMISSION:
        return "identity_confirmed", (
            f"{done}, but the authorized agent's written permission is missing: identity is "
            "not verified; record verify_identity once the permission is checked"
        )
    return "identity_confirmed", f"{done} while the case is on hold: verify it when you resume"


def _missing(case: Case, record: IntakeRecord | None) -> str | None:
    if _has_agent(case.subject) and not (record and record.agent_authorization):
        return AGENT_PERMISSION
    if case.status != "open":
        return ON_HOLD
    return None


def _has_agent(subject: Subject | None) -> bool:
    return subject is not None and bool(subject.agent_name or subject.agent_email)


def _end(db_session: Session, case_id: int, values: dict, *, link_id=None, where=()) -> bool:
    chosen = () if link_id is None else (IdentityLink.id == link_id,)
    ended = db_session.execute(
        update(IdentityLink)
        .where(IdentityLink.case_id == case_id, *_LIVE, *chosen, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return ended.rowcount > 0


def _usable(link: IdentityLink, *, at: datetime) -> bool:
    return link.used_at is None and link.revoked_at is None and at < link.expires_at


def _latest(db_session: Session, case_id: int) -> IdentityLink | None:
    found = select(IdentityLink).where(IdentityLink.case_id == case_id)
    return db_session.scalar(found.order_by(IdentityLink.id.desc()).limit(1))


def _record(db_session: Session, case: Case) -> IntakeRecord | None:
    return db_session.scalar(select(IntakeRecord).where(IntakeRecord.case_id == case.id))


def _after(duration: deadlines.Duration, at: datetime) -> datetime:
    """Return the end of the day ``duration`` after ``at``, team time, as deadlines end."""
    rule = deadlines.ClockRule(duration=duration)
    return deadlines.due_at(rule, started_at=at, tz=timesource.team_tz())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
