"""Only the privacy team acts from Slack: a listener middleware that says who is acting.

It puts the staff member and their actor in the Bolt context, or answers a stranger
politely in the form the surface expects, and the listener never runs.
"""

from __future__ import annotations

from casetracker.extensions import db
from slackbot import blocks, modals, service

STRANGER = (
    "Sorry, your Slack account is not linked to anyone on the privacy team, so /case cannot act"
    " for you. Ask an admin to run `staff add … --slack-user-id <your member id>`."
)


def staff_only(ack, body, context, next, respond):
    """Let linked, active staff through; refuse anyone else where they asked."""
    user_id = body["user_id"] if "command" in body else body["user"]["id"]
    staff = service.acting_staff(db.session, slack_user_id=user_id)
    if staff is not None:
        context["staff"] = staff
        context["actor"] = service.actor_for(staff, slack_user_id=user_id)
        return next()
    if body.get("type") == "view_submission":
        first = modals.block_ids(body["view"])[0]
        return ack(response_action="errors", errors={first: STRANGER})
    if body.get("type") == "block_actions":
        response = ack()
        respond(replace_original=False, response_type="ephemeral", **blocks.reply(STRANGER))
        return response
    return ack(response_type="ephemeral", **blocks.reply(STRANGER))
