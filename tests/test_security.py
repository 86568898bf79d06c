"""Pages that can show personal data cannot be framed, sniffed or leak their address."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetracker import create_app
from casetracker.extensions import db
from tests.conftest import _settings


@pytest.mark.parametrize("path", ["/sign-in", "/complaints/new", "/api/v1/cases", "/healthz"])
def test_every_answer_forbids_framing_and_sniffing(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy


def test_no_page_of_ours_runs_inline_script(app):
    ours = str(Path(app.root_path) / "templates")
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith(".html")):
        source, filename, _ = app.jinja_env.loader.get_source(app.jinja_env, name)
        if not filename.startswith(ours) or name.startswith("intake/email/"):
            continue  # the API docs viewer's own page; emails are not pages
        assert " onclick=" not in source, name
        assert "<script>" not in source, name


def test_the_api_docs_page_still_starts_its_viewer(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in response.headers["Content-Security-Policy"]


def test_hsts_only_when_the_product_is_served_over_https(database_url, clock, client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = create_app(_settings(database_url, clock, CASETRACKER_BASE_URL="https://p.test"))
    with secure.app_context():
        response = secure.test_client().get("/healthz")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        db.session.remove()
        db.engine.dispose()
