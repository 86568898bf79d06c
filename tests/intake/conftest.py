"""Fixtures for intake: compiled catalogs, a real SMTP server, OpenGDPR keys and controllers."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
from tests.serving import serve

TRANSLATIONS = Path(__file__).resolve().parents[2] / "casetracker" / "translations"
PROCESSOR_DOMAIN = "example-processor.com"
REQUESTS = "/opengdpr/v1/opengdpr_requests"
# OpenGDPR_specification.md 1.0, section 7.2, without the trailing comma that makes it invalid.
SPEC_EXAMPLE = {
    "subject_request_id": "a7551968-d5d6-44b2-9831-815ac9017798",
    "subject_request_type": "erasure",
    "submitted_time": "2018-10-02T15:00:00Z",
    "subject_identities": [
        {
            "identity_type": "email",
            "identity_value": "johndoe@example.com",
            "identity_format": "raw",
        }
    ],
    "api_version": "1.0",
    "status_callback_urls": ["https://examplecontroller.com/opengdpr_callbacks"],
    "extensions": {
        "example-processor.com": {"foo-processor-custom-id": 123456, "property_id": "123456"},
        "example-other-processor.com": {"foo-other-processor-custom-id": 654321},
    },
}


def post(api, body):
    """Send an OpenGDPR request as a controller does."""
    return api.post(REQUESTS, data=json.dumps(body), content_type="application/json")


def certificate(client) -> bytes:
    """Fetch the processor's certificate from the URL that discovery publishes."""
    discovery = client.get("/opengdpr/v1/discovery").get_json()
    return client.get(discovery["processor_certificate"]).data


class Callbacks:
    """A controller's callback endpoint that records what it receives."""

    def __init__(self):
        self.received = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((self.headers, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/opengdpr_callbacks"

    def statuses(self) -> list[str]:
        return [json.loads(body)["request_status"] for _, body in self.received]


@pytest.fixture
def callbacks():
    receiver = Callbacks()
    stop = serve(receiver.server)
    yield receiver
    stop()


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


def issue(
    folder: Path,
    common_name: str,
    *,
    dns_names: tuple[str, ...] = (),
    issuer: tuple[rsa.RSAPrivateKey, x509.Name] | None = None,
) -> tuple[Path, Path]:
    """Write an RSA key and its certificate; self-signed unless an issuer (key, name) signs it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_key, issuer_name = issuer or (key, name)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
    )
    if dns_names:
        names = [x509.DNSName(dns_name) for dns_name in dns_names]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    certificate = builder.sign(issuer_key, hashes.SHA256())
    key_path, cert_path = folder / f"{common_name}.key.pem", folder / f"{common_name}.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory):
    """An RSA key and a self-signed certificate for the processor domain (tests only)."""
    return issue(tmp_path_factory.mktemp("opengdpr"), PROCESSOR_DOMAIN)


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
