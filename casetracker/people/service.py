"""Add staff, issue and check API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from casetracker import timesource
from casetracker.people.models import ApiToken, Staff
from casetracker.people.schemas import StaffSchema, TokenRequestSchema

TOKEN_PREFIX = "ct"  # noqa: S105 - a label, not a secret


def add_staff(db_session: Session, *, data: dict, password: str | None = None) -> Staff:
    """Validate and add a staff member; emails and Slack ids are unique."""
    fields = StaffSchema().load(data)
    if db_session.scalar(select(Staff.id).where(Staff.email == fields["email"])):
        raise ValidationError({"email": [f"{fields['email']} is already a staff member"]})
    slack_id = fields.get("slack_user_id")
    if slack_id and db_session.scalar(select(Staff.id).where(Staff.slack_user_id == slack_id)):
        raise ValidationError({"slack_user_id": [f"{slack_id} already belongs to a staff member"]})
    staff = Staff(**fields, active=True, created_at=timesource.now())
    if password is not None:
        staff.password_hash = generate_password_hash(password)
    db_session.add(staff)
    db_session.commit()
    return staff


def create_token(db_session: Session, *, data: dict) -> str:
    """Issue a token for a staff member; return it once, keep only its hash."""
    fields = TokenRequestSchema().load(data)
    staff = db_session.scalar(select(Staff).where(Staff.email == fields["staff"]))
    if staff is None or not staff.active:
        raise ValidationError({"staff": [f"no active staff member with email {fields['staff']}"]})
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    db_session.add(
        ApiToken(
            staff=staff,
            prefix=prefix,
            secret_hash=_digest(token),
            scopes=" ".join(sorted(set(fields["scopes"]))),
            created_at=timesource.now(),
        )
    )
    db_session.commit()
    return token


def authenticate(db_session: Session, token: str) -> ApiToken | None:
    """Return the live token matching this secret, or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    found = db_session.scalar(select(ApiToken).where(ApiToken.prefix == parts[1]))
    if found is None or found.revoked_at is not None or not found.staff.active:
        return None
    if not hmac.compare_digest(found.secret_hash, _digest(token)):
        return None
    return found


def _digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; passwords use werkzeug's.
    return hashlib.sha256(token.encode()).hexdigest()
