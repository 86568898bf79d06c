"""OpenGDPR requests as the 0.1 and 1.0 texts define them: ids, versions, fields, signatures."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import select

from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.intake.signing import verify
from tests.intake.conftest import REQUESTS, SPEC_EXAMPLE, certificate, post

STATUS = f"{REQUESTS}/{SPEC_EXAMPLE['subject_request_id']}"
EXTENSION = "example-processor.com"


def request(**changes) -> dict:
    body = copy.deepcopy(SPEC_EXAMPLE)
    body.update(changes)
    return body


def canonical(body: dict) -> bytes:
    """The bytes processor_signature signs: the body without it, keys sorted, no spaces."""
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def assert_spec_error(response, code: int) -> dict:
    assert response.status_code == code
    error = response.get_json()["error"]
    assert error["code"] == code
    assert set(error["errors"][0]) == {"domain", "reason", "message"}
    return error


@pytest.mark.parametrize(
    "changes",
    [
        {"subject_request_type": "access"},
        {"submitted_time": "2018-10-03T15:00:00Z"},
        {
            "subject_identities": [
                {**SPEC_EXAMPLE["subject_identities"][0], "identity_value": "x@y.eu"}
            ]
        },
        {"status_callback_urls": ["https://other.example.com/callbacks"]},
        {"extensions": {EXTENSION: {"property_id": "654321"}}},
    ],
)
def test_reusing_a_subject_request_id_for_other_content_is_refused(client, api, changes):
    assert post(api, SPEC_EXAMPLE).status_code == 201
    response = post(api, request(**changes))
    error = assert_spec_error(response, 400)
    assert "subject_request_id" in error["message"]
    assert "processor_signature" not in response.get_json()
    assert len(db.session.scalars(select(Case)).all()) == 1
    assert verify(certificate(client), response.data, response.headers["X-OpenGDPR-Signature"])


def test_the_same_request_again_is_answered_with_the_first_receipt(api, clock):
    first = post(api, SPEC_EXAMPLE).get_json()
    clock.advance(minutes=5)
    # The same instant written with an offset, and a version asked anew, are the same request.
    again = post(api, request(submitted_time="2018-10-02T17:00:00+02:00", api_version="0.1"))
    assert again.status_code == 201
    assert again.get_json()["received_time"] == first["received_time"]
    assert len(db.session.scalars(select(Case)).all()) == 1


@pytest.mark.parametrize("version", ["2.0", "1", "0.2", ""])
def test_an_api_version_not_implemented_is_refused(api, version):
    error = assert_spec_error(post(api, request(api_version=version)), 400)
    assert "api_version" in error["message"]
    assert db.session.scalars(select(Case)).all() == []


@pytest.mark.parametrize(("asked", "answered"), [("0.1", "0.1"), ("1.0", "1.0"), (None, "1.0")])
def test_answers_come_in_the_version_asked(client, api, asked, answered):
    body = request(api_version=asked)
    if asked is None:
        body.pop("api_version")
    assert post(api, body).status_code == 201
    assert api.get(STATUS).get_json()["api_version"] == answered
    cancelled = client.delete(STATUS, headers=api.headers).get_json()
    assert cancelled["api_version"] == answered
    # 0.1 returned the encoded request on cancellation; 1.0 dropped it (section 9.2).
    assert ("encoded_request" in cancelled) == (answered == "0.1")


@pytest.mark.parametrize(
    "changes",
    [
        {"api_version": "0.1", "property_id": "123456", "extensions": {}},
        {"api_version": "1.0"},
    ],
)
def test_the_property_id_scopes_the_case(api, changes):
    assert post(api, request(**changes)).status_code == 201
    assert "property 123456" in db.session.scalars(select(Case)).one().summary


def test_identities_may_come_only_in_this_processors_extension(api):
    extension = {"identities": SPEC_EXAMPLE["subject_identities"], "country": "FR"}
    body = request(extensions={EXTENSION: extension})
    body.pop("subject_identities")
    assert post(api, body).status_code == 201
    case = db.session.scalars(select(Case)).one()
    assert (case.subject.email, case.subject.country) == ("johndoe@example.com", "FR")


def test_version_0_1_still_requires_subject_identities(api):
    extension = {"identities": SPEC_EXAMPLE["subject_identities"]}
    body = request(api_version="0.1", extensions={EXTENSION: extension})
    body.pop("subject_identities")
    error = assert_spec_error(post(api, body), 400)
    assert "subject_identities" in error["message"]


def test_receipts_carry_the_processor_signature(client, api):
    cert = certificate(client)
    for response, code in (
        (post(api, SPEC_EXAMPLE), 201),
        (client.delete(STATUS, headers=api.headers), 202),
    ):
        assert response.status_code == code
        body = response.get_json()
        signature = body.pop("processor_signature")
        assert verify(cert, canonical(body), signature)
        assert verify(cert, response.data, response.headers["X-OpenGDPR-Signature"])


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("get", "/opengdpr/v1/no_such_thing", 404),
        ("post", "/opengdpr/v1/discovery", 405),
        ("put", STATUS, 405),
    ],
)
def test_unknown_paths_and_methods_answer_signed_json(client, method, path, code):
    response = getattr(client, method)(path)
    assert_spec_error(response, code)
    assert verify(certificate(client), response.data, response.headers["X-OpenGDPR-Signature"])
    if code == 405:
        assert "GET" in response.headers["Allow"]


def test_the_status_endpoint_answers_signed_json(client):
    response = client.get("/opengdpr/v1/status")
    assert response.status_code == 200
    assert response.get_json() == {"api_version": "1.0", "status": "ok"}
    assert verify(certificate(client), response.data, response.headers["X-OpenGDPR-Signature"])
