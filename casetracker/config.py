"""Configuration: defaults, then the environment; nothing else reads os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused outside development
SCHEDULER_MODES = ("embedded", "off")
IMAP_SECURITY = ("ssl", "starttls", "none")
RATE_LIMITS = ("INTAKE_RATE_LIMIT", "SIGN_IN_RATE_LIMIT")
# The roles of casetracker.people.models.ROLES, which single sign-on may grant.
STAFF_ROLES = ("staff", "dpo", "admin")
DEFAULT_ROLE_MAP = "privacy-dpo=dpo,privacy-staff=staff,privacy-admin=admin"
DEFAULT_MFA_ROLES = "dpo,admin"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message names it."""


def from_environment(environ: Mapping[str, str] | None = None) -> dict:
    """Build the settings from environment variables (DESIGN §9)."""
    env = os.environ if environ is None else environ
    base_url = (env.get("CASETRACKER_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL", "")),
        "SECRET_KEY": env.get("SECRET_KEY") or DEV_SECRET_KEY,
        "CASETRACKER_TIMEZONE": env.get("CASETRACKER_TIMEZONE") or "UTC",
        "CASETRACKER_POLICY": env.get("CASETRACKER_POLICY") or None,
        "CASETRACKER_BASE_URL": base_url,
        # Session cookies travel over HTTPS only when the dashboard is served over HTTPS.
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        "REMEMBER_COOKIE_SECURE": base_url.startswith("https://"),
        "CASETRACKER_SCHEDULER": env.get("CASETRACKER_SCHEDULER") or "off",
        # When the daily audit chain check runs (HH:MM in CASETRACKER_TIMEZONE): a quiet hour.
        "CASETRACKER_AUDIT_VERIFY_AT": env.get("CASETRACKER_AUDIT_VERIFY_AT") or "03:00",
        "SLACK_BOT_TOKEN": env.get("SLACK_BOT_TOKEN") or None,
        "SLACK_SIGNING_SECRET": env.get("SLACK_SIGNING_SECRET") or None,
        "SLACK_CASES_CHANNEL": env.get("SLACK_CASES_CHANNEL") or None,
        "SLACK_API_BASE_URL": env.get("SLACK_API_BASE_URL") or None,
        **_intake_settings(env),
        **_mail_settings(env),
        **_sign_in_settings(env),
        "SLACK_APP_TOKEN": env.get("SLACK_APP_TOKEN") or None,
    }


def defaults() -> dict:
    """Return settings that are not taken from the environment."""
    return {
        # Pooled connections are checked before use, without a round trip (casetracker.database).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Fresh outbox messages: "thread" sends them off the request path, "inline" before
        # the commit returns (tests), "off" leaves them to the deliver-outbox job.
        "OUTBOX_AFTER_COMMIT": "thread",
        "API_TITLE": "casetracker",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/v1/swagger-ui/",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "a token from `flask --app wsgi tokens create`",
                    }
                }
            },
            "security": [{"bearerAuth": []}],
        },
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "casetracker_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        # A form stays valid for a working day; the token is also bound to the session.
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        # Set explicitly: Flask-Limiter's one Limiter object would otherwise keep whatever the
        # previous app decided.
        "RATELIMIT_ENABLED": True,
        "INTAKE_MAX_BODY": 64 * 1024,
    }


