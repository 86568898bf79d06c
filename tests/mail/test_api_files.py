"""The mail API's files: upload to a case, download if allowed, refuse what is too large."""

import hashlib

from sqlalchemy import func, select

from casetracker.extensions import db
from casetracker.mail.models import Attachment
from tests.mail.api_support import REQUEST, download_file, upload_file
from tests.mail_broken import hostile
from tests.mail_build import tiny_pdf
from tests.mail_generated import plain


def _attachment_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Attachment))


def test_an_uploaded_file_is_downloaded_only_by_the_owner_or_dpo(
    api, dpo_api, plain_api, other_api, staff
):
    reference = api.create(owner=staff.email)["reference"]
    content = tiny_pdf("Vollmacht")

    response = upload_file(api, reference, content)
    assert response.status_code == 201, response.get_json()
    uploaded = response.get_json()
    assert uploaded["sha256"] == hashlib.sha256(content).hexdigest()
    assert (uploaded["filename"], uploaded["size"]) == ("Nachweis.pdf", len(content))
    assert uploaded["content_type"] == "application/pdf"

    for reader in (api, dpo_api):
        download = download_file(reader, uploaded["id"])
        assert download.status_code == 200
        assert download.data == content
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Disposition"] == "attachment; filename=Nachweis.pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download_file(other_api, uploaded["id"]).status_code == 403
    assert download_file(plain_api, uploaded["id"]).status_code == 403
    assert download_file(api, 9999).status_code == 404


def test_a_hostile_file_name_never_becomes_a_path(api, receive, staff, attachments_dir):
    number = receive(hostile())
    opened = api.post(f"/api/v1/inbox/{number}/open", json={**REQUEST, "owner": staff.email})
    assert opened.status_code == 201, opened.get_json()
    files = api.get(f"/api/v1/inbox/{number}").get_json()["attachments"]
    passwd = files[0]
    assert passwd["filename"] == "passwd"

    download = download_file(api, passwd["id"])
    assert download.status_code == 200
    assert download.data == b"root:x:0:0:root:/root:/bin/bash"
    disposition = download.headers["Content-Disposition"]
    assert disposition == "attachment; filename=passwd"
    digest = hashlib.sha256(download.data).hexdigest()
    assert (attachments_dir / digest[:2] / digest[2:4] / digest).read_bytes() == download.data
    stored = [p.name for p in attachments_dir.rglob("*") if p.is_file()]
    assert all(len(name) == 64 for name in stored)


def test_a_scan_of_a_few_megabytes_is_kept(api, staff):
    reference = api.create(owner=staff.email)["reference"]
    content = b"%PDF-1.4 " + b"\x00" * (3 * 1024 * 1024)
    response = upload_file(api, reference, content, name="Scan.pdf")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["size"] == len(content)


def test_a_file_too_large_is_refused_and_nothing_kept(app, api, staff):
    reference = api.create(owner=staff.email)["reference"]
    app.config["ATTACHMENT_MAX_BYTES"] = 10
    before = _attachment_count()

    for content in (b"x" * 11, b"x" * 200_000, b""):
        response = upload_file(api, reference, content)
        assert response.status_code == 422
        assert "file" in response.get_json()["errors"]
    missing = api.post(f"/api/v1/cases/{reference}/attachments", data={})
    assert missing.status_code == 422
    assert "file" in missing.get_json()["errors"]
    assert _attachment_count() == before


def test_a_mail_file_over_the_limit_is_listed_but_not_downloadable(app, api, receive, staff):
    app.config["ATTACHMENT_MAX_BYTES"] = 10
    raw = plain("Nachweis", "Anbei.", sender="erika@example.org", attachment_bytes=b"x" * 100)
    number = receive(raw)
    api.post(f"/api/v1/inbox/{number}/open", json={**REQUEST, "owner": staff.email})
    [refused] = api.get(f"/api/v1/inbox/{number}").get_json()["attachments"]
    assert "limit" in refused["refused"]
    assert download_file(api, refused["id"]).status_code == 404


def test_a_refused_upload_leaves_no_file_behind(api, other_api, staff, attachments_dir):
    reference = api.create(owner=staff.email)["reference"]

    response = upload_file(other_api, reference, b"not my case to add files to")

    assert response.status_code == 403
    assert _attachment_count() == 0
    assert not [p for p in attachments_dir.rglob("*") if p.is_file()]
