"""What else happens after an action, across packages: the one list to read.

After an action is applied, ``service.perform`` runs ``AFTER_ACTION[action]`` in the same
transaction (so a reaction's outbox row commits with the change or not at all). When the
outbox delivers a message, ``AFTER_SENT[topic]`` runs in the delivery's transaction; a
reaction there that changes the case does so through ``perform`` again. The chain for a
form-filed request reads: create → acknowledgement email queued → sent → kept as a message
of the case, ``email_sent`` recorded and the case acknowledged; the individual's answer is
fetched from the mailbox and threads back onto the case (``message_received``).

Transports deliver the outbox: email and OpenGDPR callbacks here, when configured; Slack
is added by ``slackbot.init_app``, since the product never imports the bot.
"""

from __future__ import annotations

from flask import Flask

from casetracker.cases import changes, notifications, purge
from casetracker.intake import identity, messages, opengdpr, signing
from casetracker.intake.callbacks import CallbackTransport
from casetracker.mail import erasure, notices, outgoing, transport
from casetracker.mail import service as mail_service
from casetracker.mail.transport import EmailTransport
from casetracker.outbox import delivery
from casetracker.responses import service as responses

AFTER_ACTION = {
    "create": (notifications.case_created, messages.on_create),
    "acknowledge": (opengdpr.on_status_change, notifications.tasks_opened, identity.on_waiting),
    "verify_identity": (notifications.tasks_opened, identity.spend),
    "identity_confirmed": (identity.spend,),
    "update_task": (notifications.task_blocked,),
    "assign": (notifications.case_assigned,),
    "escalate": (notifications.case_escalated,),
    "extend": (messages.on_extend,),
    "resolve": (messages.on_close, opengdpr.on_status_change, identity.withdraw),
    "redirect": (messages.on_close, opengdpr.on_status_change, identity.withdraw),
    "reopen": (opengdpr.on_status_change, identity.on_waiting),
    "ask_individual": (messages.on_question,),
    "message_received": (notices.tell_owner, identity.on_message),
    "reply": (outgoing.queue_reply,),
    "retention_purge": (
        purge.erase_outbox_emails,
        messages.erase_agent_authorization,
        erasure.erase_case_mail,
        responses.erase,
    ),
}
# Each email sent is kept as a message of its case first, so that answers thread back.
SENT_EMAIL = (transport.record_sent, messages.record_sent, mail_service.record_refusal)
AFTER_SENT = {
    "email_acknowledgement": (*SENT_EMAIL, messages.acknowledge_when_sent),
    "email_clarification": (*SENT_EMAIL, messages.hold_when_sent),
    "email_extension": SENT_EMAIL,
    "email_outcome": SENT_EMAIL,
    outgoing.REPLY_TOPIC: SENT_EMAIL,
    # Not kept as messages of the case: their text holds the individual's secret link.
    "email_identity_link": (identity.link_sent, messages.record_sent),
    "email_identity_reminder": (identity.link_sent, messages.record_sent),
    "opengdpr_status": (messages.record_sent,),
}


def init_app(app: Flask) -> None:
    """Install the reactions and the transports this configuration can deliver through."""
    changes.set_reactions(app, AFTER_ACTION)
    delivery.set_sent_hooks(app, AFTER_SENT)
    # Offline mode: without SMTP_HOST (or a signing key) the messages wait in the outbox.
    if app.config["SMTP_HOST"]:
        delivery.register_transport(app, EmailTransport())
    if signing.EXTENSION_KEY in app.extensions:
        delivery.register_transport(app, CallbackTransport())