def check(config: Mapping, *, development: bool) -> None:
    """Refuse settings the product cannot run with safely."""
    if not development and config["SECRET_KEY"] == DEV_SECRET_KEY:
        raise ConfigError("SECRET_KEY: set a long random value (required outside development)")
    try:
        ZoneInfo(config["CASETRACKER_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"CASETRACKER_TIMEZONE: unknown time zone {config['CASETRACKER_TIMEZONE']!r}"
            " (use an IANA name such as 'Europe/Berlin')"
        ) from exc
    if config["CASETRACKER_SCHEDULER"] not in SCHEDULER_MODES:
        raise ConfigError(
            f"CASETRACKER_SCHEDULER: {config['CASETRACKER_SCHEDULER']!r} is not one of"
            f" {', '.join(SCHEDULER_MODES)}"
        )
    if not _time_of_day(config.get("CASETRACKER_AUDIT_VERIFY_AT", "03:00")):
        raise ConfigError(
            f"CASETRACKER_AUDIT_VERIFY_AT: {config['CASETRACKER_AUDIT_VERIFY_AT']!r} is not a"
            " time of day such as '03:00'"
        )
    if config["IMAP_SECURITY"] not in IMAP_SECURITY:
        raise ConfigError(
            f"IMAP_SECURITY: {config['IMAP_SECURITY']!r} is not one of {', '.join(IMAP_SECURITY)}"
        )
    policy_url = config.get("PRIVACY_POLICY_URL")
    if policy_url and not policy_url.startswith(("https://", "http://")):
        raise ConfigError(f"PRIVACY_POLICY_URL: {policy_url!r} is not a web address (https://…)")
    for name in RATE_LIMITS:
        try:
            parse_many(config[name])
        except ValueError as exc:
            raise ConfigError(
                f"{name}: {config[name]!r} is not a rate limit such as '10 per minute;100 per hour'"
            ) from exc
    _check_sign_in(config)


def _check_sign_in(config: Mapping) -> None:
    """Refuse a single sign-on set-up that would fail at the first sign-in, or lock all out."""
    for name in ("SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS"):
        if not isinstance(config[name], int) or config[name] < 1:
            raise ConfigError(f"{name}: {config[name]!r} is not a whole number of at least 1")
    if config["SESSION_IDLE_MINUTES"] > config["SESSION_ABSOLUTE_HOURS"] * 60:
        raise ConfigError(
            "SESSION_IDLE_MINUTES: longer than SESSION_ABSOLUTE_HOURS, so it would never apply"
        )
    for role in config["MFA_REQUIRED_ROLES"]:
        if role not in STAFF_ROLES:
            raise ConfigError(
                f"MFA_REQUIRED_ROLES: {role!r} is not one of {', '.join(STAFF_ROLES)}"
            )
    issuer = config.get("OIDC_ISSUER")
    if not issuer:
        for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
            if config.get(name):
                raise ConfigError(f"OIDC_ISSUER: required when {name} is set")
        if not config["PASSWORD_SIGN_IN"]:
            raise ConfigError(
                "PASSWORD_SIGN_IN: 'off' needs single sign-on (set OIDC_ISSUER), or nobody can"
                " sign in"
            )
        return
    parts = urlsplit(issuer)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if not (parts.scheme == "https" or loopback) or not parts.hostname:
        raise ConfigError(
            f"OIDC_ISSUER: {issuer!r} is not an https:// address (http:// only for localhost)"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"OIDC_ISSUER: {issuer!r} must have no query or fragment")
    for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ROLE_CLAIM"):
        if not config.get(name):
            raise ConfigError(f"{name}: required when OIDC_ISSUER is set")
    if "openid" not in config["OIDC_SCOPES"].split():
        raise ConfigError(f"OIDC_SCOPES: {config['OIDC_SCOPES']!r} must include 'openid'")
    role_map = config["OIDC_ROLE_MAP"]
    if not role_map:
        raise ConfigError("OIDC_ROLE_MAP: name at least one group, e.g. 'privacy-staff=staff'")
    for group, role in role_map.items():
        if role not in STAFF_ROLES:
            raise ConfigError(
                f"OIDC_ROLE_MAP: {group}={role}: {role!r} is not one of {', '.join(STAFF_ROLES)}"
            )


def _mail_settings(env: Mapping[str, str]) -> dict:
    """The privacy@ mailbox read over IMAP, and where attachments are kept."""
    return {
        "IMAP_HOST": env.get("IMAP_HOST") or None,
        "IMAP_PORT": _integer(env, "IMAP_PORT", 993),
        "IMAP_USERNAME": env.get("IMAP_USERNAME") or None,
        "IMAP_PASSWORD": env.get("IMAP_PASSWORD") or None,
        "IMAP_SECURITY": (env.get("IMAP_SECURITY") or "ssl").lower(),
        "IMAP_FOLDER": env.get("IMAP_FOLDER") or "INBOX",
        "ATTACHMENTS_DIR": env.get("ATTACHMENTS_DIR") or None,
        "ATTACHMENT_MAX_BYTES": _integer(env, "ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024),
    }


def _intake_settings(env: Mapping[str, str]) -> dict:
    """Email to individuals, OpenGDPR signing, the public form's rate limits and policy link."""
    return {
        "SMTP_HOST": env.get("SMTP_HOST") or None,
        "SMTP_PORT": _integer(env, "SMTP_PORT", 587),
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": (env.get("SMTP_STARTTLS") or "true").lower() in ("1", "true", "yes"),
        "MAIL_FROM": env.get("MAIL_FROM") or "privacy@localhost",
        "OPENGDPR_PROCESSOR_DOMAIN": env.get("OPENGDPR_PROCESSOR_DOMAIN") or None,
        "OPENGDPR_SIGNING_KEY": env.get("OPENGDPR_SIGNING_KEY") or None,
        "OPENGDPR_CERTIFICATE": env.get("OPENGDPR_CERTIFICATE") or None,
        "OPENGDPR_DEFAULT_COUNTRY": env.get("OPENGDPR_DEFAULT_COUNTRY") or "DE",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "INTAKE_RATE_LIMIT": env.get("INTAKE_RATE_LIMIT") or "10 per hour;30 per day",
        "SIGN_IN_RATE_LIMIT": env.get("SIGN_IN_RATE_LIMIT") or "10 per minute;100 per hour",
        "PRIVACY_POLICY_URL": env.get("PRIVACY_POLICY_URL") or None,
    }


def _sign_in_settings(env: Mapping[str, str]) -> dict:
    """Single sign-on through an OpenID provider, and whether passwords still work."""
    return {
        "OIDC_ISSUER": env.get("OIDC_ISSUER") or None,
        "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID") or None,
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET") or None,
        "OIDC_ROLE_CLAIM": env.get("OIDC_ROLE_CLAIM") or "groups",
        "OIDC_ROLE_MAP": _role_map(env.get("OIDC_ROLE_MAP") or DEFAULT_ROLE_MAP),
        "OIDC_SCOPES": env.get("OIDC_SCOPES") or "openid email profile",
        "PASSWORD_SIGN_IN": _switch(env, "PASSWORD_SIGN_IN", default=True),
        # Set but empty: no role needs a second factor.
        "MFA_REQUIRED_ROLES": _roles(env.get("MFA_REQUIRED_ROLES", DEFAULT_MFA_ROLES)),
        "SESSION_IDLE_MINUTES": _integer(env, "SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _integer(env, "SESSION_ABSOLUTE_HOURS", 12),
    }


def _roles(text: str) -> tuple[str, ...]:
    """Read 'role,role' into the roles, each once."""
    return tuple(dict.fromkeys(filter(None, (part.strip().lower() for part in text.split(",")))))


def _role_map(text: str) -> dict[str, str]:
    """Read 'group=role,group=role' (the group names as the provider sends them)."""
    mapping: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        group, equals, role = (side.strip() for side in entry.rpartition("="))
        if not equals or not group or not role:
            raise ConfigError(f"OIDC_ROLE_MAP: {entry!r} is not 'group=role'")
        if group in mapping:
            raise ConfigError(f"OIDC_ROLE_MAP: the group {group!r} is named twice")
        mapping[group] = role
    return mapping


def _time_of_day(value: str) -> bool:
    """Tell whether ``value`` reads as HH:MM on a 24-hour clock."""
    hour, colon, minute = str(value).partition(":")
    if not (colon and hour.isdigit() and minute.isdigit() and len(minute) == 2):
        return False
    return int(hour) < 24 and int(minute) < 60


def _switch(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value not in ("on", "off"):
        raise ConfigError(f"{name}: {env[name]!r} is not 'on' or 'off'")
    return value == "on"


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name}: {value!r} is not a whole number") from exc


def _database_url(url: str) -> str:
    if not url:
        return "sqlite:///casetracker.db"
    # psycopg 3 is the driver; accept the URLs operators usually have.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
