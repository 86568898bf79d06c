"""The demo team and the whole demo case list."""

from casetracker.demo import (
    complaints_dpf,
    complaints_hr,
    complaints_local,
    requests_europe,
    requests_world,
)
from casetracker.demo.scenario import DPO, Member

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for anyone trying the demo

STAFF = (
    Member(DPO, "Dana Okafor", "dpo@demo.casetracker.test", "dpo", "U06D4N40KF"),
    Member("mateo", "Mateo Alvarez", "admin@demo.casetracker.test", "admin", "U06M4T3OAZ"),
    Member("priya", "Priya Raman", "priya.raman@demo.casetracker.test", "staff", "U06PR1Y4RM"),
    Member("tomasz", "Tomasz Nowak", "tomasz.nowak@demo.casetracker.test", "staff", "U06T0M4SZN"),
    Member("aiko", "Aiko Tanaka", "aiko.tanaka@demo.casetracker.test", "staff", "U06A1K0TNK"),
    Member("samuel", "Samuel Mensah", "samuel.mensah@demo.casetracker.test", "staff", "U06S4MMNSH"),
)

CASES = (
    *complaints_dpf.CASES,
    *complaints_hr.CASES,
    *complaints_local.CASES,
    *requests_europe.CASES,
    *requests_world.CASES,
)


def dpo() -> Member:
    """Return the DPO's account, the one to sign in with."""
    return next(member for member in STAFF if member.role == "dpo")
