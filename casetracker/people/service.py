"""Add staff, issue and check API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from marshmallow import ValidationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from casetracker import timesource
from casetracker.people.actors import Actor
from casetracker.people.models import ApiToken, Staff, parse_scopes
from casetracker.people.schemas import StaffSchema, TokenRequestSchema

TOKEN_PREFIX = "ct"  # noqa: S105 - a label, not a secret
MIN_PASSWORD_LENGTH = 12
MAX_FAILED_SIGN_INS = 5
LOCK_OUT_FOR = timedelta(minutes=15)
SIGN_IN_REFUSED = (
    "That email and password did not match an active account. After "
    f"{MAX_FAILED_SIGN_INS} wrong attempts an account is locked for "
    f"{LOCK_OUT_FOR.seconds // 60} minutes."
)


_tokens, _staff = ApiToken.__table__, Staff.__table__
# Every API request runs it: built once, and read as plain rows, not ORM objects.
LIVE_TOKEN_BY_PREFIX = (
    select(
        _tokens.c.id,
        _tokens.c.prefix,
        _tokens.c.secret_hash,
        _tokens.c.scopes,
        _tokens.c.last_used_at,
        _staff.c.id.label("staff_id"),
        _staff.c.email,
        _staff.c.role,
    )
    .join_from(_tokens, _staff, _staff.c.id == _tokens.c.staff_id)
    .where(
        _tokens.c.prefix == bindparam("prefix"),
        _tokens.c.revoked_at.is_(None),
        _staff.c.active.is_(True),
    )
)


@dataclass(frozen=True)
class Bearer:
    """A live API token and the staff member it acts for."""

    token_id: int
    prefix: str
    scopes: frozenset[str]
    last_used_at: datetime | None
    staff_id: int
    email: str
    role: str

    def actor(self) -> Actor:
        """Act as the token's staff member, recorded as coming through this token."""
        return Actor(
            kind="api_token",
            label=f"{self.email} (token {self.prefix})",
            role=self.role,
            staff_id=self.staff_id,
            scopes=self.scopes,
        )


class SignInRefused(Exception):
    """Wrong email or password, an inactive or a locked account: one message for all."""

    def __init__(self):
        super().__init__(SIGN_IN_REFUSED)
        self.message = SIGN_IN_REFUSED


def add_staff(db_session: Session, *, data: dict, password: str | None = None) -> Staff:
    """Validate and add a staff member; emails and Slack ids are unique."""
    fields = StaffSchema().load(data)
    if db_session.scalar(select(Staff.id).where(Staff.email == fields["email"])):
        raise ValidationError({"email": [f"{fields['email']} is already a staff member"]})
    slack_id = fields.get("slack_user_id")
    if slack_id and db_session.scalar(select(Staff.id).where(Staff.slack_user_id == slack_id)):
        raise ValidationError({"slack_user_id": [f"{slack_id} already belongs to a staff member"]})
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError({"password": [f"needs at least {MIN_PASSWORD_LENGTH} characters"]})
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


def authenticate(db_session: Session, token: str) -> Bearer | None:
    """Return the live token matching this secret, with its active staff member, or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    row = db_session.execute(LIVE_TOKEN_BY_PREFIX, {"prefix": parts[1]}).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(token)):
        return None
    return Bearer(
        token_id=row.id,
        prefix=row.prefix,
        scopes=parse_scopes(row.scopes),
        last_used_at=row.last_used_at,
        staff_id=row.staff_id,
        email=row.email,
        role=row.role,
    )


def record_use(db_session: Session, bearer: Bearer, *, now: datetime) -> None:
    """Note when the token was last used (one statement, committed)."""
    db_session.execute(
        update(ApiToken).where(ApiToken.id == bearer.token_id).values(last_used_at=now)
    )
    db_session.commit()


def sign_in(db_session: Session, *, email: str, password: str) -> Staff:
    """Return the staff member these credentials belong to, or raise SignInRefused."""
    now = timesource.now()
    staff = db_session.scalar(select(Staff).where(Staff.email == email.strip().lower()))
    if staff is None or not staff.active or not staff.password_hash:
        # Spend the same time as a real check, so timing does not tell which emails exist.
        check_password_hash(_decoy_hash(), password)
        raise SignInRefused
    if staff.locked_until is not None and staff.locked_until > now:
        raise SignInRefused
    if not check_password_hash(staff.password_hash, password):
        count_failure(db_session, staff, now=now)
        raise SignInRefused
    if staff.totp_secret is None:
        finish_sign_in(db_session, staff, now=now)
    # With a second factor, failures keep counting until its code is right too.
    return staff


def finish_sign_in(db_session: Session, staff: Staff, *, now: datetime) -> None:
    """Clear the failed attempts and note the sign-in (every factor was right)."""
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    db_session.commit()


def count_failure(db_session: Session, staff: Staff, *, now) -> None:
    """Count a wrong password or code; lock the account after too many."""
    # Counted in one UPDATE on the row, so failures from every worker add up.
    failures = db_session.execute(
        update(Staff)
        .where(Staff.id == staff.id)
        .values(failed_logins=Staff.failed_logins + 1)
        .returning(Staff.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if failures >= MAX_FAILED_SIGN_INS:
        db_session.execute(
            update(Staff)
            .where(Staff.id == staff.id)
            .values(failed_logins=0, locked_until=now + LOCK_OUT_FOR)
            .execution_options(synchronize_session=False)
        )
    db_session.commit()


@cache
def _decoy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def active_staff(db_session: Session, *, staff_id: int) -> Staff | None:
    """Return the active staff member with this id (a signed-in session), or None."""
    staff = db_session.get(Staff, staff_id)
    return staff if staff is not None and staff.active else None


def active_by_email(db_session: Session, email: str, *, field: str) -> Staff:
    """Return the active staff member with this email, or refuse naming ``field``."""
    staff = db_session.scalar(select(Staff).where(Staff.email == email.lower()))
    if staff is None or not staff.active:
        raise ValidationError({field: [f"no active staff member with email {email}"]})
    return staff


def list_staff(db_session: Session) -> list[Staff]:
    """Return every staff member, active ones first, by name."""
    return list(db_session.scalars(select(Staff).order_by(Staff.active.desc(), Staff.name)))


def set_active(db_session: Session, *, staff_id: int, active: bool, by: Staff) -> Staff:
    """Deactivate or reactivate an account; nobody deactivates themselves."""
    staff = db_session.get(Staff, staff_id)
    if staff is None:
        raise ValidationError({"staff": ["no such staff member"]})
    if staff.id == by.id and not active:
        raise ValidationError({"staff": ["you cannot deactivate your own account"]})
    staff.active = active
    db_session.commit()
    return staff


def list_tokens(db_session: Session) -> list[ApiToken]:
    """Return every API token with its owner, live ones first, newest first."""
    return list(
        db_session.scalars(
            select(ApiToken)
            .options(selectinload(ApiToken.staff))
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def revoke_token(db_session: Session, *, token_id: int) -> ApiToken:
    """Revoke a token for good; revoking it again changes nothing."""
    token = db_session.get(ApiToken, token_id)
    if token is None:
        raise ValidationError({"token": ["no such token"]})
    if token.revoked_at is None:
        token.revoked_at = timesource.now()
        db_session.commit()
    return token


def _digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; passwords use werkzeug's.
    return hashlib.sha256(token.encode()).hexdigest()
