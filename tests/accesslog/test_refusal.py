"""A view whose access-log row cannot be written is not shown: 503, and nothing of the data."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from casetracker.accesslog import service
from casetracker.extensions import db
from tests.accesslog.conftest import INDIVIDUAL, log
from tests.mail.api_support import download_file, upload_file
from tests.mail_build import tiny_pdf


def _shows_nothing(answer) -> None:
    assert answer.status_code == 503
    body = answer.get_data(as_text=True)
    for word in (*INDIVIDUAL, "Newsletter kept arriving"):
        assert word not in body


def test_the_case_page_is_refused_when_the_log_cannot_be_written(
    web, priya, tomasz, complaint, refusing_log
):
    web.sign_in(priya.email)
    refused = web.get(f"/cases/{complaint.reference}")
    _shows_nothing(refused)
    assert "the log could not be written" in refused.text
    _shows_nothing(web.get(f"/cases/{complaint.reference}/file"))
    web.post("/sign-out")

    web.sign_in(tomasz.email)
    masked = web.get(f"/cases/{complaint.reference}")
    assert masked.status_code == 200, "a page without personal data needs no row"
    assert log() == []


def test_the_csv_is_refused_before_any_row_goes_out(web, dana, complaint, refusing_log):
    web.sign_in(dana.email)
    refused = web.get("/cases.csv")
    _shows_nothing(refused)
    assert complaint.reference not in refused.text


def test_the_api_answers_503_without_the_data(owner_api, plain_api, complaint, refusing_log):
    refused = owner_api.get(f"/api/v1/cases/{complaint.reference}")
    _shows_nothing(refused)
    assert refused.json["error"].startswith("Personal data is shown only once the access log")
    _shows_nothing(owner_api.get("/api/v1/cases"))
    assert plain_api.get(f"/api/v1/cases/{complaint.reference}").status_code == 200
    assert log() == []


def test_a_file_is_not_handed_over_when_the_log_refuses(
    owner_api, complaint, attachments, refusing_log
):
    uploaded = upload_file(owner_api, complaint.reference, tiny_pdf("Ausweis")).json
    refused = download_file(owner_api, uploaded["id"])
    assert refused.status_code == 503
    assert b"%PDF" not in refused.data


def test_a_recording_that_raises_refuses_the_answer(owner_api, complaint, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("INSERT INTO pii_access_log", {}, Exception("server closed"))

    monkeypatch.setattr(service, "record", unreachable)
    _shows_nothing(owner_api.get(f"/api/v1/cases/{complaint.reference}"))


def test_the_log_cannot_be_trimmed_or_altered(owner_api, complaint):
    owner_api.get(f"/api/v1/cases/{complaint.reference}")
    for statement in ("DELETE FROM pii_access_log", "UPDATE pii_access_log SET what = 'x'"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert len(log()) == 1
