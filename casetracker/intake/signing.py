"""OpenGDPR signatures: RSA with SHA-256 over the exact body bytes, base64-encoded."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from flask import Flask, current_app

from casetracker.config import ConfigError

EXTENSION_KEY = "casetracker.intake.signer"


class Signer:
    """The processor's private key and the certificate that carries its public half."""

    def __init__(self, key_pem: bytes, certificate_pem: bytes):
        try:
            self.key = serialization.load_pem_private_key(key_pem, password=None)
        except (ValueError, TypeError) as exc:
            raise ConfigError("OPENGDPR_SIGNING_KEY: not an unencrypted PEM private key") from exc
        if not isinstance(self.key, rsa.RSAPrivateKey):
            raise ConfigError("OPENGDPR_SIGNING_KEY: expected an RSA private key (PEM)")
        try:
            self.certificate = x509.load_pem_x509_certificate(certificate_pem)
        except ValueError as exc:
            raise ConfigError("OPENGDPR_CERTIFICATE: not an X.509 certificate (PEM)") from exc
        self.certificate_pem = certificate_pem
        if self.certificate.public_key().public_numbers() != self.key.public_key().public_numbers():
            raise ConfigError("OPENGDPR_CERTIFICATE does not belong to OPENGDPR_SIGNING_KEY")

    def sign(self, body: bytes) -> str:
        """Return the base64 signature of ``body``."""
        signature = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()


def init_app(app: Flask) -> None:
    """Load the signing key and certificate named by the settings, and check the certificate."""
    key, certificate = app.config["OPENGDPR_SIGNING_KEY"], app.config["OPENGDPR_CERTIFICATE"]
    if not (key and certificate):
        return
    signer = Signer(_read(key, "OPENGDPR_SIGNING_KEY"), _read(certificate, "OPENGDPR_CERTIFICATE"))
    domain = app.config["OPENGDPR_PROCESSOR_DOMAIN"]
    names = _names(signer.certificate)
    if domain and not any(_matches(name, domain) for name in names):
        raise ConfigError(
            f"OPENGDPR_CERTIFICATE is issued to {', '.join(names) or 'no name'}, not to "
            f"OPENGDPR_PROCESSOR_DOMAIN {domain!r}"
        )
    # Section 4.1: a self-signed certificate must not be used; a test key pair is fine locally.
    if _self_signed(signer.certificate) and not (app.debug or app.testing):
        raise ConfigError(
            "OPENGDPR_CERTIFICATE is self-signed: use one from a trusted certificate authority"
            " (self-signed ones are accepted in development only)"
        )
    app.extensions[EXTENSION_KEY] = signer


def signer() -> Signer | None:
    """Return this app's signer, or None when OpenGDPR is not configured."""
    return current_app.extensions.get(EXTENSION_KEY)


def verify(certificate_pem: bytes, body: bytes, signature: str) -> bool:
    """Tell whether ``signature`` was made over ``body`` by the certificate's key."""
    public_key = x509.load_pem_x509_certificate(certificate_pem).public_key()
    try:
        public_key.verify(base64.b64decode(signature), body, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def _read(path: str, setting: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{setting}: cannot read {path!r} ({exc.strerror})") from exc


def _names(certificate: x509.Certificate) -> list[str]:
    """Return the DNS names a certificate is issued to; the common name only without any."""
    try:
        alternative = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        common = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return [str(attribute.value) for attribute in common]
    return alternative.value.get_values_for_type(x509.DNSName)


def _matches(name: str, domain: str) -> bool:
    name, domain = name.lower().rstrip("."), domain.lower().rstrip(".")
    if name.startswith("*."):
        label, _, parent = domain.partition(".")
        return bool(label) and parent == name[2:]
    return name == domain


def _self_signed(certificate: x509.Certificate) -> bool:
    if certificate.issuer != certificate.subject:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
