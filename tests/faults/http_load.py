"""The product served over HTTP on loopback, clients that record every answer, and the kill.

Times are ``time.monotonic()`` readings, used only to tell which requests overlapped a fault.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
from werkzeug.serving import make_server

from tests.serving import serve

REFERENCE = re.compile(r"PC-\d{4}-(\d{5})")


@dataclass(frozen=True)
class Call:
    """One request and its answer (status 0: no HTTP answer at all)."""

    what: str
    started: float
    ended: float
    status: int
    body: dict

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def during(self, spans: list[tuple[float, float]]) -> bool:
        """Tell whether this request was in flight at any moment of these spans."""
        return any(self.started <= end and self.ended >= start for start, end in spans)


class Calls:
    """Every call made by the client threads, and a way to wait for progress."""

    def __init__(self):
        self.all: list[Call] = []
        self._changed = threading.Condition()

    def add(self, call: Call) -> None:
        with self._changed:
            self.all.append(call)
            self._changed.notify_all()

    def wait_for(self, what: str, count: int, *, ok: bool = True, timeout: float = 60) -> None:
        """Wait until COUNT calls of WHAT have answered (successfully, if OK)."""
        with self._changed:
            done = self._changed.wait_for(lambda: len(self.of(what, ok=ok)) >= count, timeout)
        assert done, f"only {len(self.of(what, ok=ok))} of {count} {what} calls in {timeout}s"

    def wait_until(self, predicate, *, timeout: float = 60) -> None:
        """Wait until PREDICATE(calls so far) holds."""
        with self._changed:
            done = self._changed.wait_for(lambda: predicate(list(self.all)), timeout)
        tally = {(c.what, c.status) for c in self.all}
        counts = {key: sum((c.what, c.status) == key for c in self.all) for key in tally}
        assert done, f"the load did not get there in {timeout}s: {counts}"

    def of(self, what: str, *, ok: bool | None = None) -> list[Call]:
        return [c for c in list(self.all) if c.what == what and (ok is None or c.ok == ok)]


@contextlib.contextmanager
def served(app) -> Iterator[str]:
    """Serve APP on a free loopback port, one thread per request; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    access_log = logging.getLogger("werkzeug")
    level = access_log.level
    access_log.setLevel(logging.WARNING)  # a line per request would bury a failure's story
    stop = serve(server)
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        stop()
        access_log.setLevel(level)


def call(base: str, what: str, path: str, *, token: str, payload: dict | None = None) -> Call:
    """Send one API request (a POST when there is a PAYLOAD) and record its answer."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        base + path,
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as refused:
        status, raw = refused.code, refused.read()
    except OSError as exc:
        status, raw = 0, json.dumps({"error": repr(exc)}).encode()
    body = {}
    with contextlib.suppress(ValueError):
        body = json.loads(raw or b"{}")
    return Call(what, started, time.monotonic(), status, body if isinstance(body, dict) else {})


def number(reference: str) -> int:
    """Return the serial number of a case reference (PC-2026-00042 -> 42)."""
    return int(REFERENCE.fullmatch(reference)[1])


def kill_every_backend(url: str) -> tuple[float, float, int]:
    """End every other session on URL's database; return when they are gone, and how many."""
    started = time.monotonic()
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as admin:
        pids = [
            pid
            for (pid,) in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        ]
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
        alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s::int[])"
        while admin.execute(alive, (pids,)).fetchone()[0]:
            time.sleep(0.002)
    return started, time.monotonic(), len(pids)
