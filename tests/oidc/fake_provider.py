"""A scripted OpenID provider for the ID token's checks.

It answers as a real provider would (discovery, key set, authorization with PKCE, a token
endpoint that checks the client and the code verifier) and signs a correct ID token, except
for what a test asks it to get wrong through ``tamper``. It counts the requests for its key
set, to show when the app fetches them again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.serving import serve

CLIENT_ID = "casetracker"
CLIENT_SECRET = "fake-provider-client-secret"
USER = {
    "sub": "fake-dana",
    "email": "dana@fake.test",
    "email_verified": True,
    "groups": ["privacy-dpo"],
}
# tamper(claims, header) changes the ID token in place; it may return another signing key.
Tamper = Callable[[dict, dict], RSAKey | None]


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


class FakeProvider:
    """The provider's state, kept between requests; reset() before each test."""

    def __init__(self):
        self.key = new_key("fake-provider-key")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.provider = self
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.reset()

    def reset(self) -> None:
        self.user = dict(USER)
        self.tamper: Tamper | None = None
        self.token_response: Callable[[dict], None] | None = None
        self.discovery_changes: dict = {}
        self.userinfo: dict = dict(self.user)
        self.access_tokens: set[str] = set()
        self.requests: Counter[str] = Counter()
        self.authorizations: dict[str, dict] = {}

    def start(self) -> None:
        self.stop = serve(self.server)

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "end_session_endpoint": f"{self.issuer}/end-session",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            **self.discovery_changes,
        }

    def authorize(self, query: dict) -> str:
        """Sign the user in at once; return where the browser goes back to."""
        checks = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "code_challenge_method": "S256",
        }
        assert all(query.get(name) == value for name, value in checks.items()), query
        assert "openid" in query["scope"].split()
        assert query["nonce"]
        assert query["state"]
        code = secrets.token_urlsafe(16)
        self.authorizations[code] = query
        back = {"code": code, "state": query["state"]}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, form: dict, authorization: str) -> tuple[int, dict]:
        """Exchange a code once, for the client that asked, with the PKCE verifier."""
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 401, {"error": "invalid_client"}
        asked = self.authorizations.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if (
            asked is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != asked["redirect_uri"]
            or challenge.rstrip(b"=").decode() != asked["code_challenge"]
        ):
            return 400, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(24)
        self.access_tokens.add(access_token)
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(nonce=asked["nonce"]),
        }
        if self.token_response:
            self.token_response(body)
        return 200, body

    def id_token(self, *, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.user,
        }
        header = {"alg": "RS256", "kid": self.key.kid}
        key = self.tamper(claims, header) if self.tamper else None
        if header["alg"] == "none":
            return ".".join(_b64(part) for part in (header, claims)) + "."
        return jwt.encode(header, claims, key or self.key)


def _b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        provider: FakeProvider = self.server.provider
        url = urlsplit(self.path)
        provider.requests[url.path] += 1
        if url.path == "/.well-known/openid-configuration":
            self._json(200, provider.discovery())
        elif url.path == "/jwks":
            self._json(200, {"keys": [provider.key.as_dict(private=False)]})
        elif url.path == "/userinfo":
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if bearer in provider.access_tokens:
                self._json(200, provider.userinfo)
            else:
                self._json(401, {"error": "invalid_token"})
        elif url.path == "/authorize":
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            self.send_response(302)
            self.send_header("Location", provider.authorize(query))
            self.end_headers()
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self):
        provider: FakeProvider = self.server.provider
        provider.requests[self.path] += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        form = {name: values[0] for name, values in parse_qs(body).items()}
        if self.path == "/token":
            self._json(*provider.token(form, self.headers.get("Authorization", "")))
        else:
            self._json(404, {"error": "not_found"})

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass
