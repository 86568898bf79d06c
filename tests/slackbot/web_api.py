"""A recording fake of Slack's Web API and response URLs, and the log of all Slack traffic."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Traffic:
    """Every payload that went to Slack: Web API calls and the bot's HTTP answers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.payloads: list[str] = []

    def add(self, payload) -> None:
        if isinstance(payload, str):
            # Bolt answers in JSON with \\u escapes: find "Rosalía" as typed.
            with contextlib.suppress(ValueError):
                payload = json.loads(payload)
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        with self.lock:
            self.payloads.append(text)

    def leaks(self, terms) -> list[str]:
        lowered = [term.lower() for term in terms]
        return [t for p in self.payloads for t in lowered if t in p.lower()]


class FakeSlack(ThreadingHTTPServer):
    """Slack's Web API and response URLs on 127.0.0.1, recording every call."""

    daemon_threads = True

    def __init__(self, traffic: Traffic):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.traffic = traffic
        self.calls: list[dict] = []
        self.scripts: dict[str, list[tuple]] = {}
        self.lock = threading.Lock()
        # Set to the app's clock to note, with each call, when in app time it came.
        self.stamp = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def script(self, method: str, *answers: tuple[int, dict]) -> None:
        """Answer the next calls of ``method`` with these (status, headers) first."""
        self.scripts.setdefault(method, []).extend(answers)

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # a client that gave up is no news

    def stall(self, method: str, seconds: float) -> None:
        """Keep the next call of ``method`` waiting ``seconds``, then refuse it unposted (503)."""
        self.scripts.setdefault(method, []).append((503, {}, seconds))

    def called(self, method: str) -> list[dict]:
        """Return the bodies of the calls of ``method`` that Slack accepted."""
        with self.lock:
            return [c["body"] for c in self.calls if c["method"] == method and c["status"] == 200]

    def answer(self, method: str, body: dict) -> tuple[int, dict, dict]:
        self.traffic.add(body)
        with self.lock:
            scripted = self.scripts.get(method)
            status, headers, *stalled = scripted.pop(0) if scripted else (200, {})
            call = {"method": method, "body": body, "status": status, "headers": headers}
            if self.stamp is not None:
                call["at"] = self.stamp()
            self.calls.append(call)
        if stalled:
            time.sleep(stalled[0])
        if status == 200:
            return status, headers, {"ok": True, "channel": body.get("channel"), "ts": "1.0"}
        return status, headers, {"ok": False, "error": "ratelimited" if status == 429 else "fatal"}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or "{}")
        else:
            body = dict(urllib.parse.parse_qsl(raw))
        path = self.path.strip("/")
        method = "response_url" if path.startswith("response/") else path.removeprefix("api/")
        status, headers, answer = self.server.answer(method, body)
        data = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass
