"""The actions people are not offered as forms: what jobs, deliveries, mail, tasks and the
individual's downloads record on a case. Declared here, registered with the others in
``actions.ACTIONS``; each is written through ``service.perform`` like any change.
"""

from __future__ import annotations

from casetracker.cases import handlers, record_handlers, schemas
from casetracker.cases.action_types import ANYONE, PEOPLE, SYSTEM, Action
from casetracker.cases.models import Case
from casetracker.cases.task_schemas import TaskUpdateSchema
from casetracker.policy import Policy


def _always(case: Case, policy: Policy) -> bool:
    return True


def _not_closed_case(case: Case, policy: Policy) -> bool:
    return case.status != "closed"


def _unlisted(name, schema, handler, *, roles=ANYONE, when=_always, bumps_version=True) -> Action:
    """Declare an action people are not offered as a form: jobs, deliveries and mail take it."""
    return Action(name, "", schema, handler, when, roles=roles, bumps_version=bumps_version)


UNLISTED: tuple[Action, ...] = (
    _unlisted("snooze", schemas.SnoozeSchema, handlers.snooze, when=_not_closed_case),
    # The individual confirmed by the emailed link, but that alone cannot verify the request
    # (an agent's written permission is missing, the case is on hold): staff decide.
    _unlisted(
        "identity_confirmed",
        schemas.OptionalReasonSchema,
        handlers.record_only,
        roles=SYSTEM,
        when=lambda case, policy: case.status != "closed" and case.stage == "verifying_identity",
        bumps_version=False,
    ),
    _unlisted(
        "ask_individual",
        schemas.QuestionSchema,
        record_handlers.ask_individual,
        roles=PEOPLE,
        when=_not_closed_case,
        bumps_version=False,
    ),
    _unlisted(
        "breach",
        schemas.ClockNameSchema,
        handlers.breach,
        roles=SYSTEM,
        when=_not_closed_case,
        bumps_version=False,
    ),
    _unlisted(
        "retention_purge",
        schemas.EraseSchema,
        handlers.erase,
        roles=SYSTEM,
        when=lambda case, policy: (
            case.status == "closed" and case.subject is not None and not case.subject.erased_at
        ),
    ),
    _unlisted(
        "message_received", schemas.MessageSchema, record_handlers.message_received, roles=SYSTEM
    ),
    _unlisted("link_message", schemas.MessageSchema, record_handlers.link_message, roles=PEOPLE),
    _unlisted(
        "reply",
        schemas.ReplySchema,
        record_handlers.reply,
        roles=PEOPLE,
        when=lambda case, policy: case.subject is not None and not case.subject.erased_at,
        bumps_version=False,
    ),
    _unlisted(
        "add_attachment",
        schemas.AttachmentSchema,
        record_handlers.add_attachment,
        roles=PEOPLE,
        bumps_version=False,
    ),
    _unlisted(
        "update_task",
        TaskUpdateSchema,
        handlers.update_task,
        roles=PEOPLE,
        when=_not_closed_case,
        bumps_version=False,
    ),
    *(
        _unlisted(name, schemas.PackageSchema, handler, roles=PEOPLE, bumps_version=False)
        for name, handler in (
            ("release_response", record_handlers.release_response),
            ("revoke_response", record_handlers.revoke_response),
        )
    ),
    _unlisted(
        "response_downloaded",
        schemas.PackageSchema,
        record_handlers.response_downloaded,
        roles=SYSTEM,
        bumps_version=False,
    ),
    *(
        _unlisted(name, schema, handler, roles=SYSTEM, bumps_version=False)
        for name, schema, handler in (
            ("message_bounced", schemas.MessageSchema, record_handlers.message_bounced),
            ("email_sent", schemas.MessageSentSchema, record_handlers.message_sent),
            ("opengdpr_sent", schemas.MessageSentSchema, record_handlers.message_sent),
        )
    ),
)
