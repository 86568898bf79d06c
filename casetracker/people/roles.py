"""What each role may see and manage, beyond the actions on cases."""

from __future__ import annotations

from casetracker.people.models import Staff


def sees_all_subjects(staff: Staff) -> bool:
    """Tell whether this person sees every case's subject data (the DPO)."""
    return staff.role == "dpo"


def manages_accounts(staff: Staff) -> bool:
    """Tell whether this person manages staff accounts and API tokens."""
    return staff.role == "admin"
