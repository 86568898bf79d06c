"""Tasks in Debian's Chromium: a system owner works through My tasks, on a laptop and a phone."""

from __future__ import annotations

from casetracker.demo import data as demo_data
from tests.browser import screenshot
from tests.dashboard.test_phone import lines_beside_labels

PRIYA = "priya.raman@demo.casetracker.test"
PHONE = {"width": 375, "height": 812}


def sign_in(page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/my-cases")


def test_a_system_owner_blocks_a_task_saying_why_then_marks_it_done(page, demo):
    sign_in(page, PRIYA)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My tasks").click()
    page.wait_for_url("**/my-tasks")
    screenshot(page, "my-tasks")
    first = page.locator("table.cards tbody tr").first
    system = first.locator('td[data-label="System"]').inner_text()
    first.get_by_role("link").click()
    page.wait_for_url("**/cases/*")

    task = page.locator("li.task").filter(has=page.get_by_role("heading", name=system))
    task.locator("summary", has_text="Blocked…").click()
    task.get_by_role("button", name="Mark blocked").click()
    task = page.locator("li.task").filter(has=page.get_by_role("heading", name=system))
    reason = task.get_by_label(f"What blocks the {system} task?")
    assert reason.get_attribute("aria-invalid") == "true"
    assert "say what blocks the task" in task.locator(".field-error").inner_text()
    screenshot(page, "case-task-blocked-without-reason")

    reason.fill("The export tool is down until Monday.")
    task.get_by_role("button", name="Mark blocked").click()
    assert f"The {system} task is now blocked." in page.locator(".flash-success").inner_text()
    task = page.locator("li.task").filter(has=page.get_by_role("heading", name=system))
    assert task.locator(".tag").inner_text() == "Blocked"
    screenshot(page, "case-tasks")

    task.get_by_role("button", name=f"Done with the {system} task").click()
    assert f"The {system} task is now done." in page.locator(".flash-success").inner_text()
    # The refused form came back with 422, which Chromium reports; nothing else went wrong.
    assert [e for e in page.watch.console_errors if "422" not in e] == []


def test_my_tasks_the_case_tasks_and_the_task_metrics_fit_a_phone(browser, live_server, demo):
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    tab = context.new_page()
    sign_in(tab, PRIYA)
    tab.goto("/my-tasks")
    assert lines_beside_labels(tab, "table.cards td") == []
    screenshot(tab, "phone-my-tasks", full_page=False)
    reference = tab.locator("table.cards tbody th a").first.inner_text()
    for path, name in [
        ("/my-tasks", "phone-my-tasks"),
        (f"/cases/{reference}", "phone-case-tasks"),
        ("/metrics", "phone-task-metrics"),
    ]:
        tab.goto(path)
        if path == "/metrics":
            tab.locator("table.cards").scroll_into_view_if_needed()
            assert lines_beside_labels(tab, "table.cards td") == []
        if path.startswith("/cases"):
            tab.locator("#tasks-title").scroll_into_view_if_needed()
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
        screenshot(tab, name, full_page=False)
    context.close()
