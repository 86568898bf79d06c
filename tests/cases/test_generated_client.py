"""A client generated from the OpenAPI document, by a tool nobody here wrote, works the API."""

from __future__ import annotations

import importlib
import sys

import pytest
from openapi_python_client import generate
from openapi_python_client.config import Config, ConfigFile, MetaType

from tests import factories

PACKAGE = "casetracker_client"


@pytest.fixture
def generated(live_server, tmp_path, monkeypatch):
    """Generate a client package from the live document and make it importable."""
    config = Config.from_sources(
        ConfigFile(post_hooks=[]),  # no formatting: only the code matters here
        MetaType.NONE,
        f"{live_server}/api/v1/openapi.json",
        "utf-8",
        False,
        tmp_path / PACKAGE,
    )
    assert [str(problem) for problem in generate(config=config)] == []
    monkeypatch.syspath_prepend(str(tmp_path))
    yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def test_a_generated_client_opens_a_case_and_acts_on_it(live_app, live_server, generated):
    staff = factories.staff(email="sam@example.com", name="Sam Staff")
    client = generated("client").AuthenticatedClient(
        base_url=live_server, token=factories.token(staff, scopes=["pii"])
    )
    models = generated("models")
    create = generated("api.cases.post_api_v1_cases")
    act = generated("api.cases.post_api_v1_cases_reference_actions")
    read = generated("api.cases.get_api_v1_cases_reference")

    body = models.ComplaintCreate.from_dict(factories.case_payload())
    case = create.sync(client=client, body=body)
    assert isinstance(case, models.Case), case
    assert (case.stage, case.status) == ("received", "open")

    acknowledge = models.AcknowledgeAction(
        action=models.AcknowledgeActionAction.ACKNOWLEDGE, version=case.version
    )
    case = act.sync(case.reference, client=client, body=acknowledge)
    assert isinstance(case, models.Case), case
    hold = models.HoldAction(
        action=models.HoldActionAction.HOLD, version=case.version, reason="Waiting for ID"
    )
    held = act.sync(case.reference, client=client, body=hold)
    assert isinstance(held, models.Case), held

    case = read.sync(case.reference, client=client)
    assert (case.stage, case.status, case.hold_reason) == (
        "internal_review",
        "on_hold",
        "Waiting for ID",
    )
    assert case.acknowledged_at is not None
    stale = act.sync(case.reference, client=client, body=hold)  # the version before the hold
    assert isinstance(stale, models.Error)
    assert "resume" in stale.allowed_actions
