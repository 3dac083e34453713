"""An open run's view kept current event by event (simpleflow.ui.live) is the one its whole history gives: at
every point of a run, the view, its page, its update and the signals its code awaits are those built from
scratch (and the tasks and the timeline those of ``workflow.tasks`` and ``workflow.profile --svg``)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from simpleflow import Workflow, activity
from simpleflow.swf.stats import CHILD_WORKFLOW, collect_tasks
from simpleflow.swf.timeline import svg_text
from simpleflow.ui.app import _environment
from simpleflow.ui.execution import ViewCache
from simpleflow.ui.live import LiveRun, build_view
from simpleflow.ui.update import changes, parts_of
from simpleflow.ui.view import child_link
from simpleflow.ui.waiting import awaited_signals
from tests.history_builder import HistoryBuilder
from tests.ui.test_rules import _page_of

MACROS = _environment().get_template("parts.html").module
DIAMOND = Path(__file__).parents[1] / "fixtures" / "dag_specs" / "diamond.yaml"
NOW = 1_700_000_500.0


def _description(status: str = "OPEN") -> dict:
    info = {"execution": {"workflowId": "w", "runId": "r"}, "executionStatus": status, "cancelRequested": False}
    return {"executionInfo": info, "latestExecutionContext": '{"step": 2}', "openCounts": {"openTimers": 1}}


def _busy_run() -> HistoryBuilder:
    """A run with a bit of everything: tasks retried, failed, timed out, canceled; timers (simpleflow's own
    wake-up one too); children started, refused, failed; signals, markers, a jumbo reference; then it closes."""
    history = HistoryBuilder(workflow_id="w", run_id="r", tag_list=["nightly"])
    history.decision()
    first = history.schedule_activity("act-1", "fetch")
    history.start_activity(first, identity='{"hostname": "box", "pid": 7}')
    history.start_timer("__simpleflow_wake_up", 30)
    history.start_timer("cool-off", 60)
    child = history.start_child_workflow("child-1", "Child")
    history.signal("go", input={"args": [1], "kwargs": {}})
    history.fail_activity(first, details={"error": "ValueError", "message": "no"})
    history.decision()
    again = history.schedule_activity("act-1", "fetch")  # its retry
    history.start_child(child)
    history.start_activity(again)
    history.fire_timer("cool-off")
    history.complete_activity(again, result="simpleflow+s3://bucket/key 12")
    history.record_marker("phase", details="two")
    other = history.schedule_activity("act-2", "send")
    history.timeout_activity(other)
    history.schedule_activity_failed("act-3", "send")
    history.start_timer("late", 90)
    history.cancel_timer("late")
    history.complete_child(child, result=[1, 2])
    history.start_child_failed("child-2", "Child")
    third = history.schedule_activity("act-4", "slow")
    history.start_activity(third)
    history.decision()
    history.request_cancel_activity(third)
    history.activity_canceled(third, history.events[-1]["eventId"])
    history.complete_workflow({"done": True})
    return history


def _reference_changes(view, after: int, digests: dict[str, str]) -> dict:
    """An update as the UI answered it before it kept anything: every task's record compared with the one the
    history up to *after* gives, every event's row looked at."""
    last = view.events[-1].event_id if view.events else 0
    if not view.is_open or view.history is None or not 0 < after <= last:
        return {"reload": True}
    parts = {
        name: [part.digest, str(part.html)]
        for name, part in parts_of(MACROS, view, "d").items()
        if name in digests and digests[name] != part.digest
    }
    before = {(task.kind, task.id): task for task in collect_tasks(e for e in view.history if e["eventId"] <= after)}
    tasks = [
        [f"{task.kind}/{task.id}", str(MACROS.task_row(task)), place]
        for place, task in enumerate(view.tasks)
        if before.get((task.kind, task.id)) != task
    ]
    children_before = {task.id: child_link(task) for task in before.values() if task.kind == CHILD_WORKFLOW}
    children = [
        [child.workflow_id, str(MACROS.child_row(child, "d"))]
        for child in view.children
        if children_before.get(child.workflow_id) != child
    ]
    events = "".join(str(MACROS.event_row(event)) for event in view.events if event.event_id > after)
    return {"reload": False, "last": last, "parts": parts, "tasks": tasks, "children": children, "events": events}


