"""Single sign-on through an OpenID provider, with authlib's Flask client.

Discovery from OIDC_ISSUER; the authorization code flow with PKCE (S256), its state and
nonce kept in the session; the ID token's signature checked with the provider's published
keys (fetched again when a token names a key not seen before, so rotated keys are picked
up), and its issuer, audience, expiry and nonce.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Flask, current_app, request
from joserfc.errors import JoseError

log = logging.getLogger(__name__)
CALLBACK_PATH = "/auth/oidc/callback"
EXTENSION = "casetracker.oidc"
TIMEOUT = 10  # seconds, for each request to the provider
LEEWAY = 60  # seconds of clock difference allowed on the ID token's times
# A re-authentication asked for with max_age=0 must have happened this shortly before the token.
FRESH_SECONDS = 5 * 60
# Claims the staff match needs; the provider may keep them for its userinfo endpoint.
WANTED = ("email", "email_verified")

# Why a sign-in did not complete: the answer's status and what the person is told.
STATE = "state"
UNVERIFIED = "unverified"
DENIED = "denied"
UNAVAILABLE = "unavailable"
EXPLAINED = {
    STATE: (
        400,
        "This sign-in does not match one started in this browser: it may have been used"
        " already, or been started elsewhere.",
    ),
    UNVERIFIED: (
        400,
        "The identity provider's answer did not pass casetracker's checks. If this keeps"
        " happening, tell your administrator.",
    ),
    DENIED: (401, "The identity provider did not sign you in."),
    UNAVAILABLE: (
        503,
        "The identity provider could not be reached, or did not answer as expected. Try again"
        " in a few minutes; if it keeps happening, tell your administrator.",
    ),
}


class SsoFailed(Exception):
    """Single sign-on did not complete; ``kind`` says why, ``detail`` is for the log."""

    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.status, self.message = EXPLAINED[kind]


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: the ID token's claims (with userinfo's) and the token."""

    claims: dict
    id_token: str


def init_app(app: Flask) -> None:
    """Register the provider's client when single sign-on is configured."""
    issuer = app.config["OIDC_ISSUER"]
    if not issuer:
        return
    client = OAuth(app).register(
        "oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )
    app.extensions[EXTENSION] = client


def enabled() -> bool:
    """Tell whether this app signs staff in through an OpenID provider."""
    return EXTENSION in current_app.extensions


def callback_url() -> str:
    """Return the redirect URI registered at the provider."""
    return current_app.config["CASETRACKER_BASE_URL"] + CALLBACK_PATH


def start(*, fresh: bool = False):
    """Redirect the browser to the provider, remembering state, nonce and PKCE verifier.

    ``fresh`` asks the provider to authenticate the person again, even if it has a session.
    """
    client = current_app.extensions[EXTENSION]
    again = {"prompt": "login", "max_age": 0} if fresh else {}
    with _provider_errors():
        _metadata(client)
        return client.authorize_redirect(callback_url(), **again)


def authenticated_afresh(claims: dict) -> bool:
    """Tell whether the provider authenticated the person just before issuing the ID token."""
    # OpenID Connect Core §3.1.2.1: asked for max_age, the provider must send auth_time.
    auth_time, issued = claims.get("auth_time"), claims.get("iat")
    if not isinstance(auth_time, int) or not isinstance(issued, int):
        return False
    return issued - auth_time <= FRESH_SECONDS


def finish() -> Identity:
    """Check the provider's answer to this browser's sign-in and return who signed in."""
    client = current_app.extensions[EXTENSION]
    with _provider_errors():
        metadata = _metadata(client)
        # RFC 9207: an answer naming its issuer must name this one.
        if request.args.get("iss", metadata["issuer"]) != metadata["issuer"]:
            raise SsoFailed(UNVERIFIED, f"the answer names issuer {request.args['iss']!r}")
        options = {
            "iss": {"essential": True, "values": [metadata["issuer"]]},
            # authlib checks the audience only through azp: ask for it explicitly.
            "aud": {"essential": True, "values": [client.client_id]},
        }
        token = client.authorize_access_token(claims_options=options, leeway=LEEWAY)
        if "userinfo" not in token:
            raise SsoFailed(UNVERIFIED, "the token response carried no ID token")
        claims = _with_userinfo(client, token, dict(token["userinfo"]))
    return Identity(claims=claims, id_token=token["id_token"])


def end_session_url(*, id_token: str | None, then: str) -> str | None:
    """Return the provider's sign-out address for this session, or None if it has none."""
    client = current_app.extensions.get(EXTENSION)
    if client is None:
        return None
    try:
        with _provider_errors():
            endpoint = _metadata(client).get("end_session_endpoint")
    except SsoFailed as exc:
        log.warning("provider sign-out skipped: %s", exc)
        return None
    if not endpoint:
        return None
    if _origin(endpoint) != _origin(current_app.config["OIDC_ISSUER"]):
        # The pages' content policy lets forms lead to the issuer's origin only.
        log.warning("provider sign-out skipped: %s is not on the issuer's origin", endpoint)
        return None
    params = {"client_id": client.client_id, "post_logout_redirect_uri": then}
    if id_token:
        params["id_token_hint"] = id_token
    return add_params_to_uri(endpoint, params)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _metadata(client) -> dict:
    metadata = client.load_server_metadata()
    issuer = current_app.config["OIDC_ISSUER"]
    # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
    if str(metadata.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise SsoFailed(UNAVAILABLE, f"discovery names issuer {metadata.get('issuer')!r}")
    return metadata


def _with_userinfo(client, token: dict, claims: dict) -> dict:
    wanted = (*WANTED, current_app.config["OIDC_ROLE_CLAIM"])
    missing = [name for name in wanted if claims.get(name) is None]
    if not missing or not client.server_metadata.get("userinfo_endpoint"):
        return claims
    info = client.userinfo(token=token)
    # OpenID Connect Core §5.3.2: userinfo about another subject must not be used.
    if info.get("sub") != claims.get("sub"):
        raise SsoFailed(UNVERIFIED, "userinfo is about another subject than the ID token")
    return {**claims, **{name: info[name] for name in missing if name in info}}


@contextmanager
def _provider_errors():
    """Turn what authlib, joserfc and requests raise into SsoFailed."""
    try:
        yield
    except SsoFailed:
        raise
    except MismatchingStateError as exc:
        raise SsoFailed(STATE, "no sign-in of this browser has that state") from exc
    except OAuthError as exc:
        # The provider's own refusal comes back as ?error=…; the rest are failed checks.
        kind = DENIED if request.args.get("error") else UNVERIFIED
        raise SsoFailed(kind, f"{exc.error}: {exc.description}") from exc
    except JoseError as exc:
        raise SsoFailed(UNVERIFIED, f"{type(exc).__name__}: {exc}") from exc
    except (requests.RequestException, RuntimeError, ValueError) as exc:
        raise SsoFailed(UNAVAILABLE, f"{type(exc).__name__}: {exc}") from exc
