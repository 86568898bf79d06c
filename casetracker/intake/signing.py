"""OpenGDPR signatures: RSA with SHA-256 over the exact body bytes, base64-encoded."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, current_app

EXTENSION_KEY = "casetracker.intake.signer"


class Signer:
    """The processor's private key and the certificate that carries its public half."""

    def __init__(self, key_pem: bytes, certificate_pem: bytes):
        self.key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(self.key, rsa.RSAPrivateKey):
            raise ValueError("OPENGDPR_SIGNING_KEY: expected an RSA private key (PEM)")
        self.certificate_pem = certificate_pem
        certificate = x509.load_pem_x509_certificate(certificate_pem)
        if certificate.public_key().public_numbers() != self.key.public_key().public_numbers():
            raise ValueError("OPENGDPR_CERTIFICATE does not belong to OPENGDPR_SIGNING_KEY")

    def sign(self, body: bytes) -> str:
        """Return the base64 signature of ``body``."""
        signature = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()


def init_app(app: Flask) -> None:
    """Load the signing key and certificate named by the settings, if there are any."""
    key, certificate = app.config["OPENGDPR_SIGNING_KEY"], app.config["OPENGDPR_CERTIFICATE"]
    if key and certificate:
        app.extensions[EXTENSION_KEY] = Signer(
            Path(key).read_bytes(), Path(certificate).read_bytes()
        )


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
