"""Mail fixtures: the app sends over a real SMTP server, reads the private Dovecot, and keeps
files in a temporary folder."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

import pytest

from casetracker import create_app
from casetracker.extensions import db
from casetracker.mail import service as mail_service
from tests import factories
from tests.conftest import _settings
from tests.dashboard.conftest import (  # noqa: F401 - the dashboard's people and signed-in client
    complaint,
    dana,
    priya,
    tomasz,
    web,
)
from tests.intake.conftest import (  # noqa: F401 - fixtures shared with intake
    compiled_catalogs,
    intake_settings,
    mailbox,
    signing_files,
    smtp_server,
)


@pytest.fixture
def app(database_url, clock, intake_settings, tmp_path):  # noqa: F811 - the imported fixture
    """The app with email configured and its own attachments folder."""
    settings = _settings(
        database_url, clock, **intake_settings, ATTACHMENTS_DIR=str(tmp_path / "attachments")
    )
    app = create_app(settings)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def mail_app(app, imap):
    """The app pointed at an empty test mailbox."""
    app.config.update(imap.settings())
    return app


@pytest.fixture
def attachments_dir(app, tmp_path):
    """Keep the app's files in a temporary folder and give its path."""
    folder = tmp_path / "attachments"
    app.config["ATTACHMENTS_DIR"] = str(folder)
    return folder


@pytest.fixture
def receive(app, clock):
    """Deliver raw mail through the mailbox import, as the fetch job does; return its id."""

    def deliver(raw: bytes, *, received_at: datetime | None = None) -> int:
        imported = mail_service.import_message(
            db.session,
            io.BytesIO(raw),
            digest=hashlib.sha256(raw).hexdigest(),
            received_at=received_at or clock(),
            now=clock(),
            max_attachment=app.config["ATTACHMENT_MAX_BYTES"],
        )
        return imported.message.id

    return deliver


@pytest.fixture
def plain_api(client, staff):
    """Sam again, through a token without the pii scope."""
    return factories.ApiClient(client, factories.token(staff))


@pytest.fixture
def other_api(client):
    """Kim: staff with the pii scope, owner of none of the cases here."""
    kim = factories.staff(email="kim@example.com", name="Kim Staff", role="staff")
    return factories.ApiClient(client, factories.token(kim, scopes=["pii"]))
