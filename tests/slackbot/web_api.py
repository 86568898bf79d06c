"""A recording fake of Slack's Web API and response URLs, and the log of all Slack traffic."""

from __future__ import annotations

import contextlib
import json
import threading
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
        self.scripts: dict[str, list[tuple[int, dict]]] = {}
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def script(self, method: str, *answers: tuple[int, dict]) -> None:
        """Answer the next calls of ``method`` with these (status, headers) first."""
        self.scripts.setdefault(method, []).extend(answers)

    def called(self, method: str) -> list[dict]:
        """Return the bodies of the calls of ``method`` that Slack accepted."""
        with self.lock:
            return [c["body"] for c in self.calls if c["method"] == method and c["status"] == 200]

    def answer(self, method: str, body: dict) -> tuple[int, dict, dict]:
        self.traffic.add(body)
        with self.lock:
            scripted = self.scripts.get(method)
            status, headers = scripted.pop(0) if scripted else (200, {})
            self.calls.append({"method": method, "body": body, "status": status})
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
