"""The DPO reads who saw the personal data, per case and per staff member; nobody else may."""

from __future__ import annotations

from tests import factories
from tests.accesslog.conftest import log, token_label


def _viewed(owner_api, dpo_api, reference):
    owner_api.get(f"/api/v1/cases/{reference}")
    dpo_api.get(f"/api/v1/cases/{reference}")
    owner_api.get(f"/api/v1/cases/{reference}")


def test_the_dpo_reads_every_view_of_a_case_newest_first(
    owner_api, owner_token, dpo_api, priya, dana, complaint
):
    _viewed(owner_api, dpo_api, complaint.reference)
    answer = dpo_api.get(f"/api/v1/cases/{complaint.reference}/access-log")
    assert answer.status_code == 200
    body = answer.json
    assert body["total"] == 3
    assert body["next_cursor"] is None
    assert [item["staff"] for item in body["items"]] == [priya.email, dana.email, priya.email]
    newest = body["items"][0]
    assert newest == {
        "id": newest["id"],
        "at": "2026-11-02T09:00:00+00:00",
        "staff": priya.email,
        "staff_name": "Priya Raman",
        "actor": token_label(owner_token, priya),
        "channel": "api",
        "case": complaint.reference,
        "what": f"GET /api/v1/cases/{complaint.reference}",
    }
    assert len(log()) == 3, "reading the log is no view of the individual's data"


def test_the_case_log_comes_a_page_at_a_time(owner_api, dpo_api, complaint):
    _viewed(owner_api, dpo_api, complaint.reference)
    path = f"/api/v1/cases/{complaint.reference}/access-log"
    first = dpo_api.get(f"{path}?limit=2").json
    assert (len(first["items"]), first["total"]) == (2, 3)
    rest = dpo_api.get(f"{path}?limit=2&cursor={first['next_cursor']}").json
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    ids = [item["id"] for item in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True)
    refused = dpo_api.get(f"{path}?cursor=yesterday")
    assert refused.status_code == 422
    assert refused.json["errors"] == {"cursor": ["not a cursor this API gave out"]}


def test_only_the_dpo_reads_the_log(owner_api, plain_api, dpo_api, priya, complaint):
    for reader in (owner_api, plain_api):
        refused = reader.get(f"/api/v1/cases/{complaint.reference}/access-log")
        assert refused.status_code == 403
        assert refused.json == {"error": "only the DPO reads the access log"}
        assert reader.get(f"/api/v1/access-log?staff={priya.email}").status_code == 403
    assert dpo_api.get("/api/v1/cases/PC-2026-09999/access-log").status_code == 404


def test_the_dpo_reads_what_one_staff_member_saw(owner_api, dpo_api, priya, dana, complaint):
    _viewed(owner_api, dpo_api, complaint.reference)
    mine = dpo_api.get(f"/api/v1/access-log?staff={priya.email}").json
    assert mine["total"] == 2
    assert {item["staff"] for item in mine["items"]} == {priya.email}
    assert {item["case"] for item in mine["items"]} == {complaint.reference}
    unknown = dpo_api.get("/api/v1/access-log?staff=nobody@example.com")
    assert unknown.status_code == 422
    assert unknown.json["errors"] == {"staff": ["no staff member with email nobody@example.com"]}
    assert dpo_api.get("/api/v1/access-log").status_code == 422


def test_the_case_page_shows_the_dpo_who_saw_the_data(web, owner_api, dana, priya, complaint):
    owner_api.get(f"/api/v1/cases/{complaint.reference}")
    web.sign_in(dana.email)
    page = web.get(f"/cases/{complaint.reference}").text
    assert "Who saw the personal data" in page
    assert "1 view recorded before this one" in page
    assert f'href="/access-log?staff={priya.id}">Priya Raman</a>' in page
    assert f"GET /api/v1/cases/{complaint.reference}" in page
    assert f'href="/access-log?case={complaint.reference}"' in page
    assert 'href="/access-log">Access log</a>' in page


def test_the_owner_sees_no_access_log(web, priya, complaint):
    web.sign_in(priya.email)
    page = web.get(f"/cases/{complaint.reference}").text
    assert "Who saw the personal data" not in page
    assert ">Access log</a>" not in page
    assert web.get(f"/access-log?case={complaint.reference}").status_code == 403
    assert web.get(f"/access-log?staff={priya.id}").status_code == 403


def test_the_dpo_pages_through_a_case_or_a_person(web, owner_api, dpo_api, dana, priya, complaint):
    _viewed(owner_api, dpo_api, complaint.reference)
    factories.staff(email="sam@example.com", name="Sam Staff")
    web.sign_in(dana.email)
    case_page = web.get(f"/access-log?case={complaint.reference}").text
    assert "<strong>3</strong> views of this case's personal data" in case_page
    assert case_page.count("Priya Raman") == 2
    person = web.get(f"/access-log?staff={priya.id}").text
    assert "<strong>2</strong> views of personal data by Priya Raman" in person
    picker = web.get("/access-log").text
    assert '<option value="' in picker
    assert "Sam Staff" in picker
    assert web.get("/access-log?staff=999").status_code == 404
    assert web.get("/access-log?case=PC-1999-00001").status_code == 404
    assert web.get(f"/access-log?staff={priya.id}&cursor=x").status_code == 302
    assert len(log()) == 3, "the log's own pages show no individual's data"
