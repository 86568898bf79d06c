"""Match a person the OpenID provider signed in to their staff account, and set their role."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker.people.models import Staff

log = logging.getLogger(__name__)
NOT_SIGNED_IN = "You are not signed in."
NO_EMAIL = "no_email"
UNVERIFIED = "unverified"
NO_ROLE = "no_role"
TWO_ROLES = "two_roles"
NO_ACCOUNT = "no_account"
WHY = {
    NO_EMAIL: "Your identity provider did not say which email address your account has, so"
    " casetracker cannot tell who you are. Ask your identity administrator to release the"
    " email claim to casetracker.",
    UNVERIFIED: "Your identity provider has not verified the email address {email}, so"
    " casetracker cannot use it to find your account. Ask your identity administrator to"
    " verify it.",
    NO_ROLE: "Your account at the identity provider is in none of the groups that give access"
    " to casetracker. Ask your identity administrator to add you to the right group.",
    TWO_ROLES: "Your groups at the identity provider give you more than one casetracker role"
    " ({roles}), and casetracker needs exactly one. Ask your identity administrator to keep"
    " you in one of these groups.",
    NO_ACCOUNT: "{email} is not an active casetracker account. Accounts are not created at"
    " sign-in: ask a casetracker admin to add you to the team.",
}


class SsoRefused(Exception):
    """The provider vouched for the person, but casetracker does not let them in."""

    def __init__(self, reason: str, **details: str):
        self.reason = reason
        self.message = WHY[reason].format(**details)
        super().__init__(self.message)


def sign_in(
    db_session: Session,
    *,
    claims: Mapping,
    role_claim: str,
    role_map: Mapping[str, str],
    now: datetime,
) -> Staff:
    """Return the active staff member with the claims' verified email, in the mapped role."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise _refused(claims, NO_EMAIL)
    email = email.strip().lower()
    if claims.get("email_verified") not in (True, "true"):
        raise _refused(claims, UNVERIFIED, email=email)
    # The provider's groups decide before the database is read: someone outside the privacy
    # team learns nothing about who has an account.
    role = _role(claims, claims.get(role_claim), role_map)
    staff = db_session.scalar(select(Staff).where(Staff.email == email))
    if staff is None or not staff.active:
        raise _refused(claims, NO_ACCOUNT, email=email)
    if staff.role != role:
        # No account history is kept in the database: the log is where this is recorded.
        log.warning("role of %s changed from %s to %s by single sign-on", email, staff.role, role)
        staff.role = role
    staff.last_login_at = now
    db_session.commit()
    return staff


def _role(claims: Mapping, value, role_map: Mapping[str, str]) -> str:
    groups = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    roles = {role_map[group] for group in groups if isinstance(group, str) and group in role_map}
    if len(roles) > 1:
        # Everyone works cases: "staff" beside another role adds nothing to it.
        roles.discard("staff")
    if not roles:
        raise _refused(claims, NO_ROLE)
    if len(roles) > 1:
        raise _refused(claims, TWO_ROLES, roles=" and ".join(sorted(roles)))
    return roles.pop()


def _refused(claims: Mapping, reason: str, **details: str) -> SsoRefused:
    log.warning(
        "single sign-on refused (%s) for subject %r, email %r",
        reason,
        claims.get("sub"),
        claims.get("email"),
    )
    return SsoRefused(reason, **details)
