"""Start and drive the real OpenID provider (npm's oidc-provider, tests/oidc/provider/) with node.

tests/oidc/conftest.py runs one per test process; scripts/test installs it with `npm ci`.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path

import requests

PACKAGE = Path(__file__).resolve().parent / "provider"
SCRIPT = PACKAGE / "provider.mjs"
NODE = os.environ.get("CASETRACKER_TEST_NODE") or shutil.which("node") or "node"
START_TIMEOUT = 30
ANSWER_TIMEOUT = 10


class ProviderUnavailable(RuntimeError):
    """The provider cannot start here; the message says what to install."""


class NodeProvider:
    """A running oidc-provider: its issuer, and the commands its script understands."""

    def __init__(self, process: subprocess.Popen, pumps: list, lines: queue.Queue):
        self.process = process
        self.issuer = ""
        self.kid = ""
        self._pumps = pumps
        self._lines = lines

    def register_client(self, base_url: str) -> tuple[str, str]:
        """Register casetracker at BASE_URL as a client; return its id and secret."""
        metadata = {
            "client_name": "casetracker",
            "redirect_uris": [f"{base_url}/auth/oidc/callback"],
            "post_logout_redirect_uris": [f"{base_url}/sign-in"],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }
        answer = requests.post(f"{self.issuer}/reg", json=metadata, timeout=ANSWER_TIMEOUT)
        answer.raise_for_status()
        client = answer.json()
        return client["client_id"], client["client_secret"]

    def rotate(self) -> str:
        """Sign with a new key from now on (the old one stays published); return its kid."""
        self.kid = self._ask("rotate")["kid"]
        return self.kid

    def jwks_requests(self) -> int:
        """Count the requests for the provider's key set so far."""
        return self._ask("stats")["jwks_requests"]

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pump in self._pumps:
            pump.join(timeout=5)
        self.process.stdout.close()
        self.process.stderr.close()

    def _ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return _answer(self._lines, ANSWER_TIMEOUT, command)


def start(users: dict) -> NodeProvider:
    """Start the provider with USERS ({login: claims}); raise ProviderUnavailable if it cannot."""
    if shutil.which(NODE) is None:
        raise ProviderUnavailable(f"node not found ({NODE}): install Node.js 20 or later")
    if not (PACKAGE / "node_modules" / "oidc-provider").is_dir():
        raise ProviderUnavailable(
            f"oidc-provider is not installed: run scripts/test, or npm ci --prefix {PACKAGE}"
        )
    process = subprocess.Popen(  # noqa: S603 - our own script, run with the machine's node
        [NODE, str(SCRIPT)],
        cwd=PACKAGE,
        env={**os.environ, "OIDC_TEST_USERS": json.dumps(users)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    errors: list[str] = []

    def sort(line: str) -> None:
        # The package prints notices on stdout too; the script's answers are JSON objects.
        (lines.put if not line or line.startswith("{") else errors.append)(line)

    # Its warnings (development-only features, Node version) must not fill the pipes.
    pumps = [
        threading.Thread(target=_pump, args=(process.stdout, sort), daemon=True),
        threading.Thread(target=_pump, args=(process.stderr, errors.append), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    provider = NodeProvider(process, pumps, lines)
    try:
        ready = _answer(lines, START_TIMEOUT, "start")
    except ProviderUnavailable as exc:
        provider.stop()
        raise ProviderUnavailable(f"{exc}; node said: {''.join(errors)[-2000:]}") from None
    provider.issuer, provider.kid = ready["issuer"], ready["kid"]
    return provider


def _pump(stream, put) -> None:
    for line in stream:
        put(line)
    put("")


def _answer(lines: queue.Queue, timeout: float, command: str) -> dict:
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        raise ProviderUnavailable(f"the provider did not answer {command!r}") from None
    if not line:
        raise ProviderUnavailable(f"the provider stopped before answering {command!r}")
    try:
        answer = json.loads(line)
    except ValueError:
        raise ProviderUnavailable(f"the provider answered {command!r} with {line!r}") from None
    if "error" in answer:
        raise ProviderUnavailable(answer["error"])
    return answer
