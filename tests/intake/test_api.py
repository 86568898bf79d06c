"""OpenGDPR endpoints: the specification's example, idempotence, errors, signed callbacks."""

from __future__ import annotations

import base64
import copy
import json

import pytest
from sqlalchemy import select

from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.intake.signing import verify
from casetracker.outbox import delivery
from tests import factories
from tests.factories import row_counts
from tests.intake.conftest import REQUESTS, SPEC_EXAMPLE, certificate, post


def test_discovery_describes_the_processor_and_is_signed(client):
    response = client.get("/opengdpr/v1/discovery")
    body = response.get_json()
    assert body["supported_subject_request_types"] == ["erasure", "access", "portability"]
    assert {"identity_type": "email", "identity_format": "raw"} in body["supported_identities"]
    assert body["api_version"] == "1.0"
    assert body["processor_certificate"] == "https://example-processor.com/opengdpr/v1/cert.pem"
    assert response.headers["X-OpenGDPR-Processor-Domain"] == "example-processor.com"
    assert verify(certificate(client), response.data, response.headers["X-OpenGDPR-Signature"])


def test_the_specifications_example_opens_a_request_case(client, api):
    response = post(api, SPEC_EXAMPLE)
    assert response.status_code == 201
    body = response.get_json()
    assert body["subject_request_id"] == SPEC_EXAMPLE["subject_request_id"]
    assert body["controller_id"] == "sam@example.com"
    assert body["received_time"] == "2026-11-02T09:00:00Z"
    assert body["expected_completion_time"] == "2026-12-02T22:59:59Z"
    assert json.loads(base64.b64decode(body["encoded_request"])) == SPEC_EXAMPLE
    assert verify(certificate(client), response.data, response.headers["X-OpenGDPR-Signature"])
    case = db.session.scalars(select(Case)).one()
    assert (case.kind, case.right, case.data_context, case.jurisdiction, case.channel) == (
        "request",
        "erasure",
        "platform",
        "EU",
        "api",
    )
    assert case.subject.email == "johndoe@example.com"


def test_a_repeated_request_returns_the_same_case(client, api, clock):
    first = post(api, SPEC_EXAMPLE).get_json()
    clock.advance(minutes=5)
    again = post(api, SPEC_EXAMPLE)
    assert again.status_code == 201
    assert again.get_json()["received_time"] == first["received_time"]
    assert len(db.session.scalars(select(Case)).all()) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda body: body.pop("subject_request_id"), "subject_request_id"),
        (lambda body: body.update(subject_request_type="rectification"), "subject_request_type"),
        (lambda body: body.update(submitted_time="yesterday"), "submitted_time"),
        (lambda body: body.update(subject_identities=[]), "subject_identities"),
        (lambda body: body["subject_identities"][0].update(identity_format="sha256"), "subject"),
        (lambda body: body.update(status_callback_urls=["ftp://x"]), "status_callback_urls"),
    ],
)
def test_a_malformed_request_gets_400_in_the_specifications_shape(api, change, field):
    body = copy.deepcopy(SPEC_EXAMPLE)
    change(body)
    response = post(api, body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == 400
    assert field in error["message"]
    assert set(error["errors"][0]) == {"domain", "reason", "message"}
    assert row_counts() == (0, 0, 0)


def test_a_body_that_is_not_json_gets_400(api):
    response = api.post(REQUESTS, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == 400


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic c2FtOnB3"])
def test_without_a_valid_token_the_answer_is_a_signed_400(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post(REQUESTS, json=SPEC_EXAMPLE, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == 400
    assert "token" in response.get_json()["error"]["message"]
    assert verify(certificate(client), response.data, response.headers["X-OpenGDPR-Signature"])
    assert row_counts() == (0, 0, 0)


def test_status_follows_the_case_and_callbacks_are_signed(client, api, callbacks, clock):
    body = {**SPEC_EXAMPLE, "status_callback_urls": [callbacks.url]}
    post(api, body)
    status_path = f"{REQUESTS}/{body['subject_request_id']}"
    assert api.get(status_path).get_json()["request_status"] == "pending"
    case = api.get("/api/v1/cases").get_json()["items"][0]
    assert api.act(case, "acknowledge").status_code == 200
    assert api.get(status_path).get_json()["request_status"] == "in_progress"
    report = delivery.deliver_due(db.session, now=clock())
    assert report.sent == 1
    [(headers, raw)] = callbacks.received
    assert headers["X-OpenGDPR-Processor-Domain"] == "example-processor.com"
    assert verify(certificate(client), raw, headers["X-OpenGDPR-Signature"])
    sent = json.loads(raw)
    assert sent["request_status"] == "in_progress"
    assert sent["status_callback_url"] == callbacks.url
    assert not verify(certificate(client), raw + b" ", headers["X-OpenGDPR-Signature"])


def test_a_pending_request_can_be_cancelled_and_a_started_one_cannot(client, api):
    post(api, SPEC_EXAMPLE)
    path = f"{REQUESTS}/{SPEC_EXAMPLE['subject_request_id']}"
    response = client.delete(path, headers=api.headers)
    assert response.status_code == 202
    assert response.get_json()["subject_request_id"] == SPEC_EXAMPLE["subject_request_id"]
    assert api.get(path).get_json()["request_status"] == "cancelled"
    again = client.delete(path, headers=api.headers)
    assert again.status_code == 400
    assert "cancelled" in again.get_json()["error"]["message"]


def test_another_controller_cannot_see_the_request(client, api, dpo):
    post(api, SPEC_EXAMPLE)
    other = factories.ApiClient(client, factories.token(dpo))
    path = f"{REQUESTS}/{SPEC_EXAMPLE['subject_request_id']}"
    for response in (other.get(path), client.delete(path, headers=other.headers)):
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == 400
        assert "subject_request_id" in response.get_json()["error"]["message"]
    assert post(other, SPEC_EXAMPLE).status_code == 400
