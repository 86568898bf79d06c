"""The case page: what each role sees, and actions through forms that refuse bad input."""

from __future__ import annotations

import pytest

from casetracker.cases.models import Case
from casetracker.extensions import db
from tests import factories

from .conftest import act


def _form(case, action: str, **fields) -> dict:
    return {"action": action, "version": str(case.version), **fields}


def test_owner_and_dpo_see_the_individual_others_see_it_masked(web, complaint, tomasz, dana):
    web.sign_in("priya@example.com")
    page = web.get(f"/cases/{complaint.reference}").text
    assert "Erika Mustermann" in page
    assert "erika@example.org" in page
    assert "Newsletter kept arriving" in page
    web.post("/sign-out")

    web.sign_in(tomasz.email)
    page = web.get(f"/cases/{complaint.reference}").text
    assert "Erika" not in page
    assert "erika@example.org" not in page
    assert "Newsletter kept arriving" not in page
    assert (
        "E\u2022\u2022\u2022\u2022 M\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022" in page
    )
    assert "visible to the DPO and the case owner only" in page
    web.post("/sign-out")

    web.sign_in(dana.email)
    assert "Erika Mustermann" in web.get(f"/cases/{complaint.reference}").text


def test_page_shows_route_steps_clocks_and_timeline(web, complaint):
    web.sign_in("priya@example.com")
    page = web.get(f"/cases/{complaint.reference}").text
    assert 'aria-current="step"' in page
    assert "Internal review" in page
    assert "Overdue" in page
    assert "Overdue by 4 days" in page
    assert "by casetracker" in page
    assert f'name="version" value="{complaint.version}"' in page


def test_escalating_from_the_form_moves_the_case(web, complaint, dana):
    web.sign_in(dana.email)
    response = web.post(
        f"/cases/{complaint.reference}/actions",
        _form(
            complaint,
            "escalate",
            to_stage="independent_recourse",
            body_reference="BBB-7",
            confirm="yes",
        ),
    )
    assert response.status_code == 302
    page = web.get(f"/cases/{complaint.reference}").text
    assert "Done: escalate." in page
    db.session.expire_all()
    case = db.session.get(Case, complaint.id)
    assert case.stage == "independent_recourse"
    assert case.body_reference == "BBB-7"
    assert "by Dana Okafor" in page
    assert "via web" in page


def test_invalid_input_is_named_next_to_the_field_and_kept(web, complaint):
    web.sign_in("priya@example.com")
    before = factories.row_counts()
    response = web.post(
        f"/cases/{complaint.reference}/actions",
        _form(
            complaint,
            "escalate",
            to_stage="independent_recourse",
            referred_at="2020-01-01T10:00",
            body_reference="BBB-99",
            confirm="yes",
        ),
    )
    assert response.status_code == 422
    assert 'id="escalate-referred_at-error"' in response.text
    assert "between the case" in response.text
    assert 'value="BBB-99"' in response.text
    assert 'value="2020-01-01T10:00"' in response.text
    assert factories.row_counts() == before


def test_a_required_field_left_empty_is_named(web, complaint):
    web.sign_in("priya@example.com")
    response = web.post(f"/cases/{complaint.reference}/actions", _form(complaint, "hold"))
    assert response.status_code == 422
    assert 'id="hold-reason-error"' in response.text


def test_a_stale_form_says_someone_else_changed_the_case(web, complaint, priya):
    web.sign_in("priya@example.com")
    stale = _form(complaint, "note", text="first look")
    act(complaint, "note", priya, text="meanwhile")
    before = factories.row_counts()
    response = web.post(f"/cases/{complaint.reference}/actions", stale)
    assert response.status_code == 409
    assert (
        "Someone else changed this case while you were looking at it. Reload it and try again."
        in response.text
    )
    assert ">first look</textarea>" in response.text  # the note typed is kept, not lost
    assert factories.row_counts() == before


def test_staff_cannot_reopen_the_control_is_absent_and_a_forged_post_is_refused(
    web, complaint, priya, tomasz
):
    closed = act(complaint, "resolve", priya, outcome="resolved")
    web.sign_in(tomasz.email)
    page = web.get(f"/cases/{closed.reference}").text
    assert 'value="reopen"' not in page
    before = factories.row_counts()
    response = web.post(
        f"/cases/{closed.reference}/actions", _form(closed, "reopen", reason="forged")
    )
    assert response.status_code == 403
    assert "only the DPO may reopen" in response.text
    assert factories.row_counts() == before
    db.session.expire_all()
    assert db.session.get(Case, closed.id).status == "closed"


def test_a_post_without_csrf_token_changes_nothing(web, complaint):
    web.sign_in("priya@example.com")
    before = factories.row_counts()
    response = web.post(
        f"/cases/{complaint.reference}/actions", _form(complaint, "note", text="x"), csrf=False
    )
    assert response.status_code == 400
    assert factories.row_counts() == before


def test_unknown_reference_is_a_friendly_404(web, priya):
    web.sign_in(priya.email)
    response = web.get("/cases/PC-2026-99999")
    assert response.status_code == 404
    assert "There is no case with the reference PC-2026-99999" in response.text
    assert "All cases" in response.text


def test_api_paths_keep_json_errors(client, priya):
    response = client.get("/api/v1/cases/PC-2026-99999")
    assert response.status_code == 401
    assert response.is_json


def test_an_unexpected_error_is_a_friendly_500_without_a_stack_trace(app, web, priya, monkeypatch):
    from casetracker.dashboard import queries

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals at line 42")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(queries, "queue_page", broken)
    web.sign_in(priya.email)
    response = web.get("/overdue")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Traceback" not in response.text
    assert "secret internals" not in response.text


def test_case_file_has_every_clock_with_its_rule_and_the_whole_timeline(web, complaint, dana):
    web.sign_in(dana.email)
    page = web.get(f"/cases/{complaint.reference}/file").text
    assert "Case file, prepared" in page
    assert "Deadlines and the rules they come from" in page
    assert "oldest first, 2 events" in page
    assert "Erika Mustermann" in page
    assert "@media print" not in page


@pytest.mark.parametrize("path", ["/cases/PC-2026-00001/file", "/cases/PC-2026-00001"])
def test_case_pages_need_sign_in(web, path):
    assert web.get(path).status_code == 302
