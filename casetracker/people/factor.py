"""The second factor of password accounts: TOTP codes, recovery codes, and admins' resets."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from casetracker.people import service
from casetracker.people.models import AccountEvent, RecoveryCode, Staff

STEP_SECONDS = 30
# A code of the step before or after the current one still counts: phones' clocks drift.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
FACTOR_RESET = "factor_reset"
CODE_REFUSED = (
    "That code did not work. Use the current code from your authenticator app, or one of your"
    " recovery codes. After "
    f"{service.MAX_FAILED_SIGN_INS} wrong attempts the account is locked for "
    f"{service.LOCK_OUT_FOR.seconds // 60} minutes."
)
ENROL_REFUSED = (
    "That code did not match. Check the time on your phone and enter the code the app shows now."
)


class CodeRefused(Exception):
    """A wrong, replayed or used code, or a locked account: one message for all."""

    def __init__(self, message: str = CODE_REFUSED):
        super().__init__(message)
        self.message = message


def needs_factor(staff: Staff, *, required_roles) -> bool:
    """Tell whether this password account must have a second factor before it signs in."""
    return staff.role in required_roles and staff.totp_secret is None


def new_secret() -> str:
    """Return a fresh TOTP secret (160 random bits, base32)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, email: str, issuer: str) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """Draw the address as an inline SVG QR code, made here: nothing leaves the server."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, title="QR code for your authenticator", omitsize=True
    )


def confirm_enrolment(
    db_session: Session, *, staff: Staff, secret: str, code: str, now: datetime
) -> list[str]:
    """Keep the secret once a current code proves the app has it; return new recovery codes."""
    step = _matching_step(secret, code, now=now, after=None)
    if step is None:
        raise CodeRefused(ENROL_REFUSED)
    staff.totp_secret = secret
    staff.totp_enrolled_at = now
    staff.totp_last_step = step
    codes = _replace_recovery_codes(db_session, staff)
    db_session.commit()
    return codes


def verify(db_session: Session, *, staff: Staff, code: str, now: datetime) -> None:
    """Accept a current code once, or an unused recovery code once; else count a failure."""
    if staff.locked_until is not None and staff.locked_until > now:
        raise CodeRefused
    code = "".join(code.split()).lower()
    if staff.totp_secret and (
        _use_totp(db_session, staff, code, now) or _use_recovery(db_session, staff, code, now)
    ):
        service.finish_sign_in(db_session, staff, now=now)
        return
    db_session.rollback()
    service.count_failure(db_session, staff, now=now)
    raise CodeRefused


def reset(db_session: Session, *, staff_id: int, by: Staff, now: datetime) -> Staff:
    """Remove a member's second factor and recovery codes, recording who did it."""
    staff = db_session.get(Staff, staff_id)
    if staff is None:
        raise LookupError(staff_id)
    staff.totp_secret = None
    staff.totp_enrolled_at = None
    staff.totp_last_step = None
    db_session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    db_session.add(AccountEvent(at=now, staff_id=staff.id, by_staff_id=by.id, what=FACTOR_RESET))
    db_session.commit()
    return staff


def recent_events(db_session: Session, *, limit: int = 20) -> list[AccountEvent]:
    """Return the latest account changes, newest first."""
    return list(
        db_session.scalars(select(AccountEvent).order_by(AccountEvent.id.desc()).limit(limit))
    )


def unused_recovery_codes(db_session: Session, staff: Staff) -> int:
    """Count the recovery codes this person has left."""
    query = select(RecoveryCode.id).where(
        RecoveryCode.staff_id == staff.id, RecoveryCode.used_at.is_(None)
    )
    return len(db_session.scalars(query).all())


def _use_totp(db_session: Session, staff: Staff, code: str, now: datetime) -> bool:
    step = _matching_step(staff.totp_secret, code, now=now, after=staff.totp_last_step)
    if step is None:
        return False
    # One UPDATE guarded by the last step: two workers cannot both accept the same code.
    taken = db_session.execute(
        update(Staff)
        .where(
            Staff.id == staff.id,
            Staff.totp_secret == staff.totp_secret,
            or_(Staff.totp_last_step.is_(None), Staff.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def _matching_step(secret: str, code: str, *, now: datetime, after: int | None) -> int | None:
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _use_recovery(db_session: Session, staff: Staff, code: str, now: datetime) -> bool:
    code = code.replace("-", "")
    if len(code) != 10:
        return False
    rows = db_session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.staff_id == staff.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    for row in rows:
        if hmac.compare_digest(row.code_hash, _hash(row.salt, code)):
            used = db_session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            )
            return used.rowcount == 1
    return False


def _replace_recovery_codes(db_session: Session, staff: Staff) -> list[str]:
    db_session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        salt = secrets.token_hex(16)
        db_session.add(RecoveryCode(staff_id=staff.id, salt=salt, code_hash=_hash(salt, raw)))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def _hash(salt: str, code: str) -> str:
    # Each code has about 50 random bits and a salt of its own: a fast hash is enough.
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()