def _check_the_same(live: LiveRun, events: list[dict], shown: list[int]) -> None:
    """*live*, having derived *events* bit by bit, gives what a view built from scratch over them gives."""
    view = live.view(_description(), NOW)
    scratch = build_view("d", _description(), events, NOW)
    assert view == scratch
    assert view.tasks == collect_tasks(events)
    assert view.timeline_svg == scratch.timeline_svg == svg_text(events)
    assert _page_of(view) == _page_of(scratch)
    for after in shown:  # pages showing the run as it was at these events
        page = build_view("d", _description(), [e for e in events if e["eventId"] <= after], NOW)
        digests = {name: part.digest for name, part in parts_of(MACROS, page, "d").items()}
        assert changes(MACROS, view, "d", after, digests) == _reference_changes(scratch, after, digests)
        without_timeline = {name: digest for name, digest in digests.items() if name != "timeline"}
        answer = changes(MACROS, view, "d", after, without_timeline)
        assert answer == _reference_changes(scratch, after, without_timeline)


@pytest.mark.parametrize("steps", [(1,), (1, 2, 3, 5), (7,)])
def test_a_run_derived_event_by_event_gives_the_view_page_and_updates_of_its_whole_history(steps):
    events = _busy_run().events
    live, held, shown = LiveRun("d"), 0, [1]
    for size in itertools.cycle(steps):
        if held >= len(events):
            break
        live.extend(events[held : held + size])
        held = min(held + size, len(events))
        _check_the_same(live, events[:held], sorted({1, shown[-1], max(held - 1, 1), held}))
        shown.append(held)
    assert live.view(_description(), NOW).close_status == "COMPLETED"


def test_a_dag_run_is_drawn_again_when_its_tasks_change_and_as_its_whole_history_draws_it():
    from simpleflow.dag._spec import normalize

    spec = normalize(yaml.safe_load(DIAMOND.read_text()))
    carried = {**spec.data, "order": spec.order}
    input = {"__extra": {"class": "simpleflow.dag.DagWorkflow"}, "args": [], "kwargs": {"spec": carried}}
    history = HistoryBuilder("dag", input=input, workflow_id="w", run_id="r")
    history.decision()
    a = history.schedule_activity("dag-a", "tests.fixtures.dag_activities.increment")
    history.complete_activity(a, result=4)
    history.decision()
    b = history.schedule_activity("dag-b", "tests.fixtures.dag_activities.double")
    history.signal("noise")
    history.fail_activity(b)
    live = LiveRun("d")
    pictures = []
    for event in history.events:
        live.extend([event])
        view = live.view(_description(), NOW)
        assert view.dag_svg is not None
        assert view == build_view("d", _description(), history.events[: event["eventId"]], NOW)
        pictures.append(view.dag_svg)
    signal = next(i for i, event in enumerate(history.events) if event["eventType"] == "WorkflowExecutionSignaled")
    assert pictures[signal] is pictures[signal - 1]  # the signal changed no task: not drawn again
    assert pictures[-1] != pictures[signal]  # b failed since


@activity.with_attributes(task_list="live-tests")
def echo(text: str) -> str:
    return text


class TwoSignals(Workflow):
    """Waits for "first", echoes it, then waits for "second"."""

    name = "two-signals"
    version = "1"
    task_list = "live-tests"

    def run(self) -> str:
        got = self.submit(self.wait_signal("first")).result
        echoed = self.submit(echo, str(got)).result
        return f"{echoed} then {self.submit(self.wait_signal('second')).result}"


def test_the_signals_awaited_by_a_replay_fed_new_events_are_those_of_a_replay_from_the_start():
    from simpleflow.engine import ExecutionInfo
    from simpleflow.testing import WorkflowEnv

    with WorkflowEnv() as env:
        execution = env.start(TwoSignals)
        execution.signal("first", "a")
        execution.advance(1)
        execution.signal("second", "b")
        events = execution.finish().history
    info = ExecutionInfo(domain="d", workflow_id="w", run_id="r")
    live = LiveRun("d")
    seen = set()
    for count in range(1, len(events)):  # open: the closing event left out
        live.extend(events[count - 1 : count])
        got = live.awaited_signals(TwoSignals, info, count)
        assert got == awaited_signals(TwoSignals, events[:count], info), f"after event {count}"
        seen.add(tuple(got))
    assert {("first",), ("second",)} <= seen
    live.close()


