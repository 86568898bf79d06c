"""A task's owner keeps the export from their system with the case, for the response."""

from __future__ import annotations

import io

from sqlalchemy import select

from casetracker.cases.models import Event
from casetracker.extensions import db
from casetracker.mail.models import Attachment
from tests import factories


def _task(api, reference, system="CRM") -> int:
    items = api.get(f"/api/v1/cases/{reference}/tasks").json["items"]
    return next(t["id"] for t in items if t["system"] == system)


def _files() -> list[str]:
    return list(db.session.scalars(select(Attachment.filename).order_by(Attachment.id)))


def test_the_task_owner_adds_the_export_from_the_case_page(in_work, dpo_api, web, priya):
    reference = in_work()["reference"]
    crm = _task(dpo_api, reference)
    web.sign_in(priya.email)
    page = web.get(f"/cases/{reference}").text
    assert "The export or proof from CRM" in page
    token = web.csrf_token(f"/cases/{reference}")
    sent = web.raw_post(
        f"/cases/{reference}/tasks/{crm}/files",
        data={"csrf_token": token, "file": (io.BytesIO(b"email\nerika@example.org\n"), "crm.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    assert "crm.csv was added to the case for its task." in web.get(sent.location).text
    assert _files() == ["crm.csv"]
    reason = db.session.scalars(select(Event.reason).where(Event.action == "add_attachment")).one()
    assert reason == "file #1 added for the CRM task"


def test_someone_else_cannot_add_a_file_for_a_task_and_nothing_is_kept(
    in_work, dpo_api, client, tomasz
):
    reference = in_work()["reference"]
    crm = _task(dpo_api, reference)
    tomasz_api = factories.ApiClient(client, factories.token(tomasz))
    refused = tomasz_api.post(
        f"/api/v1/cases/{reference}/attachments",
        data={"file": (io.BytesIO(b"x"), "x.csv"), "task": str(crm)},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    assert "may add files for the CRM task" in refused.json["error"]
    own = tomasz_api.post(
        f"/api/v1/cases/{reference}/attachments",
        data={"file": (io.BytesIO(b"y"), "newsletter.csv"), "task": str(_task(
            dpo_api, reference, "Newsletter tool"))},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert own.status_code == 201
    bad = tomasz_api.post(
        f"/api/v1/cases/{reference}/attachments",
        data={"file": (io.BytesIO(b"z"), "z.csv"), "task": "first"},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert list(bad.json["errors"]) == ["task"]
    assert _files() == ["newsletter.csv"]
