"""Matching a person the identity provider vouches for to a staff account, and their role."""

from __future__ import annotations

import pytest

from casetracker.extensions import db
from casetracker.people import sso
from casetracker.people.models import Staff
from casetracker.people.sso import NO_ACCOUNT, NO_EMAIL, NO_ROLE, TWO_ROLES, UNVERIFIED
from tests import factories

ROLE_MAP = {"privacy-dpo": "dpo", "privacy-staff": "staff", "privacy-admin": "admin"}


def sign_in(clock, **claims):
    claims = {"sub": "s-1", "email": "sam@example.com", "email_verified": True} | claims
    return sso.sign_in(
        db.session, claims=claims, role_claim="groups", role_map=ROLE_MAP, now=clock()
    )


@pytest.fixture
def sam(app):
    return factories.staff(email="sam@example.com", name="Sam Staff", role="staff")


def test_the_groups_role_replaces_the_recorded_one(sam, clock, caplog):
    staff = sign_in(clock, email="Sam@Example.COM", groups=["privacy-dpo"])
    assert (staff.id, staff.role, staff.last_login_at) == (sam.id, "dpo", clock())
    db.session.expire_all()
    assert db.session.get(Staff, sam.id).role == "dpo"
    assert "role of sam@example.com changed from staff to dpo by single sign-on" in caplog.text

    assert sign_in(clock, groups=["privacy-staff"]).role == "staff"


def test_staff_beside_another_role_adds_nothing(sam, clock):
    assert sign_in(clock, groups=["privacy-staff", "privacy-admin", "all-hands"]).role == "admin"


def test_one_group_may_come_as_a_string(sam, clock):
    assert sign_in(clock, groups="privacy-dpo").role == "dpo"


def test_a_verified_flag_sent_as_text_counts(sam, clock):
    assert sign_in(clock, email_verified="true", groups=["privacy-staff"]).role == "staff"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"email": None, "groups": ["privacy-staff"]}, NO_EMAIL),
        ({"email_verified": False, "groups": ["privacy-staff"]}, UNVERIFIED),
        ({"email_verified": "false", "groups": ["privacy-staff"]}, UNVERIFIED),
        ({"groups": ["privacy-staff"], "email_verified": None}, UNVERIFIED),
        ({"groups": ["engineering"]}, NO_ROLE),
        ({"groups": []}, NO_ROLE),
        ({"groups": {"privacy-dpo": True}}, NO_ROLE),
        ({}, NO_ROLE),
        ({"groups": ["privacy-dpo", "privacy-admin"]}, TWO_ROLES),
        ({"email": "nobody@example.com", "groups": ["privacy-staff"]}, NO_ACCOUNT),
    ],
)
def test_who_is_refused_and_why(sam, clock, claims, reason):
    with pytest.raises(sso.SsoRefused) as refused:
        sign_in(clock, **claims)
    assert refused.value.reason == reason
    db.session.expire_all()
    assert (db.session.get(Staff, sam.id).role, db.session.get(Staff, sam.id).last_login_at) == (
        "staff",
        None,
    )


def test_a_deactivated_account_is_refused_like_a_missing_one(sam, clock):
    sam.active = False
    db.session.commit()
    with pytest.raises(sso.SsoRefused) as refused:
        sign_in(clock, groups=["privacy-staff"])
    assert refused.value.message == sso.WHY[NO_ACCOUNT].format(email="sam@example.com")


def test_someone_outside_the_groups_learns_nothing_about_accounts(sam, clock):
    with pytest.raises(sso.SsoRefused) as unknown:
        sign_in(clock, email="nobody@example.com", groups=["engineering"])
    with pytest.raises(sso.SsoRefused) as known:
        sign_in(clock, groups=["engineering"])
    assert unknown.value.message == known.value.message
