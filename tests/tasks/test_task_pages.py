"""The case page's Tasks: who sees which note, who gets which button, and what a click does."""

from __future__ import annotations

import re

from casetracker.cases.task_models import Task
from casetracker.extensions import db
from casetracker.systems import service as systems
from tests import factories

NOTE = "Two contacts match erika@example.org; which one?"
CRM_INSTRUCTIONS = "Search Contacts and Leads by email; use the privacy delete."


def _tasks(api, reference) -> dict[str, int]:
    items = api.get(f"/api/v1/cases/{reference}/tasks").json["items"]
    return {item["system"]: item["id"] for item in items}


def _status(task_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Task, task_id).status


def _section(page: str) -> str:
    """The Tasks section of a case page."""
    return re.search(r'<section aria-labelledby="tasks-title">.*?</section>', page, re.S).group(0)


def _buttons(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", b) for b in re.findall(r"<button type=\"submit\".*?</button>", page)
    ]


def _with_instructions():
    systems.by_name(db.session, name="CRM").instructions = CRM_INSTRUCTIONS
    db.session.commit()


def test_the_dpo_sees_each_task_with_owner_status_due_note_and_instructions(
    in_work, dpo_api, web, dana
):
    _with_instructions()
    reference = in_work()["reference"]
    crm = _tasks(dpo_api, reference)["CRM"]
    dpo_api.post(f"/api/v1/cases/{reference}/tasks/{crm}", json={"status": "blocked", "note": NOTE})

    web.sign_in(dana.email)
    tasks = _section(web.get(f"/cases/{reference}").text)
    assert "0 of 2 finished" in tasks
    assert f'<h3 id="task-{crm}-title">CRM</h3>' in tasks
    assert "Priya Raman" in tasks
    assert "Blocked" in tasks
    assert NOTE in tasks
    assert CRM_INSTRUCTIONS in tasks
    assert "Newsletter tool" in tasks
    assert "Tomasz Nowak" in tasks
    # Due ten days before the 45-day answer: Mon 7 Dec, end of the day in Berlin.
    assert "Mon 7 Dec 2026, 23:59 CET" in tasks
    assert "35 days left" in tasks
    assert _buttons(tasks) == [
        "Done with the CRM task",
        "No data found in CRM",
        "Unblock the CRM task",
        "Add the file for the CRM task",
        "Done with the Newsletter tool task",
        "No data found in Newsletter tool",
        "Mark blocked",
        "Add the file for the Newsletter tool task",
    ]


def test_notes_are_hidden_from_those_who_may_not_see_the_individual(in_work, dpo_api, web, priya):
    reference = in_work()["reference"]
    crm = _tasks(dpo_api, reference)["CRM"]
    dpo_api.post(f"/api/v1/cases/{reference}/tasks/{crm}", json={"status": "blocked", "note": NOTE})

    # Priya owns the CRM task, not the case: she may change it but not read its note.
    web.sign_in(priya.email)
    page = web.get(f"/cases/{reference}").text
    assert "Note hidden" in _section(page)
    assert "erika@example.org" not in page
    assert "CRM task: open → blocked; note on the task" in page
    assert "Done with the CRM task" in _buttons(page)
    assert "Done with the Newsletter tool task" not in _buttons(page)

    case_file = web.get(f"/cases/{reference}/file").text
    assert "Note hidden" in case_file
    assert "erika@example.org" not in case_file


def test_the_task_owner_marks_a_task_done_and_can_reopen_it(in_work, dpo_api, web, tomasz):
    reference = in_work()["reference"]
    newsletter = _tasks(dpo_api, reference)["Newsletter tool"]
    web.sign_in(tomasz.email)

    done = web.post(f"/cases/{reference}/tasks/{newsletter}", {"status": "done"})
    assert done.status_code == 302
    page = web.get(done.headers["Location"]).text
    assert "The Newsletter tool task is now done." in page
    assert "1 of 2 finished" in page
    assert "Finished in time" in _section(page)
    assert "Reopen the Newsletter tool task" in _buttons(page)
    assert _status(newsletter) == "done"
    assert "Newsletter tool task: open → done" in page

    web.post(f"/cases/{reference}/tasks/{newsletter}", {"status": "open"})
    assert _status(newsletter) == "open"


def test_blocking_without_a_reason_is_named_next_to_the_field_and_changes_nothing(
    in_work, dpo_api, web, dana
):
    reference = in_work()["reference"]
    crm = _tasks(dpo_api, reference)["CRM"]
    web.sign_in(dana.email)
    before = factories.row_counts()

    response = web.post(f"/cases/{reference}/tasks/{crm}", {"status": "blocked", "note": "  "})
    assert response.status_code == 422
    assert "The task was not changed" not in response.text
    assert "There is a problem with “Blocked” for the CRM task" in response.text
    assert f'<a href="#task-{crm}-note">What blocks the task</a>' in response.text
    assert re.search(r'<details class="action task-block" open>', response.text)
    assert f'aria-describedby="task-{crm}-note-hint task-{crm}-note-error"' in response.text
    assert f'<p class="field-error" id="task-{crm}-note-error">say what blocks the task</p>' in (
        response.text
    )
    assert factories.row_counts() == before
    assert _status(crm) == "open"

    blocked = web.post(f"/cases/{reference}/tasks/{crm}", {"status": "blocked", "note": NOTE})
    assert blocked.status_code == 302
    assert _status(crm) == "blocked"


def test_refusals_come_back_on_the_case_page_and_change_nothing(
    in_work, dpo_api, web, tomasz, dana
):
    reference = in_work()["reference"]
    crm = _tasks(dpo_api, reference)["CRM"]
    web.sign_in(tomasz.email)
    before = factories.row_counts()

    refused = web.post(f"/cases/{reference}/tasks/{crm}", {"status": "done"})
    assert refused.status_code == 403
    assert "Only the task&#39;s owner, the case owner or the DPO may change the CRM task" in (
        refused.text
    )
    assert "Nothing has changed." in refused.text
    unknown = web.post(f"/cases/{reference}/tasks/999", {"status": "done"})
    assert unknown.status_code == 404
    assert f"{reference} has no task 999" in unknown.text
    forged = web.post(f"/cases/{reference}/tasks/{crm}", {"status": "done"}, csrf=False)
    assert forged.status_code == 400
    assert factories.row_counts() == before
    assert _status(crm) == "open"

    web.post("/sign-out")
    web.sign_in(dana.email)
    web.post(f"/cases/{reference}/tasks/{crm}", {"status": "no_data"})
    twice = web.post(f"/cases/{reference}/tasks/{crm}", {"status": "no_data"})
    assert twice.status_code == 409
    assert f"The CRM task of {reference} is already marked no data found. Nothing has changed." in (
        twice.text
    )


def test_a_closed_request_shows_its_tasks_without_buttons(in_work, dpo_api, web, dana):
    case = in_work()
    dpo_api.act(case, "resolve", outcome="denied", reason="Manifestly unfounded.")
    web.sign_in(dana.email)
    tasks = _section(web.get(f"/cases/{case['reference']}").text)
    assert "CRM" in tasks
    assert _buttons(tasks) == []


def test_a_request_in_work_that_no_system_serves_says_so(in_work, web, dana):
    portability = in_work(right="portability", jurisdiction="EU", data_context="website")
    web.sign_in(dana.email)
    page = web.get(f"/cases/{portability['reference']}").text
    assert "No system holds data for this request" in _section(page)
    assert "No system holds data for this request" in (
        web.get(f"/cases/{portability['reference']}/file").text
    )


def test_a_complaint_has_no_tasks_section(dpo_api, web, dana):
    complaint = dpo_api.create(kind="complaint", data_context="marketing")
    web.sign_in(dana.email)
    assert 'id="tasks-title"' not in web.get(f"/cases/{complaint['reference']}").text


def test_the_case_file_lists_the_tasks_with_their_notes_for_the_case_owner(
    in_work, dpo_api, web, dana
):
    reference = in_work()["reference"]
    crm = _tasks(dpo_api, reference)["CRM"]
    dpo_api.post(f"/api/v1/cases/{reference}/tasks/{crm}", json={"status": "done", "note": NOTE})
    web.sign_in(dana.email)
    case_file = web.get(f"/cases/{reference}/file").text
    assert "<h2>Tasks" in case_file
    assert '<th scope="row">CRM</th>' in case_file
    assert NOTE in case_file
    assert "Finished in time" in case_file
    assert '<button type="submit"' not in case_file.split("<h2>Tasks")[1].split("</section>")[0]
