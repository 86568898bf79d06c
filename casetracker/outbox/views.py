"""The outbox page: messages not delivered yet, with a retry for failed ones, and bounces."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from casetracker import timesource
from casetracker.extensions import db
from casetracker.outbox import delivery, listing
from casetracker.people import roles

bp = Blueprint("outbox", __name__, url_prefix="/outbox")
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
# Each channel's transport is registered when these are set (casetracker.reactions, slackbot).
OFFLINE = {
    "slack": ("Slack is offline", "SLACK_BOT_TOKEN is not set, so messages to Slack wait here."),
    "email": ("Email is offline", "SMTP_HOST is not set, so emails to individuals wait here."),
    "opengdpr": (
        "OpenGDPR callbacks are offline",
        "OPENGDPR_SIGNING_KEY and OPENGDPR_CERTIFICATE are not both set, so status callbacks"
        " to controllers wait here.",
    ),
}


@bp.before_request
@login_required
def _signed_in():
    """The outbox is for signed-in staff."""


@bp.get("")
def messages():
    """List pending and failed messages a page at a time, and the emails that bounced."""
    number, bounced_number = _page_number("page"), _page_number("bounced_page")
    counts = listing.undelivered_counts(db.session)
    page = listing.undelivered_messages(db.session, number=number, total=counts.total)
    cases_channel = current_app.config.get("SLACK_CASES_CHANNEL")
    return render_template(
        "dashboard/outbox.html",
        page=page,
        recipients=listing.recipients(db.session, page.items, cases_channel=cases_channel),
        counts=counts,
        offline=[_offline(c) for c in sorted(counts.channels) if not delivery.can_deliver(c)],
        bounced=listing.bounced_emails(db.session, number=bounced_number),
        sees_addresses=roles.sees_all_subjects(current_user),
        now=timesource.now(),
    )


@bp.post("/<int(max=9223372036854775807):message_id>/retry")
def retry(message_id: int):
    """Give a message a fresh set of delivery attempts."""
    message = delivery.retry(db.session, message_id=message_id, now=timesource.now())
    if message is None:
        flash("That message was already sent or no longer exists.", "info")
    else:
        flash(f"Message {message_id} will be sent again at the next delivery run.", "success")
    return redirect(url_for("outbox.messages"))


def _page_number(name: str) -> int:
    value = request.args.get(name, "1")
    if not PAGE_NUMBER.fullmatch(value):
        abort(400, description=f"The {name} parameter must be a page number: 1, 2, 3…")
    return int(value)


def _offline(channel: str) -> tuple[str, str]:
    fallback = (f"{channel} is offline", "no transport delivers it, so its messages wait here.")
    return OFFLINE.get(channel, fallback)
