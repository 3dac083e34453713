"""A big execution's page shows the first and the latest rows of its tables and the timeline of its latest tasks;
"show more" brings the rest a page at a time, escaped as the page is, and the live update leaves out a row the
page does not show."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from simpleflow.ui import window
from tests.ui.conftest import SCRIPT_INPUT, execution_url
from tests.ui.test_update import ACTIVITY, DecidedRun, _updated

TASKS = 400  # over HEAD + TAIL rows, and over TIMELINE_TAIL tasks
BATCH = 100  # activities a decision schedules
LATE = 50  # left open until the test completes it: a task in the gap of the task table
ESCAPED = 60  # its result holds a script tag: a task in the gap too


def _schedule(number: int) -> dict:
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": ACTIVITY,
            "activityId": f"step-{number}",
            "taskList": {"name": "later" if number == LATE else "work"},
            "scheduleToCloseTimeout": "600",
            "scheduleToStartTimeout": "600",
            "startToCloseTimeout": "600",
            "heartbeatTimeout": "NONE",
        },
    }


def _work_one(run: DecidedRun, task_list: str = "work") -> None:
    task = run._poll("poll_for_activity_task", taskList={"name": task_list}, identity="box-7")
    number = int(task["activityId"].split("-")[1])
    result = SCRIPT_INPUT if number == ESCAPED else json.dumps({"step": number})
    run.swf.respond_activity_task_completed(taskToken=task["taskToken"], result=result)


@pytest.fixture(scope="module")
def big_run(moto_server) -> DecidedRun:
    """An open run of 400 activities (about 1,200 events), all completed but ``step-50``."""
    run = DecidedRun()
    for start in range(0, TASKS, BATCH):
        run.decide(*(_schedule(number) for number in range(start, start + BATCH)))
        todo = BATCH - (start <= LATE < start + BATCH)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: _work_one(run), range(todo)))
    return run


def _task_ids(page) -> list[int]:
    return page.eval_on_selector_all(
        "#task-rows tr[data-task-id]", "rows => rows.map(row => +row.dataset.taskId.split('-')[1])"
    )


def _event_ids(page) -> list[int]:
    return page.eval_on_selector_all("#history tr[data-type]", "rows => rows.map(row => +row.id.split('-')[1])")


def _more(page, kind: str, expected_rows: int) -> None:
    page.click(f"#{kind}-more")
    selector = "#task-rows tr[data-task-id]" if kind == "tasks" else "#history tr[data-type]"
    page.wait_for_function("([s, n]) => document.querySelectorAll(s).length === n", arg=[selector, expected_rows])


def test_a_big_run_shows_its_first_and_latest_rows_and_more_brings_the_rest(big_run, own_page, shots):
    ui, page = own_page(big_run.domain)
    page.clock.install()
    page.goto(execution_url(ui, big_run.domain, big_run.ids))
    page.evaluate("window.loadedOnce = true")
    last = int(page.get_attribute("body", "data-last"))
    head, tail = window.HEAD, window.TAIL
    assert _event_ids(page) == [*range(1, head + 1), *range(last - tail + 1, last + 1)]
    assert _task_ids(page) == [*range(head), *range(TASKS - tail, TASKS)]  # the first and the latest
    assert page.inner_text("#tasks .gap .hidden-count") == str(TASKS - tail - head)
    assert page.inner_text("#timeline-window") == f"of the latest tasks ({window.TIMELINE_TAIL} of {TASKS})"
    assert f"{window.TIMELINE_TAIL} task(s)" in page.text_content("[data-part=timeline] svg .subtitle")
    page.locator("#tasks .gap").scroll_into_view_if_needed()
    shots(page, "tasks-gap", full_page=False)

    # The task in the gap completes: the update does not add its row at the end (a "more" brings it).
    _work_one(big_run, "later")
    _updated(page)
    assert _event_ids(page)[-1] > last and len(_task_ids(page)) == head + tail
    assert page.locator('#task-rows tr[data-task-id="step-50"]').count() == 0

    wrong = "**/execution/more?*"  # an answer that is an error: the gap says it, the button stays
    page.route(wrong, lambda route: route.continue_(url=route.request.url.replace("kind=tasks", "kind=nothing")))
    page.click("#tasks-more")
    page.wait_for_selector("#tasks .more-failed:not([hidden])")
    assert "could not load more: more of what? kind=" in page.inner_text("#tasks .more-failed")
    page.unroute(wrong)
    page.route(wrong, lambda route: route.fulfill(status=401, body="<p>locked</p>", content_type="text/html"))
    page.click("#tasks-more")
    page.wait_for_function("() => document.querySelector('#tasks .more-failed').textContent.includes('HTTP 401')")
    assert page.inner_text("#tasks .more-failed") == "could not load more: HTTP 401"
    page.unroute(wrong)
    _more(page, "tasks", TASKS)
    assert _task_ids(page) == list(range(TASKS)) and page.locator("#tasks-more").count() == 0
    assert page.get_attribute('#task-rows tr[data-task-id="step-50"]', "data-state") == "completed"
    escaped = page.locator(f'#task-rows tr[data-task-id="step-{ESCAPED}"] td.value')
    assert escaped.inner_text() == SCRIPT_INPUT and escaped.locator("script").count() == 0
    assert page.dialogs == []

    shown = len(_event_ids(page))
    hidden = last - head - tail
    _more(page, "events", shown + window.PAGE)
    assert page.inner_text("#history .gap .hidden-count") == str(hidden - window.PAGE)
    page.fill("#history-search", "step-250")  # the search looks in the rows added too (this page holds it)
    assert page.locator("#history tr[data-type]:not(.hidden)").count() > 0
    page.fill("#history-search", "")
    _more(page, "events", shown + hidden)
    assert _event_ids(page) == list(range(1, _event_ids(page)[-1] + 1)) and page.locator("#events-more").count() == 0

    page.click("#timeline-more")
    page.wait_for_selector("#timeline-earlier svg")
    assert f"{TASKS - window.TIMELINE_TAIL} task(s)" in page.text_content("#timeline-earlier svg .subtitle")
    assert page.locator("#timeline-more").count() == 0 and page.evaluate("window.loadedOnce === true")


def _get(url: str, headers: dict | None = None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read()) if "json" in (refused.headers["content-type"] or "") else {}


def test_more_is_read_only_without_the_token_for_this_host_only_locked_beyond_loopback_and_says_what_is_wrong(
    big_run, own_ui
):
    ui = own_ui(big_run.domain)
    more = execution_url(ui, big_run.domain, big_run.ids).replace("/execution?", "/execution/more?")
    status, page = _get(more + "&kind=tasks&before=100")  # no token, on loopback: pages may be read
    assert status == 200 and page["before"] == window.HEAD and page["hidden"] == 0
    assert page["html"].count("<tr data-task-id=") == 100 - window.HEAD
    assert "&lt;script&gt;" in page["html"] and "<script>" not in page["html"]
    status, page = _get(more + "&kind=events&before=-7")  # (kept within the gap)
    assert status == 200 and page["html"] == "" and page["before"] == window.HEAD
    for query, words in (("&kind=secrets&before=1", "kind="), ("&kind=tasks&before=x", "before=N")):
        status, page = _get(more + query)
        assert status == 400 and words in page["error"], page
    assert _get(more + "&kind=tasks&before=100", {"Host": "evil.example"})[0] == 421  # (DNS rebinding)
    exposed = own_ui(big_run.domain, "--host", "0.0.0.0")  # noqa: S104
    status, _ = _get(more.replace(ui.base, exposed.base) + "&kind=tasks&before=100")
    assert status == 401
