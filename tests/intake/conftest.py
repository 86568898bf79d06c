"""Fixtures for intake: compiled catalogs, a real SMTP server, an OpenGDPR signing key."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from casetracker import create_app
from casetracker.extensions import db
from tests.conftest import _settings

TRANSLATIONS = Path(__file__).resolve().parents[2] / "casetracker" / "translations"
PROCESSOR_DOMAIN = "example-processor.com"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Build the .mo files from the committed .po files, as scripts/bootstrap does."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        partial = mo_path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        partial.replace(mo_path)


class Mailbox:
    """What the SMTP server received."""

    def __init__(self):
        self.envelopes = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        from email import message_from_bytes, policy

        with self.lock:
            return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


class LocalSMTP(Controller):
    """aiosmtpd's Controller on a port the system picks."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """One SMTP server per test process: starting one per test is slow on a busy machine."""
    box = Mailbox()
    controller = LocalSMTP(box, hostname="127.0.0.1", port=0, ready_timeout=30)
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    """The SMTP server's mailbox, emptied for this test."""
    with smtp_server.lock:
        smtp_server.envelopes.clear()
    return smtp_server


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory):
    """An RSA key and a self-signed certificate for the processor domain (tests only)."""
    folder = tmp_path_factory.mktemp("opengdpr")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PROCESSOR_DOMAIN)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture
def intake_settings(mailbox, signing_files):
    key_path, cert_path = signing_files
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": mailbox.port,
        "SMTP_STARTTLS": False,
        "MAIL_FROM": "privacy@casetracker.test",
        "OPENGDPR_PROCESSOR_DOMAIN": PROCESSOR_DOMAIN,
        "OPENGDPR_SIGNING_KEY": str(key_path),
        "OPENGDPR_CERTIFICATE": str(cert_path),
        "INTAKE_RATE_LIMIT": "50 per hour",
    }


@pytest.fixture
def app(database_url, clock, intake_settings):
    """The app with email and OpenGDPR configured (overrides the suite's plain one)."""
    app = create_app(_settings(database_url, clock, **intake_settings))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def rate_limit():
    return "5 per hour"


@pytest.fixture
def live_app(sqlite_template, tmp_path, clock, rate_limit):
    """The browser's app: CSRF on, and a rate limit a test may lower."""
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    settings = _settings(
        f"sqlite:///{path}", clock, WTF_CSRF_ENABLED=True, INTAKE_RATE_LIMIT=rate_limit
    )
    app = create_app(settings)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
