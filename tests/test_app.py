"""Start-up, health and the API's documentation."""

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import pytest

from casetracker import create_app
from casetracker.config import ConfigError
from casetracker.policy import PolicyError

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_healthz_and_api_answer_503_when_the_database_is_unreachable(tmp_path, clock):
    app = create_app(
        {
            "TESTING": True,
            "NOW": clock,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    response = client.get("/api/v1/cases", headers={"Authorization": "Bearer ct_a_b"})
    assert response.status_code == 503
    assert "database" in response.get_json()["error"]


def test_refuses_to_start_outside_development_without_a_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_refuses_a_rate_limit_it_cannot_read():
    with pytest.raises(ConfigError, match="SIGN_IN_RATE_LIMIT: 'ten a minute' is not a rate limit"):
        create_app({"TESTING": True, "SIGN_IN_RATE_LIMIT": "ten a minute"})


def test_refuses_an_unknown_time_zone():
    with pytest.raises(ConfigError, match="CASETRACKER_TIMEZONE"):
        create_app({"TESTING": True, "CASETRACKER_TIMEZONE": "Mars/Olympus"})


def test_a_bad_policy_file_stops_start_up_naming_the_key(tmp_path):
    default = resources.files("casetracker.policy").joinpath("default.toml").read_text()
    broken = tmp_path / "policy.toml"
    broken.write_text(default.replace('before_due = ["7 days"', 'before_due = ["7 dayz"', 1))
    with pytest.raises(PolicyError, match=r"reminders\.before_due.*7 dayz"):
        create_app({"TESTING": True, "CASETRACKER_POLICY": str(broken)})


def test_openapi_document_lists_the_case_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {
        "/api/v1/cases",
        "/api/v1/cases/{reference}",
        "/api/v1/cases/{reference}/actions",
        "/api/v1/cases/{reference}/events",
    } <= set(document["paths"])
    create = document["paths"]["/api/v1/cases"]["post"]
    assert "requestBody" in create


def test_the_document_built_on_first_read_is_whole_for_readers_at_once(app):
    # It is built when first asked for: eight readers at once get one and the same document.
    with ThreadPoolExecutor(max_workers=8) as readers:
        answers = list(
            readers.map(lambda _: app.test_client().get("/api/v1/openapi.json"), range(8))
        )

    assert [answer.status_code for answer in answers] == [200] * 8
    assert len({answer.get_data() for answer in answers}) == 1
    paths = answers[0].get_json()["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/{reference}/tasks", "/healthz"} <= set(paths)


def test_swagger_ui_is_served_from_local_files(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets, page
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by casetracker"
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()


def test_the_command_line_names_a_setting_to_fix_instead_of_a_traceback(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/cli.db"
    done = subprocess.run(
        [sys.executable, "-m", "casetracker", "jobs", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "Error: casetracker cannot start: SECRET_KEY: set a long random value" in done.stderr
    assert "Traceback" not in done.stderr
