"""An open execution's page follows its run in place: task rows change where they are, the update waits
while a value it would replace is unfolded (the header says so), and the run's close reloads the page once."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from tests.ui.conftest import execution_url
from tests.ui.test_reload import OpenRun

ACTIVITY = {"name": "a", "version": "1"}
BIG_RESULT = "r" * 1_000  # folded on the page


class DecidedRun(OpenRun):
    """An open run decided by the test itself, through SWF's API (its decision task list is "nobody")."""

    def __init__(self) -> None:
        super().__init__()
        self.swf.register_activity_type(domain=self.domain, **ACTIVITY)

    def _poll(self, call: str, **kwargs) -> dict:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            task = getattr(self.swf, call)(domain=self.domain, **kwargs)
            if task.get("taskToken"):
                return task
        raise AssertionError(f"no task from {call}")

    def decide(self, *decisions: dict) -> None:
        task = self._poll("poll_for_decision_task", taskList={"name": "nobody"})
        self.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=list(decisions))

    def complete_activity(self, result: str) -> None:
        task = self._poll("poll_for_activity_task", taskList={"name": "work"}, identity="box-7")
        self.swf.respond_activity_task_completed(taskToken=task["taskToken"], result=result)


SCHEDULE = {
    "decisionType": "ScheduleActivityTask",
    "scheduleActivityTaskDecisionAttributes": {
        "activityType": ACTIVITY,
        "activityId": "step-1",
        "taskList": {"name": "work"},
        "scheduleToCloseTimeout": "600",
        "scheduleToStartTimeout": "600",
        "startToCloseTimeout": "600",
        "heartbeatTimeout": "NONE",
    },
}
COMPLETE = {"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {"result": "1"}}


def _updated(page) -> None:
    with page.expect_response(lambda answer: "/execution/update?" in answer.url):
        page.clock.run_for(6_000)
    page.wait_for_function("() => document.getElementById('refresh-note').textContent.indexOf('refreshes') === 0")


def test_task_rows_change_in_place_the_update_waits_for_an_unfolded_value_and_a_close_reloads(moto_server, own_page):
    run = DecidedRun()
    run.decide(SCHEDULE)
    ui, page = own_page(run.domain)
    page.clock.install()
    page.goto(execution_url(ui, run.domain, run.ids))
    page.evaluate("window.loadedOnce = true")
    row = page.locator('#task-rows tr[data-task-id="step-1"]')
    assert row.get_attribute("data-state") == "scheduled"
    assert "activity step-1" in page.inner_text("#waiting")
    events = page.locator("#history tr[data-type]").count()

    run.complete_activity(BIG_RESULT)
    _updated(page)
    assert row.get_attribute("data-state") == "completed" and page.locator("#task-rows tr").count() == 1
    assert "activity step-1" not in page.inner_text("#waiting")
    assert page.locator("#history tr[data-type]").count() > events
    assert page.evaluate("window.loadedOnce === true")

    row.locator("details summary").click()  # reading the folded result: an update would close it
    run.signal("while-reading")
    page.clock.run_for(6_000)
    assert "paused" in page.inner_text("#refresh-note")
    assert page.locator('#history td.value:has-text("while-reading")').count() == 0
    assert row.locator("details").get_attribute("open") is not None
    row.locator("details summary").click()  # folded again: the update brings what came meanwhile
    _updated(page)
    assert page.locator('#history td.value:has-text("while-reading")').count() == 1

    run.decide(COMPLETE)
    with page.expect_navigation():  # closed: the page is loaded whole once, then stays
        page.clock.run_for(6_000)
    assert page.inner_text("h1 .badge") == "COMPLETED" and page.locator("#outcome").is_visible()
    assert page.get_attribute("body", "data-refresh") is None and page.locator("#waiting").count() == 0


# "__proto__": a workflow id SWF takes, and a name a plain JS object's keys cannot hold.
@pytest.mark.parametrize("named", ["child-", "__proto__"])
def test_a_child_row_comes_and_changes_in_place(moto_server, own_page, named):
    run = DecidedRun()
    child_id = f"child-{run.workflow_id}" if named == "child-" else named
    start_child = {
        "decisionType": "StartChildWorkflowExecution",
        "startChildWorkflowExecutionDecisionAttributes": {
            "workflowType": {"name": "w", "version": "1"},
            "workflowId": child_id,
            "taskList": {"name": "child-decisions"},  # (not the test's: it decides the parent only)
        },
    }
    ui, page = own_page(run.domain)
    page.clock.install()
    page.goto(execution_url(ui, run.domain, run.ids))
    page.evaluate("window.loadedOnce = true")
    assert page.locator("#children").is_hidden()

    run.decide(start_child)
    _updated(page)
    row = page.locator(f'#child-rows tr[data-key="{child_id}"]')
    assert page.locator("#children").is_visible() and row.locator(".state").inner_text() == "started"
    assert row.locator("a").inner_text() == child_id

    run.swf.terminate_workflow_execution(domain=run.domain, workflowId=child_id)
    _updated(page)
    assert row.locator(".state").inner_text() == "terminated" and page.locator("#child-rows tr").count() == 1
    assert page.inner_text("#children h2 .count") == "1" and page.evaluate("window.loadedOnce === true")


def test_an_update_that_fails_says_why_in_json_and_a_run_gone_stops_the_updates(moto_server, own_page):
    """The page's fetch gets ``{"error": ...}`` (not an error page it cannot read) with the status; the note says
    the error; a 404 (the run is not there) stops the updates instead of trying again forever."""
    run = DecidedRun()
    ui, page = own_page(run.domain)
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    gone = execution_url(ui, run.domain, (run.workflow_id, "no-such-run")).replace("/execution?", "/execution/update?")
    for query, status in ((gone + "&after=1", 404), (gone + "&after=x", 400)):
        request = urllib.request.Request(query, headers={"Cookie": cookies, "Accept": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(request, timeout=10)
        assert failed.value.code == status
        assert failed.value.headers["content-type"] == "application/json"
        assert set(json.loads(failed.value.read())) == {"error"}

    page.clock.install()
    page.goto(execution_url(ui, run.domain, run.ids))
    asked: list[str] = []
    # The run is gone from the page's point of view: its updates ask the server about a run it does not have.
    page.route(
        "**/execution/update?*",
        lambda route: (
            asked.append(route.request.url),
            route.continue_(url=route.request.url.replace(run.run_id, "no-such-run")),
        ),
    )
    with page.expect_response(lambda answer: "/execution/update?" in answer.url):
        page.clock.run_for(6_000)
    page.wait_for_function("() => document.getElementById('refresh-note').textContent.indexOf('updates stopped') === 0")
    assert "no-such-run" in page.inner_text("#refresh-note")
    page.clock.run_for(60_000)
    assert len(asked) == 1


def test_an_update_is_for_this_ui_s_pages_and_domains_only(moto_server, own_ui):
    """No CORS header lets another site's page read an update, a Host not naming this machine is refused (DNS
    rebinding), and a domain the UI was not started with is a 404, even one SWF has."""
    run = DecidedRun()
    other = DecidedRun()  # a registered domain this UI does not show
    ui = own_ui(run.domain)
    update = execution_url(ui, run.domain, run.ids).replace("/execution?", "/execution/update?")
    request = urllib.request.Request(update + "&after=1", headers={"Origin": "http://evil.example"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert not [name for name in answer.headers if name.lower().startswith("access-control-")]
        assert answer.headers["content-type"] == "application/json" and json.loads(answer.read())["last"] > 0
    for headers, address, status in (
        ({"Host": "evil.example"}, update, 421),
        ({}, execution_url(ui, other.domain, other.ids).replace("/execution?", "/execution/update?"), 404),
    ):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(address + "&after=1", headers=headers), timeout=10)
        assert refused.value.code == status, address


@pytest.mark.parametrize("levels", [990, 5_000])  # (parsed, then too deep to render; too deep to parse)
def test_fields_nested_too_deep_are_shown_as_their_text(moto_server, own_ui, levels):
    """Whoever starts or signals a run writes its fields: one nested deeper than ``format.MAX_JSON_DEPTH`` is
    shown as sent, and the run's page and its updates answer, not an internal error."""
    deep = "[" * levels + "]" * levels
    run = DecidedRun()
    started = run.swf.start_workflow_execution(
        domain=run.domain, workflowId="deep-input", workflowType={"name": "w", "version": "1"}, input=deep
    )
    run.swf.signal_workflow_execution(domain=run.domain, workflowId=run.workflow_id, signalName="s", input=deep)
    task = run._poll("poll_for_decision_task", taskList={"name": "nobody"})
    run.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[SCHEDULE], executionContext=deep)
    run.complete_activity(deep)
    ui = own_ui(run.domain)
    for ids in (("deep-input", started["runId"]), run.ids):
        page = execution_url(ui, run.domain, ids)
        with urllib.request.urlopen(page, timeout=10) as answer:
            assert "[[[[[[" in answer.read().decode(), page
        with urllib.request.urlopen(page.replace("/execution?", "/execution/update?") + "&after=1") as answer:
            assert json.loads(answer.read())["reload"] is False
