"""The outbox page: messages not delivered yet, with a retry for failed ones, and bounces."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from casetracker import timesource
from casetracker.extensions import db
from casetracker.outbox import delivery, listing
from casetracker.people import roles

bp = Blueprint("outbox", __name__, url_prefix="/outbox")


@bp.before_request
@login_required
def _signed_in():
    """The outbox is for signed-in staff."""


@bp.get("")
def messages():
    """List pending and failed messages, and the emails that bounced."""
    return render_template(
        "dashboard/outbox.html",
        messages=listing.undelivered_messages(db.session),
        counts=listing.undelivered_counts(db.session),
        bounced=listing.bounced_emails(db.session),
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
