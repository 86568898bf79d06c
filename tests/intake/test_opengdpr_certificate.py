"""The processor's certificate: published on its own domain, checked before the app starts."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from casetracker import create_app
from casetracker.config import ConfigError
from casetracker.extensions import db
from tests.conftest import _settings
from tests.intake.conftest import PROCESSOR_DOMAIN, issue


@pytest.fixture(scope="module")
def authority():
    """A certificate authority's key and name, to issue certificates that are not self-signed."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Root CA")])


def start(database_url, clock, files, *, domain=PROCESSOR_DOMAIN, testing=True):
    key_path, cert_path = files
    settings = _settings(
        database_url,
        clock,
        TESTING=testing,
        DEBUG=False,
        SECRET_KEY="a-long-random-secret-for-this-test-only",
        OPENGDPR_PROCESSOR_DOMAIN=domain,
        OPENGDPR_SIGNING_KEY=str(key_path),
        OPENGDPR_CERTIFICATE=str(cert_path),
    )
    app = create_app(settings)
    with app.app_context():
        db.engine.dispose()
    return app


def test_discovery_publishes_the_certificate_on_the_processor_domain(client, signing_files):
    url = client.get("/opengdpr/v1/discovery").get_json()["processor_certificate"]
    assert url == f"https://{PROCESSOR_DOMAIN}/opengdpr/v1/cert.pem"
    assert client.get(url).data == signing_files[1].read_bytes()


@pytest.mark.parametrize(
    ("common_name", "dns_names", "domain"),
    [
        ("other.example.com", (), PROCESSOR_DOMAIN),
        # With subject alternative names, the common name is not looked at (RFC 6125).
        (PROCESSOR_DOMAIN, ("www.example-processor.com",), PROCESSOR_DOMAIN),
        ("wild", ("*.example.com",), "a.b.example.com"),
    ],
)
def test_a_certificate_for_another_domain_is_refused_at_start(
    database_url, clock, tmp_path, authority, common_name, dns_names, domain
):
    files = issue(tmp_path, common_name, dns_names=dns_names, issuer=authority)
    with pytest.raises(ConfigError, match=r"OPENGDPR_CERTIFICATE.*OPENGDPR_PROCESSOR_DOMAIN"):
        start(database_url, clock, files, domain=domain, testing=False)


@pytest.mark.parametrize(
    ("dns_names", "domain"),
    [((), PROCESSOR_DOMAIN), (("*.example.com", "example.com"), "opengdpr.example.com")],
)
def test_a_certificate_from_an_authority_for_the_domain_starts(
    database_url, clock, tmp_path, authority, dns_names, domain
):
    files = issue(tmp_path, domain, dns_names=dns_names, issuer=authority)
    app = start(database_url, clock, files, domain=domain, testing=False)
    assert app.extensions["casetracker.intake.signer"] is not None


def test_a_self_signed_certificate_is_refused_outside_development(
    database_url, clock, signing_files
):
    with pytest.raises(ConfigError, match=r"OPENGDPR_CERTIFICATE.*self-signed"):
        start(database_url, clock, signing_files, testing=False)
    start(database_url, clock, signing_files, testing=True)


def test_an_unreadable_certificate_is_named(database_url, clock, tmp_path):
    key_path, cert_path = issue(tmp_path, PROCESSOR_DOMAIN)
    cert_path.write_text("not a certificate")
    with pytest.raises(ConfigError, match="OPENGDPR_CERTIFICATE"):
        start(database_url, clock, (key_path, cert_path))
