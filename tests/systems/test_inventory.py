"""The systems inventory: from the command line, the API and the Systems page."""

from __future__ import annotations

from casetracker.extensions import db
from casetracker.systems import service
from casetracker.systems.models import System
from tests import factories

CRM = {
    "name": "CRM",
    "owner": "priya@example.com",
    "contexts": "marketing,website",
    "rights": "access,erasure",
}


def _add(**overrides) -> System:
    return service.add_system(db.session, data={**CRM, **overrides})


def _names(include_retired=False) -> list[str]:
    return [s.name for s in service.inventory(db.session, include_retired=include_retired)]


def test_systems_add_on_the_command_line_lists_it_with_its_owner(runner, priya):
    result = runner.invoke(
        args=[
            "systems", "add", "--name", "CRM", "--owner", "priya@example.com",
            "--contexts", "marketing, website", "--rights", "access,erasure",
            "--instructions", "Search by email in Contacts.",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "added CRM (owner priya@example.com)" in result.output
    listed = runner.invoke(args=["systems", "list"]).output
    assert "CRM\tpriya@example.com\tmarketing,website\taccess,erasure" in listed
    system = service.by_name(db.session, name="CRM")
    assert system.instructions == "Search by email in Contacts."


def test_systems_add_names_each_wrong_option_and_adds_nothing(runner, priya):
    result = runner.invoke(
        args=[
            "systems", "add", "--name", "CRM", "--owner", "nobody@example.com",
            "--contexts", "marketing,payroll", "--rights", "",
        ]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "error: --owner: no active staff member with email nobody@example.com" in result.output
    assert "error: --contexts: payroll is not a data context; choose from platform" in result.output
    assert "error: --rights: name at least one right" in result.output
    assert _names() == []


def test_a_second_system_with_the_same_name_is_refused(runner, priya):
    _add()
    result = runner.invoke(args=["systems", "add", "--name", "CRM", "--owner", "priya@example.com",
                                 "--contexts", "website", "--rights", "access"])  # fmt: skip
    assert result.exit_code == 2
    assert "error: --name: there is already a system called CRM" in result.output


def test_owner_and_retire_commands_change_the_system(runner, priya, tomasz):
    _add()
    result = runner.invoke(args=["systems", "owner", "CRM", "--owner", "tomasz@example.com"])
    assert result.exit_code == 0, result.output
    assert service.by_name(db.session, name="CRM").owner.email == "tomasz@example.com"
    assert runner.invoke(args=["systems", "retire", "CRM"]).exit_code == 0
    assert _names() == []
    assert _names(include_retired=True) == ["CRM"]
    unknown = runner.invoke(args=["systems", "retire", "ERP"])
    assert unknown.exit_code == 2
    assert "no system called 'ERP'" in unknown.output


def test_only_active_systems_whose_context_and_right_match_serve_a_request(app, priya):
    _add()
    _add(name="Newsletter tool", contexts="marketing", rights="erasure,objection")
    _add(name="ATS", contexts="recruiting", rights="access,erasure")
    service.retire(db.session, system_id=service.by_name(db.session, name="ATS").id)
    serving = service.serving(db.session, context="marketing", right="erasure")
    assert [s.name for s in serving] == ["CRM", "Newsletter tool"]
    assert service.serving(db.session, context="marketing", right="access")[0].name == "CRM"
    assert service.serving(db.session, context="recruiting", right="access") == []


def test_the_api_lists_systems_to_any_token_and_refuses_without_one(client, priya):
    _add()
    _add(name="Old CRM", contexts="website", rights="access")
    service.retire(db.session, system_id=service.by_name(db.session, name="Old CRM").id)
    api = factories.ApiClient(client, factories.token(priya))
    answer = api.get("/api/v1/systems")
    assert answer.status_code == 200
    assert answer.json["items"] == [
        {
            "id": 1, "name": "CRM", "owner": "priya@example.com",
            "contexts": ["marketing", "website"], "rights": ["access", "erasure"],
            "instructions": None, "active": True, "retired_at": None,
        }
    ]  # fmt: skip
    everything = api.get("/api/v1/systems?include_retired=true").json["items"]
    assert [s["name"] for s in everything] == ["CRM", "Old CRM"]
    assert everything[1]["active"] is False
    assert client.get("/api/v1/systems").status_code == 401
    bad = api.get("/api/v1/systems?include_retired=perhaps")
    assert bad.status_code == 422
    assert "include_retired" in bad.json["errors"]


def test_staff_see_the_inventory_without_forms_and_may_not_change_it(web, priya, mateo):
    _add(instructions="Search by email in Contacts.")
    web.sign_in("priya@example.com")
    page = web.get("/systems")
    assert page.status_code == 200
    assert "CRM" in page.text
    assert "Search by email in Contacts." in page.text
    assert "Add a system" not in page.text
    assert "Change owner" not in page.text
    refused = web.post("/systems", {"name": "ERP", "owner": "priya@example.com"})
    assert refused.status_code == 403
    assert _names() == ["CRM"]


def test_an_admin_adds_a_system_on_the_page_and_bad_fields_are_named(web, priya, mateo):
    web.sign_in("mateo@example.com")
    wrong = web.post("/systems", {"name": "", "owner": "", "rights": "access"})
    assert wrong.status_code == 422
    assert 'id="name-error"' in wrong.text
    assert 'id="owner-error"' in wrong.text
    assert "name at least one data context" in wrong.text
    assert _names() == []
    form = {"name": "CRM", "owner": "priya@example.com", "rights": ["access", "erasure"],
            "contexts": ["marketing"], "instructions": ""}  # fmt: skip
    added = web.post("/systems", form)
    assert added.status_code == 302
    assert "Added CRM." in web.get("/systems").text
    system = service.by_name(db.session, name="CRM")
    assert (system.contexts, system.rights, system.owner.name) == (
        ["marketing"],
        ["access", "erasure"],
        "Priya Raman",
    )


def test_the_dpo_changes_the_owner_and_retires_a_system_on_the_page(web, priya, tomasz, dana):
    system_id = _add().id
    web.sign_in("dana@example.com")
    moved = web.post(f"/systems/{system_id}/owner", {"owner": "tomasz@example.com"})
    assert moved.status_code == 302
    assert "CRM now belongs to Tomasz Nowak." in web.get("/systems").text
    unknown = web.post(f"/systems/{system_id}/owner", {"owner": "gone@example.com"})
    assert "CRM was not changed: owner no active staff member" in web.get(unknown.location).text
    db.session.expire_all()
    assert service.get(db.session, system_id=system_id).owner.email == "tomasz@example.com"
    web.post(f"/systems/{system_id}/retire")
    page = web.get("/systems").text
    assert "Retired CRM: new requests no longer get a task for it." in page
    assert "Retired 2 Nov 2026" in page
    assert _names() == []
    assert web.post("/systems/999/retire").status_code == 404
