"""OpenGDPR status callbacks: the outbox transport that POSTs signed JSON to controllers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from flask import current_app

from casetracker.intake import signing
from casetracker.outbox.delivery import RetryAfter, Undeliverable
from casetracker.outbox.models import OutboxMessage

TIMEOUT_SECONDS = 10
DEFAULT_RETRY_SECONDS = 60


def encode(body: dict) -> bytes:
    """Serialise a JSON body the one way it is signed and sent."""
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


class CallbackTransport:
    """Sends status changes to the controller's status_callback_urls, signed."""

    channel = "opengdpr"

    def send(self, message: OutboxMessage) -> None:
        payload = message.payload
        if message.recipient == "erased" or payload.get("erased"):
            raise Undeliverable("erased by the retention purge; never sent again")
        body = encode(payload["body"])
        request = urllib.request.Request(  # noqa: S310 - the schema admits http(s) URLs only
            payload["url"],
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-OpenGDPR-Processor-Domain": current_app.config["OPENGDPR_PROCESSOR_DOMAIN"],
                "X-OpenGDPR-Signature": signing.signer().sign(body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                response.read(1024)
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                raise RetryAfter(_seconds(exc.headers.get("Retry-After"))) from exc
            if 400 <= exc.code < 500 and exc.code != 408:
                raise Undeliverable(f"the controller answered {exc.code}") from exc
            raise


def _seconds(value: str | None) -> float:
    try:
        return max(1.0, float(value))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_SECONDS