def test_the_cache_keeps_what_a_few_open_runs_derived_and_releases_the_others():
    cache = ViewCache(open_size=2)
    runs = [cache.live(("d", f"w{i}", "r")) for i in range(3)]
    assert cache.live(("d", "w1", "r")) is runs[1] and cache.live(("d", "w2", "r")) is runs[2]
    assert cache.live(("d", "w0", "r")) is not runs[0]  # the least recently looked at went


def _counted(function, calls: dict[str, int], name: str):
    def call(*args):
        calls[name] += 1
        return function(*args)

    return call


def test_an_update_derives_and_renders_its_new_events_only(monkeypatch):
    """One more event of a long run: one event row decoded, one task record made, one row rendered; the
    timeline drawn only when the page asks for it (it does at most every 30 s), once for every page asking."""
    from simpleflow.ui import live as live_module

    history = HistoryBuilder(workflow_id="w", run_id="r")
    for number in range(300):
        history.decision()
        history.complete_activity(history.schedule_activity(f"act-{number}", "step"), result=number)
    last = history.schedule_activity("act-last", "step")
    live = LiveRun("d")
    live.extend(history.events)
    page = live.view(_description(), NOW)
    digests = {name: part.digest for name, part in parts_of(MACROS, page, "d").items()}
    calls = {"event_row": 0, "task_record": 0, "tasks_svg": 0}
    for name in calls:
        monkeypatch.setattr(live_module, name, _counted(getattr(live_module, name), calls, name))

    history.start_activity(last)
    live.extend(history.events[-1:])
    view = live.view(_description(), NOW)
    without_timeline = {name: digest for name, digest in digests.items() if name != "timeline"}
    answer = changes(MACROS, view, "d", page.events[-1].event_id, without_timeline)
    assert calls == {"event_row": 1, "task_record": 1, "tasks_svg": 0}
    assert [key for key, *_ in answer["tasks"]] == ["activity/act-last"] and answer["events"].count("<tr") == 1
    for _ in range(2):  # two pages asking for the timeline: drawn once
        changes(MACROS, live.view(_description(), NOW), "d", page.events[-1].event_id, digests)
    assert calls["tasks_svg"] == 1


def test_the_timeline_of_an_open_run_says_it_is_redrawn_at_most_every_30_seconds():
    events = _busy_run().events
    assert "redrawn at most every 30 s" in _page_of(build_view("d", _description(), events[:-1], NOW))
    assert "redrawn at most" not in _page_of(build_view("d", _description(), events, NOW))  # closed


def test_a_closed_view_is_kept_while_its_pages_ask_for_it(monkeypatch):
    """A big closed run's "show more", clicked a few minutes after its page loaded, finds the view kept (each
    look starts its minute again) instead of reading and deriving the whole history once more."""
    from types import SimpleNamespace

    from simpleflow.ui import execution

    clock = [1_000.0]
    monkeypatch.setattr(execution, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    cache = ViewCache(ttl=60)
    view = build_view("d", _description("CLOSED"), _busy_run().events, NOW)
    cache.put(("d", "w", "r"), view)
    for _ in range(3):
        clock[0] += 50
        assert cache.get(("d", "w", "r")) is view
    clock[0] += 61
    assert cache.get(("d", "w", "r")) is None


def test_the_waiting_list_of_a_wide_fan_out_names_its_first_open_tasks_and_counts_the_others():
    """1,000 activities open: the waiting list (sent again by an update whenever it changes) names the first
    ones and says how many more, instead of 1,000 lines every 5 seconds."""
    history = HistoryBuilder(workflow_id="w", run_id="r")
    history.decision()
    for number in range(1_000):
        history.schedule_activity(f"act-{number}", "step")
    for number in range(3):
        history.start_timer(f"timer-{number}", 60)
    view = build_view("d", _description(), history.events, NOW)
    waiting = str(parts_of(MACROS, view, "d", ["waiting"])["waiting"].html)
    assert "act-0</code>" in waiting and "act-999</code>" not in waiting
    assert "and 950 more activities (the tasks table lists them)" in waiting
    assert len(waiting) < 15_000 and waiting.count('class="timer"') == 3
