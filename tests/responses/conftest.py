"""Response fixtures: an access request in work with files, released through the service."""

from __future__ import annotations

import io

import pytest

from casetracker.cases.access import web_actor
from casetracker.extensions import db
from casetracker.mail import files
from casetracker.responses import service
from tests import factories
from tests.dashboard import conftest as dashboard

dana, priya, web = dashboard.dana, dashboard.priya, dashboard.web
ERIKA = {"name": "Erika Mustermann", "email": "erika@example.org", "country": "DE"}
OTTO = {"name": "Otto Normal", "email": "otto@example.org", "country": "DE"}


@pytest.fixture
def attachments(app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    return tmp_path / "attachments"


@pytest.fixture
def dpo_api(client, dana):
    return factories.ApiClient(client, factories.token(dana, scopes=["pii"]))


@pytest.fixture
def request_case(dpo_api, attachments):
    """Erika's EU access request, owned by the DPO, with one file uploaded."""

    def make(subject=ERIKA, **extra):
        data = {"kind": "request", "right": "access", "owner": "dana@example.com", **extra}
        if data["right"] is None:
            del data["right"]
        return dpo_api.create(subject=subject, **data)["reference"]

    return make


def upload(reference: str, staff, name: str, data: bytes) -> int:
    case = service.case_service.get_case(db.session, reference=reference)
    kept = files.add(
        db.session, reference=reference, upload=io.BytesIO(data), filename=name,
        content_type=None, actor=web_actor(staff, case), source="web",
    )  # fmt: skip
    return kept.id


def release(reference: str, staff, **data):
    case = service.case_service.get_case(db.session, reference=reference)
    return service.release(
        db.session, reference=reference, data=data, actor=web_actor(staff, case), source="web"
    )
