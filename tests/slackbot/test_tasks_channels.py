"""A request's tasks closed from Slack, the API and the dashboard, in any order, leave the
request resolvable, and not before."""

from __future__ import annotations

import pytest

from casetracker.extensions import db
from casetracker.systems import service as systems
from tests.dashboard.conftest import Web, person
from tests.slackbot.conftest import PRIYA, click
from tests.slackbot.test_tasks import task_dm, tasks_of

ORDERS = [("slack", "api", "web"), ("web", "slack", "api"), ("api", "web", "slack")]


@pytest.mark.parametrize("order", ORDERS)
def test_tasks_closed_from_every_channel_in_any_order_leave_the_request_resolvable(
    order, slack, fake_slack, api, client, in_work, priya
):
    data = {"name": "Data warehouse", "owner": priya.email, "contexts": "marketing"}
    systems.add_system(db.session, data={**data, "rights": "erasure"})
    case = in_work()
    reference = case["reference"]
    person("dora@example.com", "Dora DPO", "dpo")
    web = Web(client)
    web.sign_in("dora@example.com")
    tasks = tasks_of(api, reference)
    assert sorted(tasks) == ["CRM", "Data warehouse", "Newsletter tool"]

    def close(channel: str, system: str) -> None:
        task_id = tasks[system]["id"]
        if channel == "slack":
            click(slack, task_dm(fake_slack, system), "task_done", user=PRIYA)
        elif channel == "api":
            url = f"/api/v1/cases/{reference}/tasks/{task_id}"
            assert api.post(url, json={"status": "no_data"}).status_code == 200
        else:
            form = {"status": "done"}
            assert web.post(f"/cases/{reference}/tasks/{task_id}", form).status_code == 302

    for channel, system in zip(order, sorted(tasks), strict=True):
        current = api.get(f"/api/v1/cases/{reference}").json
        assert api.act(current, "resolve", outcome="complied").status_code == 409
        close(channel, system)

    finished = tasks_of(api, reference)
    assert {t["status"] for t in finished.values()} <= {"done", "no_data"}
    current = api.get(f"/api/v1/cases/{reference}").json
    assert api.act(current, "resolve", outcome="complied").status_code == 200
