"""The API tells a deadline met apart from one that ended because the case was escalated."""

from __future__ import annotations

from datetime import timedelta


def _clocks(case: dict) -> dict:
    return {clock["name"]: clock for clock in case["clocks"]}


def test_each_clock_says_whether_it_was_met_or_ended_by_an_escalation(api, clock):
    case = api.create(received_at=(clock() - timedelta(days=50)).isoformat())
    case = api.act(case, "acknowledge").get_json()
    case = api.act(case, "escalate", to_stage="independent_recourse").get_json()
    clock.advance(days=3)
    case = api.act(case, "escalate", to_stage="dpa_panel").get_json()
    case = api.act(case, "record_advice").get_json()
    case = api.act(case, "resolve", outcome="resolved").get_json()
    clocks = _clocks(case)

    ended = {name: clock["ended_by"] for name, clock in clocks.items()}
    assert ended == {
        "acknowledge": None,
        "respond": "escalate",
        "body_reply": "escalate",
        "panel_advice": None,
        "comply_with_advice": None,
    }
    assert all(clock["met_at"] for clock in clocks.values())
    assert clocks["respond"]["breached"] is True
    assert clocks["body_reply"]["breached"] is False


def test_the_api_document_describes_how_a_clock_ended(client):
    document = client.get("/api/v1/openapi.json").get_json()
    ended_by = document["components"]["schemas"]["Clock"]["properties"]["ended_by"]
    assert ended_by["type"] == ["string", "null"] or ended_by.get("nullable") is True
