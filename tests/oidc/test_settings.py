"""Single sign-on settings: read from the environment, checked at start-up, refused with the
setting's name."""

from __future__ import annotations

import pytest

from casetracker import config, create_app
from casetracker.config import ConfigError
from casetracker.people.models import ROLES

ISSUER = "https://login.example.com/realms/staff"
SSO = {"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": "casetracker", "OIDC_CLIENT_SECRET": "s3cret"}


def settings(**environ) -> dict:
    built = config.defaults() | config.from_environment(environ)
    config.check(built, development=True)
    return built


def test_by_default_passwords_sign_in_and_there_is_no_single_sign_on():
    built = settings()
    assert built["PASSWORD_SIGN_IN"] is True
    assert built["OIDC_ISSUER"] is None
    assert built["OIDC_ROLE_CLAIM"] == "groups"
    assert built["OIDC_ROLE_MAP"] == {
        "privacy-dpo": "dpo",
        "privacy-staff": "staff",
        "privacy-admin": "admin",
    }


def test_single_sign_on_settings_are_read_from_the_environment():
    built = settings(
        **SSO,
        OIDC_ROLE_CLAIM="roles",
        OIDC_ROLE_MAP=" casetracker.dpo = dpo , /teams/privacy=staff ",
        OIDC_SCOPES="openid email groups",
        PASSWORD_SIGN_IN="OFF",
    )
    assert built["OIDC_ROLE_MAP"] == {"casetracker.dpo": "dpo", "/teams/privacy": "staff"}
    assert built["OIDC_ROLE_CLAIM"] == "roles"
    assert built["PASSWORD_SIGN_IN"] is False


def test_the_roles_sso_may_grant_are_the_staff_roles():
    assert config.STAFF_ROLES == ROLES


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({**SSO, "OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID: required when OIDC_ISSUER is set"),
        ({**SSO, "OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET: required when OIDC_ISSUER"),
        ({"OIDC_CLIENT_ID": "casetracker"}, "OIDC_ISSUER: required when OIDC_CLIENT_ID is set"),
        ({**SSO, "OIDC_ISSUER": "http://login.example.com"}, "OIDC_ISSUER: .* not an https://"),
        ({**SSO, "OIDC_ISSUER": "login.example.com"}, "OIDC_ISSUER: .* not an https://"),
        ({**SSO, "OIDC_ISSUER": f"{ISSUER}?x=1"}, "OIDC_ISSUER: .* no query"),
        (
            {**SSO, "OIDC_ROLE_MAP": "privacy-dpo"},
            "OIDC_ROLE_MAP: 'privacy-dpo' is not 'group=role'",
        ),
        ({**SSO, "OIDC_ROLE_MAP": "a=dpo,a=staff"}, "OIDC_ROLE_MAP: the group 'a' is named twice"),
        ({**SSO, "OIDC_ROLE_MAP": "a=owner"}, "OIDC_ROLE_MAP: a=owner: 'owner' is not one of"),
        ({**SSO, "OIDC_ROLE_MAP": " , "}, "OIDC_ROLE_MAP: name at least one group"),
        ({**SSO, "OIDC_SCOPES": "email groups"}, "OIDC_SCOPES: .* must include 'openid'"),
        ({"PASSWORD_SIGN_IN": "no"}, "PASSWORD_SIGN_IN: 'no' is not 'on' or 'off'"),
        ({"PASSWORD_SIGN_IN": "off"}, "PASSWORD_SIGN_IN: 'off' needs single sign-on"),
    ],
)
def test_a_setting_it_cannot_work_with_stops_start_up_naming_it(environ, message):
    with pytest.raises(ConfigError, match=message):
        settings(**environ)


def test_a_local_provider_may_use_plain_http():
    assert settings(**{**SSO, "OIDC_ISSUER": "http://127.0.0.1:8080/"})["OIDC_ISSUER"]
    assert settings(**{**SSO, "OIDC_ISSUER": "http://localhost:8080"})["OIDC_ISSUER"]


def test_create_app_checks_them_too():
    with pytest.raises(ConfigError, match="OIDC_CLIENT_SECRET"):
        create_app({"TESTING": True, "OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": "casetracker"})


def test_pages_may_send_forms_to_the_provider_only_when_there_is_one(client, sqlite_template):
    assert "form-action 'self';" in client.get("/sign-in").headers["Content-Security-Policy"]
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{sqlite_template}"} | SSO
    )
    policy = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "form-action 'self' https://login.example.com;" in policy
