"""The inbox and conversation forms: what a posted form means to the mail services."""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from casetracker.mail.models import MailMessage

SUMMARY_MAX = 5000
CASE_FIELDS = ("kind", "jurisdiction", "data_context", "right", "summary")


def open_defaults(message: MailMessage) -> dict:
    """Prefill the "Open a case" form from the email: its sender's name, subject and text."""
    text = (message.subject or "") + "\n\n" + (message.reply or message.body or "")
    return {"name": message.from_name or "", "summary": text.strip()[:SUMMARY_MAX]}


def case_data(form: Mapping) -> dict:
    """Turn the "Open a case" form into a new case; blank fields take the email's values."""
    data = {name: form[name].strip() for name in CASE_FIELDS if form.get(name, "").strip()}
    subject = {"country": form.get("country", "").strip().upper()}
    if form.get("name", "").strip():
        subject["name"] = form["name"].strip()
    return {**data, "subject": subject}


def attachment_ids(form: MultiDict) -> list[int]:
    """Read the files ticked to go with a reply."""
    try:
        return [int(value) for value in form.getlist("attachment_ids")]
    except ValueError:
        raise ValidationError({"attachment_ids": ["choose files of this case"]}) from None


def flat(errors: Mapping | list | str, prefix: str = "") -> dict[str, list[str]]:
    """Flatten nested marshmallow errors to one list per field: {"subject.country": [...]}."""
    if not isinstance(errors, Mapping):
        return {prefix or "_schema": list(errors) if isinstance(errors, list) else [errors]}
    found: dict[str, list[str]] = {}
    for name, value in errors.items():
        # List items report by index: their messages belong to the list's field.
        key = prefix if isinstance(name, int) else f"{prefix}.{name}".lstrip(".")
        for field, messages in flat(value, key).items():
            found.setdefault(field, []).extend(messages)
    return found
