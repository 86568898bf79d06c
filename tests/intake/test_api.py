"""OpenGDPR endpoints: the specification's example, idempotence, errors, signed callbacks."""

from __future__ import annotations

import base64
import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.intake.signing import verify
from casetracker.outbox import delivery
from tests import factories
from tests.factories import row_counts

# OpenGDPR_specification.md section 7.2, without the trailing comma that makes it invalid JSON.
SPEC_EXAMPLE = {
    "subject_request_id": "a7551968-d5d6-44b2-9831-815ac9017798",
    "subject_request_type": "erasure",
    "submitted_time": "2018-10-02T15:00:00Z",
    "subject_identities": [
        {
            "identity_type": "email",
            "identity_value": "johndoe@example.com",
            "identity_format": "raw",
        }
    ],
    "api_version": "0.1",
    "status_callback_urls": ["https://examplecontroller.com/opengdpr_callbacks"],
    "extensions": {
        "example-processor.com": {"foo-processor-custom-id": 123456, "property_id": "123456"},
        "example-other-processor.com": {"foo-other-processor-custom-id": 654321},
    },
}
REQUESTS = "/opengdpr/v1/opengdpr_requests"


class Callbacks:
    """A controller's callback endpoint that records what it receives."""

    def __init__(self):
        self.received = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((self.headers, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/opengdpr_callbacks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def callbacks():
    receiver = Callbacks()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def certificate(client) -> bytes:
    discovery = client.get("/opengdpr/v1/discovery").get_json()
    path = discovery["processor_certificate"].removeprefix("http://casetracker.test")
    return client.get(path).data


def post(api, body):
    return api.post(REQUESTS, data=json.dumps(body), content_type="application/json")


def test_discovery_describes_the_processor_and_is_signed(client):
    response = client.get("/opengdpr/v1/discovery")
    body = response.get_json()
    assert body["supported_subject_request_types"] == ["erasure", "access", "portability"]
    assert {"identity_type": "email", "identity_format": "raw"} in body["supported_identities"]
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


def test_without_a_token_the_answer_is_401_in_the_specifications_shape(client):
    response = client.post(REQUESTS, json=SPEC_EXAMPLE)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401
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
    response = other.get(f"{REQUESTS}/{SPEC_EXAMPLE['subject_request_id']}")
    assert response.status_code == 404
    assert post(other, SPEC_EXAMPLE).status_code == 400
