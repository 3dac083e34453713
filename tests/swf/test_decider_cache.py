"""The decider's run cache: resumed runs, sliced histories and evictions decide like full replays."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading
import tracemalloc
from collections.abc import Iterator

import pytest

from simpleflow.engine import ExecutionInfo, WorkflowRun
from simpleflow.engine._suspend import RUN_THREAD_STACK_SIZE
from simpleflow.swf import client, starter
from simpleflow.swf.decider import Decider
from simpleflow.swf.run_cache import DEFAULT_CACHE_MB, HELD_EVENT_BYTES, RUN_BYTES, RunCache, estimated_bytes
from tests.fixtures import engine_workflows as wf
from tests.fixtures.signal_workflows import WaitsForGo
from tests.history_builder import HistoryBuilder
from tests.swf_simulator import SimulatedSWF


def _task(swf: SimulatedSWF, events: list[dict]) -> dict:
    return {
        "taskToken": "t",
        "workflowExecution": {"workflowId": "wf-id", "runId": "run-id"},
        "workflowType": {"name": "mixed", "version": "1"},
        "events": events,
    }


def _since_previous_started(events: list[dict]) -> list[dict]:
    """What SWF sends with startAtPreviousStartedEvent: from the previous DecisionTaskStarted on."""
    started = [i for i, e in enumerate(events) if e["eventType"] == "DecisionTaskStarted"]
    return events[started[-2] :] if len(started) > 1 else events


@pytest.mark.parametrize("seed", range(4))
def test_cached_decider_with_partial_histories_decides_like_a_cacheless_one(swf_domain, seed):
    swf = SimulatedSWF(
        {"args": [seed, 10], "kwargs": {}, "__extra": {"class": "tests.fixtures.engine_workflows.Mixed"}}, seed
    )
    # The simulated execution is not on the server: a compacted run reloads its events from the simulator.
    cache = RunCache(max_runs=8, reload=lambda info: lambda: list(swf.events))
    cached = Decider(swf_domain, "tl", [wf.Mixed], cache=cache)
    cacheless = Decider(swf_domain, "tl", [wf.Mixed], cache=RunCache(max_runs=0))
    rounds = 0
    while swf.closed is None and rounds < 200:
        swf.start_decision()
        whole = list(swf.events)
        got = cached.decide(_task(swf, _since_previous_started(whole)))
        expected = cacheless.decide(_task(swf, whole))
        assert got == expected, f"round {rounds}"
        assert not any(d["decisionType"] == "FailWorkflowExecution" and "no workflow class" in str(d) for d in got)
        swf.answer(got)
        if swf.closed is None and not swf.progress() and not got:
            break
        rounds += 1
    assert cached.cache.hits >= rounds - 1 and cacheless.cache.hits == 0


def test_a_full_history_sent_again_skips_the_events_already_applied(swf_domain):
    # A decider that polls whole histories (the shared list while it serves a sticky one) gets everything again.
    decider = Decider(swf_domain, "tl", [wf.Chain])
    swf = SimulatedSWF(
        {"args": [5], "kwargs": {}, "__extra": {"class": "tests.fixtures.engine_workflows.Chain"}},
        1,
        fail_rate=0.0,
        timeout_rate=0.0,
    )
    while swf.closed is None:
        swf.start_decision()
        swf.answer(decider.decide(_task(swf, list(swf.events))))
        swf.progress()
    assert swf.closed == "completed"
    assert decider.cache.misses == 1


def _parked_chain(run_id: str, done: int = 20, workflow_class: type = wf.Chain) -> WorkflowRun:
    """A Chain run that decided on *done* completed tasks and waits, parked, for the next one."""
    b = HistoryBuilder(input={"args": [done + 5], "kwargs": {}}, workflow_id=run_id, run_id=run_id)
    for k in range(done):
        b.decision()
        scheduled = b.schedule_activity(f"activity-{wf.inc.name}-{k + 1}", wf.inc.name, input={"args": [k]})
        b.complete_activity(scheduled, k + 1)
    b.decision_started()
    run = WorkflowRun(workflow_class, ExecutionInfo(workflow_id=run_id, run_id=run_id))
    assert run.advance(b.events)[0]["decisionType"] == "ScheduleActivityTask"
    return run


def _parked_threads(prefix: str) -> int:
    return sum(t.name.startswith(f"simpleflow-run-{prefix}") for t in threading.enumerate())


def test_the_cache_evicts_least_recently_used_runs_past_its_byte_budget():
    size = _compacted_size(_parked_chain("probe"))
    cache = RunCache(max_runs=10, max_bytes=int(2.5 * size))
    a, b, c = _parked_chain("bytes-a"), _parked_chain("bytes-b"), _parked_chain("bytes-c")
    cache.put("a", a)
    cache.put("b", b)
    assert cache.bytes == 2 * size and not a.closed
    cache.put("c", c)  # three would pass the budget: the least recently used goes
    assert a.closed and not b.closed and len(cache) == 2 and cache.evictions == 1
    assert cache.take("b") is b and cache.bytes == size
    big = _parked_chain("bytes-big", done=60)
    cache.put("big", big)  # bigger than the budget left with "c" in: "c" goes, then the budget holds
    assert c.closed and len(cache) == 1 and cache.bytes == estimated_bytes(big) <= cache.max_bytes
    cache.clear()
    b.close()


def _compacted_size(run: WorkflowRun) -> int:
    run.compact(lambda: [])
    try:
        return estimated_bytes(run)
    finally:
        run.close()


def test_a_run_kept_whole_for_its_hooks_is_estimated_with_every_event_it_holds():
    cache = RunCache(max_runs=4)
    cache.put("compacted", _parked_chain("whole-compacted"))
    cache.put("whole", _parked_chain("whole-kept", workflow_class=wf.ReadsHistory))
    compacted, whole = cache.take("compacted"), cache.take("whole")
    assert compacted.history.held_events == 0
    assert whole.history.held_events == whole.history.event_count == compacted.history.event_count
    assert estimated_bytes(whole) - estimated_bytes(compacted) >= whole.history.event_count * HELD_EVENT_BYTES
    compacted.close()
    whole.close()


def test_the_budget_is_set_in_mb_and_the_old_event_bound_still_applies_when_set(monkeypatch):
    assert RunCache().max_bytes == DEFAULT_CACHE_MB * 1024 * 1024 and RunCache().max_events is None
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_CACHE_MB", "0.5")
    assert RunCache().max_bytes == 512 * 1024
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_CACHE_EVENTS", "200")
    cache = RunCache()
    a, b = _parked_chain("events-a"), _parked_chain("events-b")  # 20 tasks: 123 events each
    cache.put("a", a)
    cache.put("b", b)  # 246 events > 200: the old setting keeps its meaning
    assert a.closed and len(cache) == 1 and cache.events == b.history.event_count
    cache.clear()


def _parked_fanout(run_id: str, done: int = 120) -> WorkflowRun:
    """A FanOut run of 300 tasks, all scheduled, *done* completed: it waits on the others (open records)."""
    b = HistoryBuilder(input={"args": [300], "kwargs": {}}, workflow_id=run_id, run_id=run_id)
    b.decision()
    scheduled = [
        b.schedule_activity(f"activity-{wf.inc.name}-{k + 1}", wf.inc.name, input={"args": [k]}) for k in range(300)
    ]
    for k, event_id in enumerate(scheduled[:done]):
        b.complete_activity(event_id, k + 1)
    b.decision_started()
    run = WorkflowRun(wf.FanOut, ExecutionInfo(workflow_id=run_id, run_id=run_id))
    assert run.advance(b.events) == []
    return run


@pytest.mark.parametrize(
    ("parked", "done"),
    [(_parked_chain, 200), (_parked_fanout, 120), (_parked_fanout, 0)],
    ids=["chain", "fanout", "open"],
)
def test_a_cached_run_holds_about_what_its_estimate_says(parked, done):
    parked("measured-warm-up", done=done).close()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cache = RunCache(max_runs=2)
        cache.put("measured", parked("measured", done=done))
        gc.collect()
        count = cache._runs["measured"].history.event_count
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    estimate = estimated_bytes(cache.take("measured"))
    # Above what tracemalloc sees (the RSS also holds a parked thread's stack pages, the allocator's slack),
    # whether the run's tasks are settled (compacted) or open (kept whole).
    assert 1.0 * held <= estimate - RUN_BYTES <= 2 * held
    if parked is _parked_chain:
        # Bytes per event of a compacted Chain (200 tasks: 1,203 events); Python 3.10 gives a task's future
        # and task object a dict each where 3.11 keeps their attributes inline (267 B measured there).
        assert held / count < (250 if sys.version_info >= (3, 11) else 300)


def _stack_size(thread: threading.Thread) -> int | None:
    """The stack *thread* really runs on (glibc's pthread_getattr_np), None where it cannot be read."""
    try:
        libc = ctypes.CDLL(None)
        getattr_np = libc.pthread_getattr_np
    except (OSError, AttributeError):
        return None
    attr = ctypes.create_string_buffer(256)  # a pthread_attr_t (56 or 64 bytes) fits
    if getattr_np(ctypes.c_ulong(thread.ident), attr) != 0:
        return None
    try:
        size = ctypes.c_size_t()
        assert libc.pthread_attr_getstacksize(attr, ctypes.byref(size)) == 0
        return size.value
    finally:
        libc.pthread_attr_destroy(attr)


def test_parked_run_threads_never_outnumber_the_cached_runs_evicted_ones_end_and_stacks_are_bounded():
    cache = RunCache(max_runs=3)
    for k in range(8):
        cache.put(f"parked-{k}", _parked_chain(f"parked-{k}", done=3))
        assert _parked_threads("parked-") == len(cache) <= 3
    parked = [t for t in threading.enumerate() if t.name.startswith("simpleflow-run-parked-")]
    assert sorted(t.name for t in parked) == [f"simpleflow-run-parked-{k}" for k in (5, 6, 7)]  # the newest
    sizes = {_stack_size(t) for t in parked}
    if sizes != {None}:  # glibc: each parked thread has the bounded stack, not the default 8 MiB
        assert sizes == {RUN_THREAD_STACK_SIZE}
    cache.clear()
    assert _parked_threads("parked-") == 0


def test_a_compacted_run_reloads_its_events_from_the_swf_server(swf_domain):
    from tests.swf.test_client import start_execution

    workflow_id, run_id = start_execution(swf_domain, task_list="reload-tl")
    task = client.poll_decision_task(swf_domain, "reload-tl")
    run = WorkflowRun(wf.Chain, ExecutionInfo(domain=swf_domain, workflow_id=workflow_id, run_id=run_id))
    for event in task["events"]:
        run.history.apply(event)
    run.compact(RunCache()._reload(run.info))  # the cache's own reload: GetWorkflowExecutionHistory
    assert run.history.held_events == 0
    assert [(e["eventId"], e["eventType"]) for e in run.history.events] == [
        (e["eventId"], e["eventType"]) for e in task["events"]
    ]
    run.close()


@contextlib.contextmanager
def history_fetches() -> Iterator[list[str]]:
    """The runId of every GetWorkflowExecutionHistory this process's SWF client sends (a botocore hook)."""
    sent: list[str] = []

    def record(params, **kwargs):
        sent.append(params["execution"]["runId"])

    events = client.swf_client().meta.events
    events.register("provide-client-params.swf.GetWorkflowExecutionHistory", record, unique_id="test-fetches")
    try:
        yield sent
    finally:
        events.unregister("provide-client-params.swf.GetWorkflowExecutionHistory", unique_id="test-fetches")


def test_a_cached_run_whose_after_replay_reads_the_history_is_not_fetched_again_at_each_decision(
    swf_domain, decider_list
):
    execution = starter.start_workflow(swf_domain, wf.ReadsHistory, {"args": [3], "kwargs": {}}, task_list=decider_list)
    ids = {"workflowId": execution["workflowId"], "runId": execution["runId"]}
    decider = Decider(swf_domain, decider_list, [wf.ReadsHistory], sticky_timeout=0)
    try:
        with history_fetches() as fetches:
            assert decider.poll_once()  # the first task (the whole history): schedules an activity, no worker
            for k in range(4):  # each signal is a decision task of the cached run
                client.swf_client().signal_workflow_execution(domain=swf_domain, signalName=f"s{k}", input="", **ids)
                while not decider.poll_once():
                    pass
    finally:
        client.swf_client().terminate_workflow_execution(domain=swf_domain, **ids)
    assert (decider.hits, decider.misses) == (4, 1)
    assert fetches == []  # its history was kept whole in the cache (it fetched one per decision before)


def test_a_schedule_s_cached_run_resumes_at_each_decision_and_decides_as_a_cacheless_decider(swf_domain):
    # A daily schedule with pause, resume and trigger signals: its loop waits for the first of its fire timer, the
    # next signal and the end of its runs (futures.wait), so the cached run is resumed, never replayed in full.
    from pathlib import Path

    from simpleflow import schedule
    from simpleflow.local import LocalExecution

    spec = Path(__file__).resolve().parent.parent / "fixtures" / "dag_specs" / "diamond.yaml"
    payload = schedule.schedule_input("daily", "0 6 * * *", schedule.target_of(str(spec), '{"x": 2}'))
    kinds = ("pause", "resume", "trigger")
    signals = [(600 + 7 * 3600 * i, kinds[i % 3], None) for i in range(9)]
    events = (
        LocalExecution(
            schedule.ScheduleWorkflow, payload, workflow_id="schedule-daily", signals=signals, cancel_at=3 * 86400
        )
        .execute()
        .events
    )
    ends = [i + 1 for i, e in enumerate(events) if e["eventType"] == "DecisionTaskStarted"]
    cache = RunCache(max_runs=8, reload=lambda info: lambda: list(events))
    cached = Decider(swf_domain, "tl", [schedule.ScheduleWorkflow], cache=cache)
    cacheless = Decider(swf_domain, "tl", [schedule.ScheduleWorkflow], cache=RunCache(max_runs=0))
    task = {
        "taskToken": "t",
        "workflowExecution": {"workflowId": "schedule-daily", "runId": "run-id"},
        "workflowType": {"name": schedule.ScheduleWorkflow.name, "version": schedule.ScheduleWorkflow.version},
    }
    for end in ends[:-1]:  # (the last one answers the cancel request)
        whole = events[:end]
        assert cached.decide(dict(task, events=_since_previous_started(whole))) == cacheless.decide(
            dict(task, events=whole)
        ), f"decision task {end}"
    run = cache.take("run-id")
    assert run is not None and run.fallbacks == 0
    assert cache.misses == 1 and cache.hits == len(ends) - 1  # (the take above counts as one)
    run.close()


def test_a_history_fetched_after_a_miss_is_decided_up_to_the_tasks_decision_task_started(
    swf_domain, decider_list, monkeypatch
):
    # One cached run at most: the second execution pushes the first out, so the first's next task is a miss
    # polled partially (the cache is not empty), whose whole history the decider fetches: a signal arriving
    # during that fetch is past the task's DecisionTaskStarted, and deciding on it would complete the execution
    # while SWF holds a new event for it (CompleteWorkflowExecutionFailed, UNHANDLED_DECISION).
    decider = Decider(swf_domain, decider_list, [WaitsForGo], cache=RunCache(max_runs=1), sticky_timeout=0)
    first = starter.start_workflow(swf_domain, WaitsForGo, {"args": [], "kwargs": {}}, task_list=decider_list)
    second = starter.start_workflow(swf_domain, WaitsForGo, {"args": [], "kwargs": {}}, task_list=decider_list)
    ids = {"workflowId": first["workflowId"], "runId": first["runId"]}
    swf = client.swf_client()
    fetch = client.get_history

    def signalled_while_fetched(domain: str, workflow_id: str, run_id: str, **kwargs) -> list[dict]:
        swf.signal_workflow_execution(domain=swf_domain, signalName="go", input='{"args": ["late"]}', **ids)
        return fetch(domain, workflow_id, run_id, **kwargs)

    try:
        assert decider.poll_once() and decider.poll_once()  # both first tasks: the first run is evicted
        swf.signal_workflow_execution(domain=swf_domain, signalName="other", input="", **ids)
        monkeypatch.setattr(client, "get_history", signalled_while_fetched)
        assert decider.poll_once() and decider.misses == 3
        monkeypatch.setattr(client, "get_history", fetch)
        assert decider.poll_once()  # the task the late signal scheduled: the execution completes
        history = client.get_history(swf_domain, first["workflowId"], first["runId"])
    finally:
        swf.terminate_workflow_execution(domain=swf_domain, **second)
    types = [e["eventType"] for e in history]
    assert "CompleteWorkflowExecutionFailed" not in types and types[-1] == "WorkflowExecutionCompleted", types
