"""Tasks fixtures: an inventory like the demo company's, its owners, and requests put to work."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage
from casetracker.systems import service as systems
from tests import factories
from tests.dashboard import conftest as dashboard

# The dashboard's people and signed-in client, shared with these tests.
dana, priya, tomasz, web = dashboard.dana, dashboard.priya, dashboard.tomasz, dashboard.web

INVENTORY = (
    ("CRM", "priya@example.com", "marketing,website", "access,erasure,opt_out"),
    ("Newsletter tool", "tomasz@example.com", "marketing", "erasure,objection"),
    ("Website analytics", "tomasz@example.com", "website", "access,erasure"),
    ("Recruiting ATS", "priya@example.com", "recruiting", "access,erasure"),
)
ERIKA = {"name": "Erika Mustermann", "email": "erika@example.org", "country": "US"}


@pytest.fixture
def inventory(app, priya, tomasz):
    for name, owner, contexts, rights in INVENTORY:
        systems.add_system(
            db.session,
            data={"name": name, "owner": owner, "contexts": contexts, "rights": rights},
        )


@pytest.fixture
def dpo_api(client, dana):
    return factories.ApiClient(client, factories.token(dana, scopes=["pii"]))


@pytest.fixture
def in_work(dpo_api, inventory, dana):
    """Erika's Californian erasure request about marketing, verified and in work."""

    def make(**overrides):
        data = {
            "kind": "request",
            "right": "erasure",
            "jurisdiction": "US-CA",
            "data_context": "marketing",
            "owner": "dana@example.com",
            "subject": ERIKA,
            **overrides,
        }
        case = dpo_api.create(**data)
        for action in ("acknowledge", "verify_identity"):
            case = dpo_api.act(case, action).get_json()
        assert case["stage"] == "in_progress", case
        return case

    return make


def outbox(topic: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))
