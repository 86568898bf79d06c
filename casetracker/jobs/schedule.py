"""The scheduled jobs: what each runs, and when (times in the team's time zone)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from casetracker.cases import integrity, purge
from casetracker.intake import jobs as intake_jobs
from casetracker.mail import fetch
from casetracker.outbox import delivery
from casetracker.reminders import digest, service

# Settings with defaults, read from the app config (set them in create_app's config mapping).
SWEEP_MINUTES = "CASETRACKER_SWEEP_MINUTES"
DIGEST_AT = "CASETRACKER_DIGEST_AT"
PURGE_AT = "CASETRACKER_PURGE_AT"
AUDIT_VERIFY_AT = "CASETRACKER_AUDIT_VERIFY_AT"
DEFAULTS = {SWEEP_MINUTES: 5, DIGEST_AT: "08:00", PURGE_AT: "03:30", AUDIT_VERIFY_AT: "03:00"}


def deliver_outbox(db_session: Session, *, now: datetime) -> delivery.Report:
    """Send (or retry) the outbox messages whose time has come."""
    return delivery.deliver_due(db_session, now=now)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., object]
    help: str
    trigger: Callable[[Mapping], BaseTrigger]
    describe: Callable[[Mapping], str]
    # Whether this configuration needs the job at all (a job with nothing to do is never late).
    enabled: Callable[[Mapping], bool] = lambda config: True


def _setting(config: Mapping, key: str):
    return config.get(key, DEFAULTS[key])


def _daily(key: str) -> Callable[[Mapping], BaseTrigger]:
    def trigger(config: Mapping) -> BaseTrigger:
        hour, minute = (int(part) for part in _setting(config, key).split(":"))
        return CronTrigger(hour=hour, minute=minute, timezone=config["CASETRACKER_TIMEZONE"])

    return trigger


def _daily_text(key: str) -> Callable[[Mapping], str]:
    return lambda config: f"daily at {_setting(config, key)} {config['CASETRACKER_TIMEZONE']}"


def _every(key: str, unit: str = "minutes") -> Callable[[Mapping], BaseTrigger]:
    return lambda config: IntervalTrigger(**{unit: int(_setting(config, key))})


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "sla-sweep",
            service.sweep,
            "enqueue due SLA reminders (owner; DPO when overdue) and mark breached clocks",
            _every(SWEEP_MINUTES),
            lambda config: f"every {_setting(config, SWEEP_MINUTES)} min",
        ),
        Job(
            "deliver-outbox",
            deliver_outbox,
            "send and retry pending outbox messages",
            lambda config: IntervalTrigger(minutes=1),
            lambda config: "every 1 min",
        ),
        Job(
            "fetch-mail",
            fetch.fetch_mail,
            "import new email from the privacy@ mailbox (IMAP_HOST) into the inbox and cases",
            lambda config: IntervalTrigger(minutes=1),
            lambda config: "every 1 min" if config.get("IMAP_HOST") else "not configured",
            enabled=lambda config: bool(config.get("IMAP_HOST")),
        ),
        Job(
            "identity-reminders",
            intake_jobs.chase_identity,
            "remind individuals once to confirm their identity by link, then close unconfirmed"
            " requests (the identity policy)",
            lambda config: IntervalTrigger(hours=1),
            lambda config: "every 60 min" if config.get("SMTP_HOST") else "not configured",
            # Without email the links never go out, so there is nothing to remind of.
            enabled=lambda config: bool(config.get("SMTP_HOST")),
        ),
        Job(
            "digest",
            digest.send_digest,
            "post the daily per-owner digest to the cases channel",
            _daily(DIGEST_AT),
            lambda config: (
                f"daily at {_setting(config, DIGEST_AT)} {config['CASETRACKER_TIMEZONE']}"
            ),
        ),
        Job(
            "retention-purge",
            purge.purge,
            "erase personal data of cases closed longer than the retention period",
            _daily(PURGE_AT),
            lambda config: (
                f"daily at {_setting(config, PURGE_AT)} {config['CASETRACKER_TIMEZONE']}"
            ),
        ),
        Job(
            "audit-verify",
            integrity.check_chains,
            "check every case's audit hash chain; tell the DPOs once of each newly broken case",
            _daily(AUDIT_VERIFY_AT),
            _daily_text(AUDIT_VERIFY_AT),
        ),
    )
}
