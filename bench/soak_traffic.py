"""The soak's traffic: API reads and writes, signed /case commands and dashboard pages.

Requests start at a fixed rate, whatever the answers' speed (one slot every 1/rate s, handed
to a pool of client threads), in a repeating shuffled cycle of the mix below, so every minute
carries the same mix. Each request is timed from its start to the end of its answer.
"""

from __future__ import annotations

import itertools
import queue
import random
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy

import load
import requests

SESSION_COOKIE = "casetracker_session"
# Per 100 requests: what a team's day looks like, reads well ahead of writes.
MIX = {
    "api get": 22,
    "api list": 8,
    "api create": 6,
    "api action": 8,
    "slack show": 12,
    "slack list": 8,
    "dash home": 10,
    "dash queue": 12,
    "dash case": 14,
}
QUEUES = ("/overdue", "/escalations", "/due-this-week", "/my-cases", "/cases")
LISTS = ("?limit=20", "?overdue=true&limit=50", "?due_before={soon}&limit=20")
ACTIONS_PER_CASE = 4  # acknowledge, then notes; then the case leaves the pool
TIMEOUT = 10.0
CASE_BODIES = (
    {"kind": "complaint", "jurisdiction": "EU", "data_context": "website"},
    {"kind": "request", "jurisdiction": "UK", "data_context": "platform", "right": "access"},
    {"kind": "complaint", "jurisdiction": "US-CA", "data_context": "marketing"},
)


@dataclass(frozen=True)
class Sample:
    due: float  # seconds after the start at which the request was scheduled
    lag: float  # how late it started, in seconds
    kind: str
    ms: float
    status: int  # 0: no HTTP answer (connection error or timeout)


@dataclass(frozen=True)
class Target:
    base: str
    token: str
    secret: str
    cookie: str
    references: tuple[str, ...]  # bulk cases to read


def sign_in(base: str, email: str, password: str) -> str:
    """Sign in through the form with its CSRF token; return the session cookie."""
    with requests.Session() as browser:
        page = browser.get(f"{base}/sign-in", timeout=TIMEOUT)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError(f"no CSRF token on the sign-in page ({page.status_code})")
        form = {"email": email, "password": password, "csrf_token": token.group(1)}
        answer = browser.post(f"{base}/sign-in", data=form, allow_redirects=False, timeout=TIMEOUT)
        if answer.status_code != 302 or SESSION_COOKIE not in browser.cookies:
            raise RuntimeError(f"dashboard sign-in failed: {answer.status_code}")
        return browser.cookies[SESSION_COOKIE]


