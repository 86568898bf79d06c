"""Bad input is answered clearly and writes nothing."""

import pytest

from casetracker.extensions import db
from tests import factories


@pytest.fixture
def nothing_written(app):
    before = factories.row_counts()
    yield
    db.session.rollback()
    assert factories.row_counts() == before


def test_malformed_json_is_400(api, nothing_written):
    response = api.post(
        "/api/v1/cases", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_missing_and_invalid_fields_are_422_naming_each_field(api, nothing_written):
    payload = factories.case_payload(jurisdiction="MARS", channel="pigeon")
    del payload["summary"]
    payload["subject"] = {"name": "", "email": "not-an-email", "country": "XX"}
    response = api.post("/api/v1/cases", json=payload)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"jurisdiction", "channel", "summary", "subject"}
    assert set(errors["subject"]) == {"name", "email", "country"}
    assert "XX" in errors["subject"]["country"][0]


def test_request_without_a_right_is_422(api, nothing_written):
    response = api.post("/api/v1/cases", json=factories.case_payload(kind="request"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"right": ["required for a request"]}


def test_unknown_field_is_named(api, nothing_written):
    response = api.post("/api/v1/cases", json=factories.case_payload(colour="red"))
    assert response.status_code == 422
    assert "colour" in response.get_json()["errors"]


def test_received_in_the_future_is_refused(api, clock, nothing_written):
    future = clock().replace(year=2027).isoformat()
    response = api.post("/api/v1/cases", json=factories.case_payload(received_at=future))
    assert response.status_code == 422
    assert "received_at" in response.get_json()["errors"]


def test_action_missing_its_reason_is_422(api):
    case = api.create()
    response = api.act(case, "hold")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"reason": ["Missing data for required field."]}


def test_action_without_version_is_422(api):
    case = api.create()
    response = api.post(f"/api/v1/cases/{case['reference']}/actions", json={"action": "note"})
    assert response.status_code == 422
    assert "version" in response.get_json()["errors"]


def test_unknown_reference_is_404(api, nothing_written):
    assert api.get("/api/v1/cases/PC-2026-99999").status_code == 404
    response = api.post(
        "/api/v1/cases/PC-2026-99999/actions", json={"action": "note", "version": 1, "text": "x"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer ct_nope_nope"}, {"Authorization": "Basic abc"}],
    ids=["none", "unknown-token", "wrong-scheme"],
)
def test_without_a_valid_token_is_401(client, app, headers, nothing_written):
    response = client.post("/api/v1/cases", json=factories.case_payload(), headers=headers)
    assert response.status_code == 401
    assert "token" in response.get_json()["error"]


def test_staff_token_on_a_dpo_only_action_is_403(api, dpo_api):
    case = dpo_api.create()
    case = dpo_api.act(case, "resolve", outcome="withdrawn").get_json()
    before = factories.row_counts()
    response = api.act(case, "reopen", reason="Trying")
    assert response.status_code == 403
    assert factories.row_counts() == before


def test_oversized_body_is_413(api, nothing_written):
    payload = factories.case_payload(summary="x" * (2 * 1024 * 1024))
    response = api.post("/api/v1/cases", json=payload)
    assert response.status_code == 413


def test_subject_data_needs_the_pii_scope(client, staff):
    writer = factories.ApiClient(client, factories.token(staff, scopes=["pii"]))
    reader = factories.ApiClient(client, factories.token(staff))
    case = writer.create()
    assert case["subject"]["email"] == "erika@example.org"
    seen = reader.get(f"/api/v1/cases/{case['reference']}").get_json()
    assert "subject" not in seen
    assert "summary" not in seen
    listed = reader.get("/api/v1/cases").get_json()["items"][0]
    assert "subject" not in listed


def test_bad_list_filters_are_422(api):
    response = api.get("/api/v1/cases?stage=nowhere&limit=0&cursor=garbage!")
    assert response.status_code == 422
    assert {"stage", "limit"} <= set(response.get_json()["errors"])
    assert api.get("/api/v1/cases?cursor=garbage").status_code == 422
