"""A full attachments disk: a clear refusal, nothing half-stored, and the mail kept for later.

The attachments directory is a 64 KiB tmpfs, so writes fail with ENOSPC as on a full disk.
Where the test process may not mount (no CAP_SYS_ADMIN), the storage's writes are made to fail
with ENOSPC past the same 64 KiB instead.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casetracker import create_app, storage
from casetracker.extensions import db
from casetracker.jobs import runner
from casetracker.mail.models import Attachment, MailMessage
from tests import factories
from tests.conftest import _settings
from tests.dashboard.conftest import Web, open_case, person
from tests.faults.support import figure
from tests.mail.views_support import upload

ROOM = 64 * 1024
SMALL = os.urandom(8 * 1024)
LARGE = os.urandom(100 * 1024)


class FullDisk:
    """The attachments directory, ROOM bytes large until ``grow``."""

    def __init__(self, path: Path, monkeypatch):
        self.path = path
        self.room = ROOM
        path.mkdir()
        mount = ["mount", "-t", "tmpfs", "-o", f"size={ROOM}", "tmpfs", str(path)]
        self.mounted = _run(mount)
        self.how = "tmpfs" if self.mounted else "simulated ENOSPC"
        if not self.mounted:
            monkeypatch.setattr(storage, "os", _Filling(self))

    def grow(self) -> None:
        """Give the directory room, as when the operator frees or enlarges the disk."""
        self.room = 64 * 1024 * 1024
        if self.mounted:
            assert _run(["mount", "-o", f"remount,size={self.room}", str(self.path)])

    def release(self) -> None:
        if self.mounted:
            _run(["umount", str(self.path)])

    def files(self) -> dict[str, bytes]:
        """Every file in the directory, temporary ones included, by name."""
        return {p.name: p.read_bytes() for p in self.path.rglob("*") if p.is_file()}


def _run(command: list[str]) -> bool:
    try:
        done = subprocess.run(command, capture_output=True, check=False)  # noqa: S603
    except OSError:
        return False  # no mount command here
    return done.returncode == 0


class _Filling:
    """The os module as the storage sees it, on a disk with the FullDisk's room."""

    def __init__(self, disk: FullDisk):
        self.disk = disk
        self.used = 0

    def __getattr__(self, name):
        return getattr(os, name)

    def fdopen(self, fd, mode):
        return _FillingFile(os.fdopen(fd, mode), self)


class _FillingFile:
    def __init__(self, file, disk: _Filling):
        self.file = file
        self.disk = disk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def write(self, data: bytes) -> int:
        free = self.disk.disk.room - self.disk.used
        if len(data) > free:
            self.file.write(data[:free])
            self.disk.used += free
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.disk.used += len(data)
        return self.file.write(data)


@pytest.fixture
def disk(tmp_path, monkeypatch):
    full = FullDisk(tmp_path / "attachments", monkeypatch)
    yield full
    full.release()


@pytest.fixture
def app(database_url, clock, disk):
    app = create_app(_settings(database_url, clock, ATTACHMENTS_DIR=str(disk.path)))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def half_stored(disk: FullDisk) -> list[str]:
    """Files without a row or a wrong content, and rows without their file."""
    db.session.expire_all()
    kept = set(db.session.scalars(select(Attachment.sha256).where(Attachment.sha256.is_not(None))))
    files = disk.files()
    wrong = [name for name, data in files.items() if hashlib.sha256(data).hexdigest() != name]
    return wrong + sorted(set(files) - kept) + sorted(kept - set(files))


def two_attachments() -> bytes:
    message = EmailMessage()
    message["From"] = "Erika Mustermann <erika@example.org>"
    message["To"] = "privacy@casetracker.test"
    message["Subject"] = "Meine Unterlagen"
    message["Message-ID"] = "<unterlagen-1@example.org>"
    message.set_content("Anbei zwei Nachweise.")
    for name, data in (("klein.bin", SMALL), ("gross.bin", LARGE)):
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_mail_with_an_attachment_waits_in_the_mailbox_until_the_disk_has_room(app, imap, disk):
    app.config.update(imap.settings())
    imap.append(two_attachments())
    imap.append(b"From: a@example.org\r\nSubject: Frage\r\nMessage-ID: <f-1@example.org>\r\n\r\n?")

    full = runner.run(app, "fetch-mail")

    assert full.status == "errors"
    assert "1 failed: UID 1: the attachments directory cannot take the file" in full.summary
    assert [m.subject for m in db.session.scalars(select(MailMessage))] == ["Frage"]
    assert count(Attachment) == 0
    assert disk.files() == {}  # not the small file either, nor a partial one

    disk.grow()
    runner.run(app, "fetch-mail")

    db.session.expire_all()
    subjects = sorted(m.subject for m in db.session.scalars(select(MailMessage)))
    assert subjects == ["Frage", "Meine Unterlagen"]  # each once
    assert sorted(disk.files().values(), key=len) == [SMALL, LARGE]
    assert half_stored(disk) == []
    figure(
        f"Attachments disk full ({disk.how}): mail",
        "files half-stored; messages imported once after room is made",
        f"0; {len(subjects)}/2",
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_staff_upload_to_a_full_disk_is_refused_clearly_and_keeps_nothing(app, clock, disk):
    priya = person("priya@example.com", "Priya Raman", "staff")
    case = open_case(priya, clock=clock)
    web = Web(app.test_client())
    web.sign_in(priya.email)

    response = upload(web, case.reference, LARGE, "Export.pdf")
    page = web.get(response.headers["Location"]).text

    assert "The file was not added: the attachments directory cannot take the file" in page
    assert "No space left on device" in page
    api = factories.ApiClient(app.test_client(), factories.token(priya, scopes=["pii"]))
    answer = api.post(
        f"/api/v1/cases/{case.reference}/attachments",
        data={"file": (io.BytesIO(LARGE), "Export.pdf")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 507
    assert "cannot take the file" in answer.get_json()["message"]
    assert count(Attachment) == 0
    assert disk.files() == {}

    disk.grow()
    assert upload(web, case.reference, LARGE, "Export.pdf").status_code == 302
    assert count(Attachment) == 1
    assert half_stored(disk) == []
    figure(
        f"Attachments disk full ({disk.how}): staff upload",
        "answer; files half-stored",
        "dashboard: 'The file was not added: … No space left on device'; API: 507; 0",
    )
