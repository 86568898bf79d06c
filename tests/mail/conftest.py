"""Mail fixtures: the app sends over a real SMTP server, reads the private Dovecot, and keeps
files in a temporary folder."""

from __future__ import annotations

import pytest

from casetracker import create_app
from casetracker.extensions import db
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
