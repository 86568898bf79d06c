"""The individual's link: it shows what it holds, each download is counted and audited, and
a dead link of any kind gets one and the same page."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select

from casetracker import storage
from casetracker.cases import purge
from casetracker.cases import service as cases
from casetracker.cases.access import web_actor
from casetracker.cases.models import Event
from casetracker.extensions import db
from casetracker.responses import service
from casetracker.responses.models import ResponsePackage
from tests.responses.conftest import release, upload

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _url(package) -> str:
    return f"/complaints/response/{service.token_of(package)}"


def _download(client, url, *, form_from=None):
    """Press the page's Download button (a dead link's page has none: use a live one's form)."""
    token = CSRF.search(client.get(form_from or url).text).group(1)
    response = client.post(url, data={"csrf_token": token})
    response.get_data()  # read the file, then let it go
    response.close()
    return response


def _downloads() -> list[str]:
    events = db.session.scalars(select(Event).where(Event.action == "response_downloaded"))
    return [event.reason for event in events]


def test_the_link_shows_the_response_and_each_download_is_audited(request_case, dana, client):
    reference = request_case()
    upload(reference, dana, "crm.csv", b"email\nerika@example.org\n")
    package = release(reference, dana, attachment_ids=[1], max_downloads=2)
    page = client.get(_url(package))
    assert page.status_code == 200
    assert "Your response is ready" in page.text
    assert "files/crm.csv" in page.text
    assert "2 more times" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert _downloads() == []  # looking is not downloading

    got = _download(client, _url(package))
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "application/zip"
    assert f"filename={reference}-your-data.zip" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "files/crm.csv" in zipfile.ZipFile(io.BytesIO(got.data)).namelist()
    assert _downloads() == [f"response package #{package.id} downloaded (1 of 2)"]
    assert "1 more times" in client.get(_url(package)).text


def test_every_dead_link_gets_the_same_page(request_case, dana, client, clock):
    used_up = release(request_case(), dana, max_downloads=1)
    _download(client, _url(used_up))
    expired = release(request_case(), dana, days=1)
    clock.advance(days=2)
    live = release(request_case(), dana)
    token = service.token_of(live)
    dead = {
        "used up": _url(used_up),
        "expired": _url(expired),
        "tampered": f"/complaints/response/{token[:-1]}{'0' if token[-1] != '0' else '1'}",
        "unknown": "/complaints/response/" + "a" * 64,
        "cut short": f"/complaints/response/{token[:20]}",
    }
    pages = {name: client.get(url) for name, url in dead.items()}
    assert {page.status_code for page in pages.values()} == {404}
    # The same page, apart from the address it echoes in its language links.
    bodies = {page.text.replace(dead[name].rsplit("/", 1)[1], "…") for name, page in pages.items()}
    assert len(bodies) == 1
    assert "This link no longer works" in pages["unknown"].text
    posted = _download(client, _url(expired), form_from=_url(live))
    assert posted.status_code == 404
    assert "This link no longer works" in posted.text
    assert len(_downloads()) == 1
    assert client.get(_url(live)).status_code == 200


def test_a_revoked_link_stops_at_once(request_case, dana, client):
    reference = request_case()
    package = release(reference, dana)
    live = _url(release(request_case(), dana))
    case = cases.get_case(db.session, reference=reference)
    service.revoke(
        db.session, reference=reference, package_id=package.id,
        actor=web_actor(dana, case), source="web",
    )  # fmt: skip
    assert client.get(_url(package)).status_code == 404
    assert _download(client, _url(package), form_from=live).status_code == 404
    revoked = db.session.scalars(select(Event).where(Event.action == "revoke_response")).one()
    assert revoked.reason == f"response package #{package.id} revoked: its link no longer works"


def test_the_retention_purge_deletes_the_archive(request_case, dana, client, clock):
    reference = request_case()
    package = release(reference, dana)
    path = storage.path_for(package.sha256)
    assert path.exists()
    current = cases.get_case(db.session, reference=reference)
    cases.perform(
        db.session, reference=reference, action="resolve", version=current.version,
        params={"outcome": "complied"}, actor=web_actor(dana, current), source="web",
    )  # fmt: skip
    clock.advance(days=800)
    purge.purge(db.session, now=clock.at)
    assert not path.exists()
    db.session.expire_all()
    assert db.session.get(ResponsePackage, package.id).erased_at == clock.at
    assert client.get(_url(package)).status_code == 404
