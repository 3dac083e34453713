"""Sticky task lists on the dev server (it carries out SWF's task list override).

Deciders on one shared list each own a sticky list; a run's next decision task comes back to the
decider that holds it. A decider killed or stopped costs one schedule-to-start timeout (1 s here):
the task returns to the shared list and another decider replays in full.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid

import pytest

from simpleflow.swf import client, starter
from simpleflow.swf.decider import Decider, RunCache
from simpleflow.swf.sticky import override, sticky_task_list
from tests.fixtures.swf_workflows import StepsWorkflow
from tests.moto_server import MotoServer
from tests.swf.test_decider_cache import history_fetches
from tests.swf_e2e_helpers import completed_result, start_worker, wait_closed

STICKY_TIMEOUT = 1


def _start(domain: str, task_list: str, n: int, pause: float = 0.0) -> dict[str, str]:
    return starter.start_workflow(domain, StepsWorkflow, {"args": [n, pause], "kwargs": {}}, task_list=task_list)


def _decision_lists(events: list[dict]) -> list[str]:
    """The task list of every DecisionTaskScheduled, in order."""
    return [
        e["decisionTaskScheduledEventAttributes"]["taskList"]["name"]
        for e in events
        if e["eventType"] == "DecisionTaskScheduled"
    ]


def _run_deciders(deciders: list[Decider]) -> tuple[threading.Event, list[threading.Thread]]:
    stop = threading.Event()
    threads = [threading.Thread(target=d.run, args=(stop,), daemon=True) for d in deciders]
    for thread in threads:
        thread.start()
    return stop, threads


def _stop(stop: threading.Event, threads: list[threading.Thread]) -> None:
    stop.set()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()


def test_deciders_sharing_a_list_resume_their_runs_from_the_cache(swf_domain, decider_list, processes):
    start_worker(processes, swf_domain)
    # No decider dies here: a long sticky timeout keeps a slow machine from sending a task back.
    deciders = [Decider(swf_domain, decider_list, [StepsWorkflow], sticky_timeout=30) for _ in range(3)]
    assert len({d.sticky_list for d in deciders}) == 3
    stop, threads = _run_deciders(deciders)
    try:
        executions = [_start(swf_domain, decider_list, 5) for _ in range(4)]
        histories = [wait_closed(swf_domain, e["workflowId"], e["runId"], processes) for e in executions]
    finally:
        _stop(stop, threads)
    assert [completed_result(h) for h in histories] == [5] * 4
    decisions = sum(d.hits + d.misses for d in deciders)
    assert decisions == 4 * 6  # 5 steps and the closing decision, per execution
    # Only each execution's first decision task is a full replay: the others came back to their decider.
    assert sum(d.misses for d in deciders) == 4, [(d.hits, d.misses) for d in deciders]
    assert sum(d.sticky_tasks for d in deciders) == 4 * 5
    for history in histories:
        lists = _decision_lists(history)
        assert lists[0] == decider_list
        assert len(set(lists[1:])) == 1 and lists[1] in {d.sticky_list for d in deciders}
        assert not any(e["eventType"] == "DecisionTaskTimedOut" for e in history)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_a_stopped_sticky_deciders_task_returns_to_the_shared_list_and_another_decider_completes(
    swf_domain, decider_list, processes, monkeypatch, how
):
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_STICKY_TIMEOUT", str(STICKY_TIMEOUT))
    start_worker(processes, swf_domain)
    first = processes.start(
        "first",
        "decider.start",
        "--domain",
        swf_domain,
        "--task-list",
        decider_list,
        "tests.fixtures.swf_workflows.StepsWorkflow",
    )
    execution = _start(swf_domain, decider_list, 2, 0.5)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the first decider answered (sticky) and the first step runs
        events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
        if any(e["eventType"] == "ActivityTaskStarted" for e in events):
            break
        time.sleep(0.05)
    else:
        raise AssertionError(processes.logs())
    first.send_signal(how)
    assert first.wait(10) == (0 if how == signal.SIGTERM else -signal.SIGKILL), processes.logs()
    second = Decider(swf_domain, decider_list, [StepsWorkflow], sticky_timeout=STICKY_TIMEOUT)
    stop, threads = _run_deciders([second])
    try:
        history = wait_closed(swf_domain, execution["workflowId"], execution["runId"], processes)
    finally:
        _stop(stop, threads)
    assert completed_result(history) == 2
    timed_out = [e for e in history if e["eventType"] == "DecisionTaskTimedOut"]
    assert [e["decisionTaskTimedOutEventAttributes"]["timeoutType"] for e in timed_out] == ["SCHEDULE_TO_START"]
    lists = _decision_lists(history)
    assert lists[1].startswith(f"{decider_list}-sticky-") and lists[1] != second.sticky_list
    assert lists[2] == decider_list  # reverted to the shared list
    assert lists[3:] == [second.sticky_list] * (len(lists) - 3)
    assert second.misses == 1 and second.hits == len(lists) - 3  # one full replay, then resumed
    started = [e for e in history if e["eventType"] == "DecisionTaskStarted"]
    assert json.loads(started[0]["decisionTaskStartedEventAttributes"]["identity"])["pid"] == first.pid


def test_a_sticky_decider_on_stock_moto_decides_everything_from_the_shared_list(tmp_path, monkeypatch):
    # Stock moto ignores the override: answers carry it, tasks stay on the shared list, nothing breaks.
    server = MotoServer(stock=True)
    server.start()
    try:
        for key, value in server.environ().items():
            monkeypatch.setenv(key, value)
        client.reset_clients()
        domain, task_list = f"stock-{uuid.uuid4().hex[:6]}", f"decisions-{uuid.uuid4().hex[:6]}"
        client.register_domain(domain)
        from tests.swf_e2e_helpers import Processes

        workers = Processes(tmp_path)
        start_worker(workers, domain)
        decider = Decider(domain, task_list, [StepsWorkflow], sticky_timeout=STICKY_TIMEOUT)
        stop, threads = _run_deciders([decider])
        try:
            execution = _start(domain, task_list, 1)
            history = wait_closed(domain, execution["workflowId"], execution["runId"], workers)
        finally:
            _stop(stop, threads)
            workers.stop()
    finally:
        server.stop()
        monkeypatch.undo()
        client.reset_clients()
    assert completed_result(history) == 1
    assert set(_decision_lists(history)) == {task_list}
    assert decider.sticky_tasks == 0 and decider.hits == 1 and decider.misses == 1


def test_an_answer_keeps_the_execution_only_while_the_run_is_kept_and_never_when_it_closes():
    schedule = [{"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {}}]
    sticky = sticky_task_list("shared", host="host", pid=7, token="ab12")
    assert sticky == "shared-sticky-host-7-ab12"
    assert override(schedule, sticky, "shared", 3, keep=True) == {
        "taskList": {"name": sticky},
        "taskListScheduleToStartTimeout": "3",
    }
    assert override(schedule, sticky, "shared", 3, keep=False) == {"taskList": {"name": "shared"}}
    assert override(schedule, None, "shared", 3, keep=True) == {}
    for closing in (
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    ):
        assert override([*schedule, {"decisionType": closing}], sticky, "shared", 3, keep=True) == {}


def test_sticky_list_names_fit_swf_and_are_unique_per_decider():
    long = sticky_task_list("x" * 250, host="a:b/c|d e")
    assert len(long) <= 256 and not set(":/| ") & set(long)
    assert sticky_task_list("shared") != sticky_task_list("shared")
    assert Decider("d", "shared", [StepsWorkflow], sticky_timeout=0).sticky_list is None


def test_a_task_on_the_shared_list_of_a_run_not_cached_is_polled_whole_while_the_sticky_list_is_served(
    swf_domain, decider_list
):
    # One cached run at most: the second execution pushes the first out, whose next task (a signal)
    # waits on the sticky list nobody polls here, times out and comes back on the shared list.
    decider = Decider(swf_domain, decider_list, [StepsWorkflow], cache=RunCache(max_runs=1), sticky_timeout=1)
    released = threading.Event()
    decider._sticky_poller = threading.Thread(target=released.wait, daemon=True)  # serving, as ``run`` would
    decider._sticky_poller.start()
    first, second = _start(swf_domain, decider_list, 1), _start(swf_domain, decider_list, 1)
    try:
        assert decider.poll_once() and decider.poll_once()  # both first tasks: the first run is evicted
        assert first["runId"] not in decider.cache and second["runId"] in decider.cache
        client.swf_client().signal_workflow_execution(domain=swf_domain, signalName="wake", input="", **first)
        with history_fetches() as fetches:
            deadline = time.monotonic() + 10
            while not decider.poll_once():
                assert time.monotonic() < deadline
        history = client.get_history(swf_domain, first["workflowId"], first["runId"])
    finally:
        released.set()
        for execution in (first, second):
            client.swf_client().terminate_workflow_execution(domain=swf_domain, **execution)
    assert [
        e["decisionTaskTimedOutEventAttributes"]["timeoutType"] for e in history if "TimedOut" in e["eventType"]
    ] == ["SCHEDULE_TO_START"]
    assert decider.misses == 3 and fetches == []  # a partial poll had it fetch the whole history (1 call)
