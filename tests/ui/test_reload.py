"""An open execution's page reloads itself every few seconds: each reload fetches from SWF only the events
added since the one before (pages read newest first), not the whole history again."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from tests.ui.conftest import execution_url

EVENTS = 2_100  # over two of SWF's 1,000-event pages


class OpenRun:
    """An execution no decider answers, its history grown by signals (one event each)."""

    def __init__(self) -> None:
        self.swf = boto3.client("swf")
        self.domain = f"reload-{uuid.uuid4().hex[:8]}"
        self.swf.register_domain(name=self.domain, workflowExecutionRetentionPeriodInDays="1")
        self.swf.register_workflow_type(
            domain=self.domain,
            name="w",
            version="1",
            defaultTaskList={"name": "nobody"},
            defaultExecutionStartToCloseTimeout="3600",
            defaultTaskStartToCloseTimeout="600",
            defaultChildPolicy="TERMINATE",
        )
        self.workflow_id = uuid.uuid4().hex
        started = self.swf.start_workflow_execution(
            domain=self.domain, workflowId=self.workflow_id, workflowType={"name": "w", "version": "1"}
        )
        self.run_id = started["runId"]

    @property
    def ids(self) -> tuple[str, str]:
        return self.workflow_id, self.run_id

    def signal(self, name: str) -> None:
        self.swf.signal_workflow_execution(domain=self.domain, workflowId=self.workflow_id, signalName=name)


@pytest.fixture(scope="module")
def open_run(moto_server) -> OpenRun:
    run = OpenRun()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(run.signal, (f"s{i}" for i in range(EVENTS))))
    return run


@pytest.fixture
def history_calls(moto_server):
    """The number of events of each GetWorkflowExecutionHistory answer this process's SWF client gets."""
    from simpleflow.swf import client

    pages: list[int] = []

    def count(parsed, **_):
        pages.append(len(parsed.get("events", ())))

    events = client.swf_client().meta.events
    events.register("after-call.swf.GetWorkflowExecutionHistory", count)
    yield pages
    events.unregister("after-call.swf.GetWorkflowExecutionHistory", count)


def test_a_reload_fetches_only_the_events_added_since_the_last(open_run, history_calls):
    from simpleflow.ui.execution import ViewCache, load_view

    cache = ViewCache()
    first = load_view(open_run.domain, *open_run.ids, cache)
    assert len(first.events) > EVENTS and len(history_calls) == 3 and sum(history_calls) == len(first.events)
    history_calls.clear()
    second = load_view(open_run.domain, *open_run.ids, cache)
    assert history_calls == [100]  # one small page, newest first, reaches an event already held
    assert [e.event_id for e in second.events] == [e.event_id for e in first.events]
    history_calls.clear()
    open_run.signal("late-signal")
    third = load_view(open_run.domain, *open_run.ids, cache)
    assert history_calls == [100]
    assert third.events[-1].attributes["signalName"] == "late-signal"
    assert [e.event_id for e in third.events] == list(range(1, len(first.events) + 2))


def test_the_open_events_kept_are_those_of_a_few_runs_only(open_run, moto_server):
    from simpleflow.ui.execution import ViewCache, load_view

    cache = ViewCache(open_size=1)
    load_view(open_run.domain, *open_run.ids, cache)
    assert len(cache.events_held((open_run.domain, *open_run.ids))) > EVENTS
    other = OpenRun()
    load_view(other.domain, *other.ids, cache)
    assert cache.events_held((open_run.domain, *open_run.ids)) == []  # the least recently looked at went
    open_run.swf.terminate_workflow_execution(domain=other.domain, workflowId=other.workflow_id)
    load_view(other.domain, *other.ids, cache)  # closed: its view is kept a while, not its events as open
    assert cache.events_held((other.domain, *other.ids)) == []


def test_the_open_page_adds_the_new_events_in_place_and_keeps_the_search(open_run, own_page):
    ui, page = own_page(open_run.domain)
    page.clock.install()  # the reload's timer runs on the test's clock
    page.goto(execution_url(ui, open_run.domain, open_run.ids))
    page.evaluate("window.loadedOnce = true")
    rows = page.locator("#history tr[data-type]")
    before, last = rows.count(), int(page.get_attribute("body", "data-last"))  # (a big run shows some rows)
    page.fill("#history-search", "added-in-place")  # a search typed, its field focused: no pause for it
    assert page.inner_text("#history-shown") == f"0 of {before} shown"
    open_run.signal("added-in-place")
    open_run.signal("another-signal")
    with page.expect_response(lambda answer: "/execution/update?" in answer.url) as answer:
        page.clock.run_for(6_000)
    page.wait_for_selector(f"#event-{last + 2}", state="attached")
    assert page.evaluate("window.loadedOnce === true")  # no reload: the rows were added to the page
    assert rows.count() == before + 2
    assert page.locator(f"#event-{last + 1}").is_visible()  # it matches the search, the other not
    assert not page.locator(f"#event-{last + 2}").is_visible()
    assert page.inner_text("#history-shown") == f"1 of {before + 2} shown"
    assert page.inner_text("#history .count") == f"{last + 2} events"
    assert "refreshes every" in page.inner_text("#refresh-note")
    # What a reload sends follows the new events, not the history (its 2,100 events' rows: over 1 MB).
    assert len(answer.value.body()) < 4_000, len(answer.value.body())