class Traffic:
    """Send the mix at ``rate`` requests/s for ``seconds`` with ``clients`` threads."""

    def __init__(self, target: Target, *, rate: float, seconds: float, clients: int):
        self.target = target
        self.rate = rate
        self.seconds = seconds
        self.clients = clients
        self.samples: list[Sample] = []
        self.started = 0.0
        self._slots: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._cookie = target.cookie
        self._cases: list[tuple[str, int, int]] = []  # reference, version, actions taken
        self._random = random.Random(20261130)
        self._secret = target.secret

    def start(self) -> None:
        """Start the clients and the clock that hands them their slots."""
        self.started = time.monotonic()
        self._threads = [
            threading.Thread(target=self._client, name=f"soak-client-{n}", daemon=True)
            for n in range(self.clients)
        ]
        self._threads.append(threading.Thread(target=self._dispatch, daemon=True))
        for thread in self._threads:
            thread.start()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait(self) -> None:
        """Wait until the last slot's request has been answered."""
        for thread in self._threads:
            thread.join()

    def stop(self) -> None:
        """Hand out no more slots; requests under way finish."""
        self._stop.set()

    def snapshot(self) -> list[Sample]:
        with self._lock:
            return list(self.samples)

    def _dispatch(self) -> None:
        cycle = [kind for kind, weight in MIX.items() for _ in range(weight)]
        self._random.shuffle(cycle)
        for number, kind in enumerate(itertools.cycle(cycle)):
            due = number / self.rate
            if due >= self.seconds:
                break
            pause = self.started + due - time.monotonic()
            if pause > 0 and self._stop.wait(pause):
                break
            self._slots.put((due, kind))
        for _ in range(self.clients):
            self._slots.put(None)

    def _client(self) -> None:
        with requests.Session() as session:
            # The dashboard's cookie goes with dashboard requests only (see _page).
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            while (slot := self._slots.get()) is not None:
                due, kind = slot
                begun = time.monotonic()
                try:
                    status = getattr(self, "_" + kind.replace(" ", "_"))(session)
                except requests.RequestException:
                    status = 0
                ms = (time.monotonic() - begun) * 1000
                sample = Sample(due, begun - self.started - due, kind, ms, status)
                with self._lock:
                    self.samples.append(sample)

    # Each kind sends one request and returns the HTTP status, 200/201 when as expected.

    def _api(self, session, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.target.token}"}
        url = f"{self.target.base}/api/v1/cases{path}"
        return session.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)

    def _api_get(self, session) -> int:
        reference = self._random.choice(self.target.references)
        return self._api(session, "GET", f"/{reference}").status_code

    def _api_list(self, session) -> int:
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7 * 86400))
        query = self._random.choice(LISTS).format(soon=urllib.parse.quote(soon))
        return self._api(session, "GET", query).status_code

    def _api_create(self, session) -> int:
        body = {
            **self._random.choice(CASE_BODIES),
            "summary": "Newsletter kept arriving after I unsubscribed twice.",
            "channel": "email",
            "subject": {"name": "Erika Mustermann", "email": "erika@example.org", "country": "DE"},
        }
        answer = self._api(session, "POST", "", json=body)
        if answer.status_code == 201:
            case = answer.json()
            with self._lock:
                self._cases.append((case["reference"], case["version"], 0))
        return answer.status_code

    def _api_action(self, session) -> int:
        with self._lock:
            taken = self._cases.pop(0) if self._cases else None
        if taken is None:  # nothing created yet: create instead, as the same kind of write
            return self._api_create(session)
        reference, version, done = taken
        body = (
            {"action": "acknowledge", "version": version}
            if done == 0
            else {"action": "note", "version": version, "text": f"Called back ({done})."}
        )
        answer = self._api(session, "POST", f"/{reference}/actions", json=body)
        if answer.status_code == 200 and done + 1 < ACTIONS_PER_CASE:
            with self._lock:
                self._cases.append((reference, answer.json()["version"], done + 1))
        return answer.status_code

    def _slack(self, session, text: str) -> int:
        body, headers = load.slack_command(self._secret, text)
        url = f"{self.target.base}/slack/events"
        return session.post(url, data=body, headers=headers, timeout=TIMEOUT).status_code

    def _slack_show(self, session) -> int:
        return self._slack(session, f"show {self._random.choice(self.target.references)}")

    def _slack_list(self, session) -> int:
        return self._slack(session, "list mine")

    def _page(self, session, path: str) -> requests.Response:
        with self._lock:
            cookie = self._cookie
        answer = session.get(
            urllib.parse.urljoin(self.target.base, path),
            headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        renewed = answer.cookies.get(SESSION_COOKIE)
        if renewed and answer.status_code in (200, 302):
            with self._lock:
                self._cookie = renewed
        return answer

    def _dash_home(self, session) -> int:
        """Open the dashboard as a browser does: `/`, then where it sends this person."""
        answer = self._page(session, "/")
        if answer.status_code != 302:
            return answer.status_code
        return self._page(session, answer.headers["Location"]).status_code

    def _dash_queue(self, session) -> int:
        return self._page(session, self._random.choice(QUEUES)).status_code

    def _dash_case(self, session) -> int:
        reference = self._random.choice(self.target.references)
        return self._page(session, f"/cases/{reference}").status_code


def expected(kind: str, status: int) -> bool:
    """Tell whether the answer is the one the request asks for."""
    if kind == "api create":
        return status == 201
    if kind == "api action":  # creates instead while no created case is waiting
        return status in (200, 201)
    return status == 200
