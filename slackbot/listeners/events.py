"""App Home: overdue cases, my cases by next deadline and my tasks, refreshed when it opens."""

from __future__ import annotations

from datetime import timedelta

from slack_bolt import App

from casetracker import timesource
from casetracker.cases import listing, task_queries
from casetracker.extensions import db
from slackbot import blocks, service
from slackbot.presenters import facts_of, task_facts_of

ANY_DEADLINE = timedelta(days=3650)


def register(app: App) -> None:
    """Listen for the App Home being opened."""
    app.event("app_home_opened")(home_opened)


def home_opened(body, event, client):
    """Publish the Home tab once per event, however often Slack retries it."""
    if event.get("tab", "home") != "home":
        return
    now = timesource.now()
    if not service.first_delivery(db.session, event_id=body["event_id"], now=now):
        return
    staff = service.acting_staff(db.session, slack_user_id=event["user"])
    view = blocks.stranger_home() if staff is None else _home(staff)
    client.views_publish(user_id=event["user"], view=view)


def _home(staff: service.SlackStaff) -> dict:
    now = timesource.now()
    limit = blocks.MAX_HOME_ITEMS
    # The DPO watches the whole team's overdue work; staff see their own.
    owner = None if staff.role == "dpo" else staff.email
    # A Slack line shows no clocks or subject: load only the cases and their owners.
    overdue = listing.list_cases(
        db.session, now=now, overdue=True, owner=owner, limit=limit, with_details=False
    )
    mine = listing.list_cases(
        db.session,
        now=now,
        owner=staff.email,
        due_before=now + ANY_DEADLINE,
        limit=limit,
        with_details=False,
    )
    tasks = task_queries.unfinished_for(db.session, owner_id=staff.id)
    return blocks.home_view(
        overdue=[facts_of(case) for case in overdue.items],
        mine=[facts_of(case) for case in mine.items],
        tasks=[task_facts_of(task) for task in tasks],
        now=now,
    )
