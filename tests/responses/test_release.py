"""Releasing a response: the archive holds the chosen files and the export, and only the
individual's own data; refusals name what is wrong and keep nothing."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from casetracker import storage, timesource
from casetracker.cases import service as cases
from casetracker.cases.errors import ActionNotAllowed, PermissionDenied
from casetracker.cases.models import Event
from casetracker.extensions import db
from casetracker.mail.models import Attachment, MailMessage
from casetracker.responses.models import ResponsePackage
from tests.responses.conftest import OTTO, release, upload


def _archive(package) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(storage.path_for(package.sha256).read_bytes()))


def _packages() -> int:
    return db.session.scalar(select(func.count()).select_from(ResponsePackage))


def test_the_archive_holds_the_chosen_files_and_a_json_and_csv_export(request_case, dana):
    reference = request_case()
    chosen = upload(reference, dana, "crm-export.csv", b"email,plan\nerika@example.org,pro\n")
    upload(reference, dana, "internal-notes.txt", b"not for the individual")
    package = release(reference, dana, attachment_ids=[chosen], days=10, max_downloads=3)

    archive = _archive(package)
    assert archive.namelist() == ["your-data.json", "your-data.csv", "files/crm-export.csv"]
    data = json.loads(archive.read("your-data.json"))
    assert data["individual"]["email"] == "erika@example.org"
    assert [c["reference"] for c in data["cases"]] == [reference]
    assert data["cases"][0]["files"][0]["name"] == "crm-export.csv"
    csv_text = archive.read("your-data.csv").decode("utf-8-sig")
    assert f"case,{reference},right,access" in csv_text
    assert package.expires_at == timesource.now() + timedelta(days=10)
    assert package.max_downloads == 3
    [event] = db.session.scalars(select(Event).where(Event.action == "release_response"))
    assert event.reason.startswith(f"response package #{package.id} ready for the individual")


def test_the_export_leaves_out_other_people_and_their_emails(request_case, dana):
    mine = request_case()
    earlier = request_case(kind="request", right="erasure")
    other = request_case(subject=OTTO)
    case = cases.get_case(db.session, reference=mine)
    now = timesource.now()
    stranger = MailMessage(
        identity="<x@stranger>", direction="in", status="linked", case_id=case.id,
        from_address="stranger@example.net", subject="About Erika", body="Stranger's text",
        foreign_sender=True, received_at=now, created_at=now,
    )  # fmt: skip
    db.session.add(stranger)
    db.session.flush()
    db.session.add(
        Attachment(
            mail_message_id=stranger.id, case_id=case.id, filename="stranger.pdf",
            content_type="application/pdf", size=3, sha256=storage.keep(b"pdf").sha256,
            created_at=now, created_by="mail",
        )
    )  # fmt: skip
    db.session.commit()

    package = release(mine, dana)
    text = _archive(package).read("your-data.json").decode()
    assert earlier in text  # the same person's other request
    assert other not in text
    assert "Otto" not in text
    assert "Stranger's text" not in text
    assert "stranger.pdf" not in text
    with pytest.raises(ValidationError) as refused:
        release(mine, dana, attachment_ids=[db.session.scalar(select(Attachment.id))])
    assert "attachment_ids" in refused.value.messages


def test_bad_releases_are_refused_naming_the_field_and_keep_nothing(request_case, dana, priya):
    reference = request_case()
    before = sorted(p.name for p in storage.root().rglob("*") if p.is_file())
    with pytest.raises(ValidationError) as wrong:
        release(reference, dana, days=0, max_downloads=50, attachment_ids=[999])
    assert set(wrong.value.messages) == {"days", "max_downloads"}
    with pytest.raises(ValidationError) as unknown:
        release(reference, dana, attachment_ids=[999])
    assert unknown.value.messages == {"attachment_ids": [f"not a file of {reference}: 999"]}
    with pytest.raises(PermissionDenied):
        release(reference, priya)
    complaint = request_case(kind="complaint", right=None)
    with pytest.raises(ActionNotAllowed):
        release(complaint, dana)
    assert _packages() == 0
    assert sorted(p.name for p in storage.root().rglob("*") if p.is_file()) == before
