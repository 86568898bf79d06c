"""The OpenAPI document tells the truth: schemathesis, run as `schemathesis run --checks all`
would run it against a live server, finds no failure."""

from __future__ import annotations

import logging

import pytest
import schemathesis
from schemathesis.engine import events
from schemathesis.engine import from_schema as engine_for
from schemathesis.openapi.checks import RejectedPositiveData

from casetracker.cases import actions
from tests import factories

SEED = 20261102
# Refusals no JSON Schema can express: they depend on stored data or on the case, not on
# the body's shape. A 422 naming only these fields, each with this message, is the API's right.
BETWEEN = ("must lie between the case's receipt and now",)
DEPENDS_ON_DATA = {
    "owner": ("no active staff member with email",),
    "received_at": ("cannot be in the future",),
    "outcome": ("closes as one of",),
    "told_at": BETWEEN,
    "referred_at": BETWEEN,
    "advice_at": BETWEEN,
    "cursor": ("not a cursor this API gave out", "was given for a different ordering"),
}


def _errors(response) -> dict:
    if response.status_code != 422:
        return {}
    return response.json().get("errors") or {}


def _depends_on_data(response) -> bool:
    errors = _errors(response)
    return bool(errors) and all(
        field in DEPENDS_ON_DATA
        and isinstance(messages, list)
        and all(any(known in message for known in DEPENDS_ON_DATA[field]) for message in messages)
        for field, messages in errors.items()
    )


def _config(base_url: str, token: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": base_url,
            "headers": {"Authorization": f"Bearer {token}"},
            "checks": {"enabled": True},
            "generation": {"max-examples": 5, "database": "none"},
            "cache": {"enabled": False},
        }
    )


def run_schemathesis(base_url: str, token: str) -> tuple[list[str], int]:
    """Run every phase and check against the live API; return the failures and cases tried."""
    schema = schemathesis.openapi.from_url(
        f"{base_url}/api/v1/openapi.json", config=_config(base_url, token)
    )

    @schema.hook
    def filter_failure(context, failure, case, response):
        expected = isinstance(failure, RejectedPositiveData) and _depends_on_data(response)
        return not expected

    failures, tried = [], 0
    for event in engine_for(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            tried += len(event.recorder.cases)
            failures.extend(
                f"{event.recorder.label}: {check.failure_info.failure.title}\n"
                f"{check.failure_info.failure.message}\n{check.failure_info.code_sample}"
                for checks in event.recorder.checks.values()
                for check in checks
                if check.failure_info is not None
            )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(repr(event))
        elif isinstance(event, events.EngineFinished):
            failures.extend(str(failure) for failure in event.failures)
    return list(dict.fromkeys(failures)), tried


@pytest.fixture
def document(live_app):
    return live_app.test_client().get("/api/v1/openapi.json").get_json()


def test_schemathesis_finds_no_failure(live_app, live_server, caplog):
    caplog.set_level(logging.WARNING, logger="werkzeug")  # a line per request halves the pace
    staff = factories.staff(email="sam@example.com", name="Sam Staff")
    failures, tried = run_schemathesis(live_server, factories.token(staff, scopes=["pii"]))
    assert not failures, "\n\n".join(failures)
    assert tried > 1000


def test_every_error_is_documented_in_the_shape_the_api_answers(document, live_app):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]) == {"error", "errors", "allowed_actions"}
    responses = document["components"]["responses"]
    for path, operations in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status[0] in "45" or status == "default":
                    response = responses.get(response.get("$ref", "").rpartition("/")[2], response)
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    actions_post = document["paths"]["/api/v1/cases/{reference}/actions"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "422", "503"} <= set(actions_post)

    refused = live_app.test_client().post("/api/v1/cases/PC-2026-00001/actions", json={})
    assert refused.status_code == 401
    assert set(refused.get_json()) <= set(error["properties"])


def test_the_actions_body_is_one_schema_per_offered_action(document):
    schemas = document["components"]["schemas"]
    body = document["paths"]["/api/v1/cases/{reference}/actions"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/ActionRequest")
    one_of = schemas["ActionRequest"]
    assert one_of["discriminator"]["propertyName"] == "action"
    assert list(one_of["discriminator"]["mapping"]) == list(actions.OFFERED)
    assert len(one_of["oneOf"]) == len(actions.OFFERED)
    hold = schemas["HoldAction"]
    assert hold["properties"]["action"]["enum"] == ["hold"]
    assert hold["properties"]["version"]["minimum"] == 1
    assert set(hold["required"]) == {"action", "version", "reason"}
    assert hold["additionalProperties"] is False
    assert set(schemas["EscalateAction"]["required"]) == {"action", "version"}


def test_a_new_case_is_documented_as_a_complaint_or_a_request(document):
    schemas = document["components"]["schemas"]
    assert schemas["CaseCreate"]["discriminator"]["propertyName"] == "kind"
    assert "right" not in schemas["ComplaintCreate"]["properties"]
    assert "right" in schemas["RequestCreate"]["required"]


def test_healthz_is_documented_without_a_token(document):
    healthz = document["paths"]["/healthz"]["get"]
    assert healthz["security"] == []
    assert set(healthz["responses"]) == {"200", "503"}
