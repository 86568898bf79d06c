"""The case page's response panel: release and revoke from the dashboard."""

from __future__ import annotations

from sqlalchemy import func, select

from casetracker.extensions import db
from casetracker.responses.models import ResponsePackage
from tests.responses.conftest import release, upload


def _packages() -> int:
    return db.session.scalar(select(func.count()).select_from(ResponsePackage))


def test_the_dpo_releases_the_response_with_the_chosen_files(request_case, dana, web):
    reference = request_case()
    chosen = upload(reference, dana, "crm.csv", b"email\nerika@example.org\n")
    web.sign_in(dana.email)
    page = web.get(f"/cases/{reference}").text
    assert "Response to the individual" in page
    assert f'name="attachment_ids" value="{chosen}"' in page

    form = {"attachment_ids": str(chosen), "days": "7", "max_downloads": "2"}
    done = web.post(f"/cases/{reference}/response", form)
    assert done.status_code == 302
    page = web.get(done.location).text
    assert "The response is ready for the individual (package #1)" in page
    assert "your-data.json, your-data.csv, files/crm.csv" in page
    assert "0 of 2" in page
    assert "Revoke" in page


def test_a_bad_release_names_the_field_and_releases_nothing(request_case, dana, web):
    reference = request_case()
    web.sign_in(dana.email)
    wrong = web.post(f"/cases/{reference}/response", {"days": "0", "max_downloads": "5"})
    assert wrong.status_code == 422
    assert 'id="days-error"' in wrong.text
    assert 'aria-invalid="true" aria-describedby="days-error"' in wrong.text
    assert _packages() == 0


def test_staff_who_may_not_see_the_individual_get_no_form_and_cannot_release(
    request_case, dana, priya, web
):
    reference = request_case()
    release(reference, dana)
    web.sign_in(priya.email)
    page = web.get(f"/cases/{reference}").text
    assert "Response to the individual" in page
    assert "Release the response</summary>" not in page
    refused = web.post(f"/cases/{reference}/response", {"days": "7"})
    assert refused.status_code == 403
    assert _packages() == 1


def test_revoking_from_the_page_stops_the_link(request_case, dana, web, client):
    reference = request_case()
    package = release(reference, dana)
    web.sign_in(dana.email)
    revoked = web.post(f"/cases/{reference}/response/{package.id}/revoke")
    assert revoked.status_code == 302
    page = web.get(revoked.location).text
    assert f"Response package #{package.id} revoked" in page
    assert "Revoked" in page
    assert web.post(f"/cases/{reference}/response/99/revoke").status_code == 404


def test_complaints_have_no_response_panel(request_case, dana, web):
    reference = request_case(kind="complaint", right=None)
    web.sign_in(dana.email)
    assert "Response to the individual" not in web.get(f"/cases/{reference}").text


def test_staff_who_may_not_see_the_individual_see_no_file_names_in_the_packages(
    request_case, dana, priya, web
):
    reference = request_case()
    chosen = upload(reference, dana, "erika-mustermann-crm.csv", b"email\nerika@example.org\n")
    release(reference, dana, attachment_ids=[chosen])
    web.sign_in(priya.email)
    page = web.get(f"/cases/{reference}").text
    assert "erika-mustermann" not in page
    assert "3 files <small>(names visible to the DPO and the case owner)</small>" in page
