"""The demo company's systems that hold personal data, with the colleague who answers for each."""

from __future__ import annotations

from dataclasses import dataclass

ALL_RIGHTS = "access,rectification,erasure,restriction,portability,objection"


@dataclass(frozen=True)
class DemoSystem:
    name: str
    owner: str  # a demo team member's key
    contexts: str
    rights: str
    instructions: str


SYSTEMS = (
    DemoSystem(
        "CRM (Salesforce)",
        "priya",
        "website,marketing",
        f"{ALL_RIGHTS},opt_out",
        "Search Contacts and Leads by email. Access: export the record as CSV. Erasure: use "
        "the privacy delete, not a plain delete, so the audit fields go too.",
    ),
    DemoSystem(
        "Marketing automation (HubSpot)",
        "aiko",
        "marketing",
        "access,erasure,objection,withdraw_consent,opt_out,portability",
        "Find the contact by email. Objection or withdrawn consent: unsubscribe from all "
        "types and add to the suppression list. Erasure: GDPR delete.",
    ),
    DemoSystem(
        "Website analytics",
        "tomasz",
        "website",
        "access,erasure,objection,opt_out,limit_sensitive",
        "Look up the visitor ids the individual gives (cookie id or account email). Use the "
        "data deletion request in the admin console; it takes up to 72 hours.",
    ),
    DemoSystem(
        "Recruiting ATS (Greenhouse)",
        "samuel",
        "recruiting",
        ALL_RIGHTS,
        "Search candidates by email. Access: download the candidate profile with attachments. "
        "Erasure: anonymise the candidate unless a hiring process is still open.",
    ),
    DemoSystem(
        "HR system (Personio)",
        "samuel",
        "employment",
        "access,rectification,restriction,portability,objection",
        "Employee records: statutory retention applies to payroll and contracts; erase only "
        "what is past its retention. Ask HR before changing payroll data.",
    ),
    DemoSystem(
        "Support desk (Zendesk)",
        "tomasz",
        "website,marketing",
        f"{ALL_RIGHTS}",
        "Search tickets by requester email. Erasure: delete the end user (removes tickets).",
    ),
    DemoSystem(
        "Data warehouse",
        "aiko",
        "website,marketing,recruiting,employment",
        "access,erasure,portability",
        "Run the subject lookup query with the email hash; for erasure, add the hash to the "
        "nightly deletion table and confirm the next morning.",
    ),
)
