"""The action registry is the one list: the API and the policy read it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from casetracker.cases import actions
from casetracker.cases import service as case_service
from casetracker.extensions import db
from casetracker.people.actors import Actor


def test_the_api_documents_exactly_the_actions_people_are_offered(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    request = spec["components"]["schemas"]["ActionRequest"]
    assert tuple(request["properties"]["action"]["enum"]) == actions.OFFERED
    assert "breach" not in actions.OFFERED
    assert "snooze" not in actions.OFFERED


def test_a_system_action_sent_to_the_api_is_refused_and_changes_nothing(api):
    case = api.create()
    response = api.act(case, "breach", clock="acknowledge")
    assert response.status_code == 422
    assert "action" in response.get_json()["errors"]
    assert api.get(f"/api/v1/cases/{case['reference']}").get_json()["version"] == case["version"]


def test_every_offered_action_has_a_title_and_a_schema_for_each_form_field():
    for action in actions.ACTIONS:
        if action.offered:
            assert action.title
            assert {f.name for f in action.fields} <= set(action.schema().fields)


def test_asking_about_a_case_not_filed_through_the_form_changes_nothing(api, staff):
    case = api.create()
    with pytest.raises(ValidationError, match="not filed through the form"):
        case_service.perform(
            db.session, reference=case["reference"], action="ask_individual",
            version=case["version"], params={"question": "Which account?"},
            actor=Actor.for_staff(staff), source="web",
        )  # fmt: skip
    events = api.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    assert [e["action"] for e in events] == ["create"]
