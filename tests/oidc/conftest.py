"""Single sign-on fixtures: the real OpenID provider (node) with its test users and a live
app registered with it; a scripted provider for the ID token's checks, and an app using it.

The real provider starts once per test process. Without node or its npm package the tests
fail under CI and are skipped elsewhere, saying what to install.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from casetracker import create_app
from casetracker.extensions import db
from casetracker.people import service as people_service
from tests.browser import PageWatch
from tests.conftest import IN_CI, _settings
from tests.oidc import fake_provider, node_provider
from tests.serving import serve

SCOPES = "openid email profile groups"
# Logins at the real provider (its login page takes any password) and what it says of them.
USERS = {
    "dana@sso.test": {
        "sub": "sso-dana",
        "email": "dana@sso.test",
        "email_verified": True,
        "groups": ["privacy-dpo", "privacy-staff"],
        "name": "Dana Okafor",
    },
    "priya@sso.test": {
        "sub": "sso-priya",
        "email": "Priya@SSO.test",
        "email_verified": True,
        "groups": ["engineering", "privacy-staff"],
        "name": "Priya Raman",
    },
    "mateo@sso.test": {
        "sub": "sso-mateo",
        "email": "mateo@sso.test",
        "email_verified": True,
        "groups": ["privacy-admin"],
        "name": "Mateo Alvarez",
    },
    "omar@sso.test": {
        "sub": "sso-omar",
        "email": "omar@sso.test",
        "email_verified": True,
        "groups": ["engineering"],
        "name": "Omar Haddad",
    },
    "uma@sso.test": {
        "sub": "sso-uma",
        "email": "uma@sso.test",
        "email_verified": False,
        "groups": ["privacy-staff"],
        "name": "Uma Reyes",
    },
    "sara@sso.test": {
        "sub": "sso-sara",
        "email": "sara@sso.test",
        "email_verified": True,
        "groups": ["privacy-staff"],
        "name": "Sara Lind",
    },
}
# casetracker's own records: roles unlike their groups' show the role following the
# provider; Sara has none.
STAFF = {
    "dana@sso.test": "staff",
    "priya@sso.test": "dpo",
    "mateo@sso.test": "staff",
    "omar@sso.test": "staff",
    "uma@sso.test": "staff",
}


@dataclass
class Site:
    """A live casetracker registered as a client of a provider."""

    url: str
    app: Flask


@pytest.fixture(scope="session")
def oidc_provider():
    try:
        provider = node_provider.start(USERS)
    except node_provider.ProviderUnavailable as exc:
        if IN_CI:
            pytest.fail(f"the OpenID provider cannot start: {exc}")
        pytest.skip(f"the OpenID provider cannot start: {exc}")
    yield provider
    provider.stop()


@pytest.fixture
def sso_site(oidc_provider, sqlite_template, tmp_path, clock):
    """casetracker served on a free port, signing staff in through the real provider."""
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    served: dict[str, Flask] = {}
    server = make_server(
        "127.0.0.1", 0, lambda environ, reply: served["app"](environ, reply), threaded=True
    )
    url = f"http://127.0.0.1:{server.server_port}"
    client_id, client_secret = oidc_provider.register_client(url)
    app = create_app(
        _settings(
            f"sqlite:///{path}",
            clock,
            WTF_CSRF_ENABLED=True,
            CASETRACKER_BASE_URL=url,
            OIDC_ISSUER=oidc_provider.issuer,
            OIDC_CLIENT_ID=client_id,
            OIDC_CLIENT_SECRET=client_secret,
            OIDC_SCOPES=SCOPES,
            # Several sign-ins a test from one address; the limit has its own test.
            SIGN_IN_RATE_LIMIT="1000 per minute",
        )
    )
    served["app"] = app
    stop = serve(server)
    with app.app_context():
        for email, role in STAFF.items():
            name = USERS[email]["name"]
            data = {"email": email, "name": name, "role": role}
            people_service.add_staff(db.session, data=data)
        yield Site(url, app)
        db.session.remove()
        db.engine.dispose()
    stop()


@pytest.fixture
def sso_browser(browser, sso_site):
    """Open fresh browser tabs (own cookies, here and at the provider) on the live app."""
    contexts = []

    def open_tab():
        context = browser.new_context(
            base_url=sso_site.url, viewport={"width": 1280, "height": 900}
        )
        # The provider's pages ask for a web font: nothing leaves the machine.
        context.route(_foreign, lambda route: route.fulfill(status=200, body=""))
        contexts.append(context)
        tab = context.new_page()
        tab.watch = PageWatch(tab)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def _foreign(url: str) -> bool:
    return urlsplit(url).hostname not in ("127.0.0.1", "localhost")


@pytest.fixture(scope="session")
def scripted_provider():
    provider = fake_provider.FakeProvider()
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def fake(scripted_provider):
    """The scripted provider, as it answers unless a test tells it otherwise."""
    scripted_provider.reset()
    return scripted_provider


@pytest.fixture
def fake_app(fake, sqlite_template, tmp_path, clock):
    """casetracker signing staff in through the scripted provider; Dana has an account."""
    path = tmp_path / "casetracker.db"
    shutil.copy(sqlite_template, path)
    app = create_app(_sso_settings(fake, path, clock))
    with app.app_context():
        data = {"email": "dana@fake.test", "name": "Dana Okafor", "role": "staff"}
        people_service.add_staff(db.session, data=data)
        yield app
        db.session.remove()
        db.engine.dispose()


def _sso_settings(fake, path, clock, **extra) -> dict:
    sso = {
        "OIDC_ISSUER": fake.issuer,
        "OIDC_CLIENT_ID": fake_provider.CLIENT_ID,
        "OIDC_CLIENT_SECRET": fake_provider.CLIENT_SECRET,
    }
    return _settings(f"sqlite:///{path}", clock, **{**sso, **extra})


class Visitor:
    """A browser without a browser: the test client, following the provider's redirects.

    Each request runs in its own app context, as in a server (``g`` is not shared).
    """

    def __init__(self, app: Flask):
        self.app = app
        self.client = app.test_client()

    def get(self, url: str):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        with self.app.app_context():
            return self.client.get(path)

    def post(self, path: str, data: dict):
        with self.app.app_context():
            return self.client.post(path, data=data)

    def go_to_provider(self, next_page: str = ""):
        """Start single sign-on; return the address the provider sends the browser back to."""
        start = self.get("/auth/oidc/start" + (f"?next={next_page}" if next_page else ""))
        assert start.status_code == 302, start.text
        answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def sign_in(self, next_page: str = ""):
        """Sign in through the provider; return the app's answer to the callback."""
        return self.get(self.go_to_provider(next_page))

    def csrf_token(self, path: str = "/my-cases") -> str:
        return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', self.get(path).text).group(1)

    def sign_out(self):
        return self.post("/sign-out", {"csrf_token": self.csrf_token()})

    def signed_in(self) -> bool:
        return self.get("/my-cases").status_code == 200


@pytest.fixture
def visitor(fake_app):
    return Visitor(fake_app)
