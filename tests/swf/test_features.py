"""Timers, markers, canvas and signals from outside, on the dev server; the SWF host and the local
host give the same results. Child workflows, continue-as-new and cancelling executions are in
tests/swf/test_children.py.

The tests run on the fast-timers dev server (tests/swf/conftest.py): an hour of timer lasts a second.
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from simpleflow.constants import HOUR
from simpleflow.history import task_failures
from simpleflow.local import LocalExecution
from simpleflow.swf import client, executions
from simpleflow.swf.decider import Decider
from simpleflow.swf.standalone import run_standalone
from simpleflow.swf.starter import start_workflow
from simpleflow.swf.worker import run_worker
from tests.fixtures.signal_workflows import (
    ApprovalWorkflow,
    ApproverWorkflow,
    CoolingOffWorkflow,
    FirstOfWorkflow,
    ReadTwiceWorkflow,
)
from tests.swf_e2e_helpers import attributes, closing, completed_result, scheduled, simpleflow, wait_closed

WAKE_UP_TIMER = "_simpleflow_wake_up_timer"


@pytest.fixture
def domain(fast_domain: str) -> str:
    return fast_domain


@contextmanager
def decider_and_worker(
    domain: str, workflows: list[type], modules: tuple[str, ...] = ("tests.fixtures.signal_workflows",)
) -> Iterator[str]:
    """A decider and an activity worker (of *modules*) in threads of this process, on a task list of their own."""
    task_list = f"features-{uuid.uuid4().hex[:8]}"
    stop = threading.Event()
    decider = Decider(domain, task_list, workflows, activity_task_list=task_list)
    threads = [
        threading.Thread(target=decider.run, args=(stop,), daemon=True),
        threading.Thread(
            target=run_worker,
            args=(domain, task_list),
            daemon=True,
            kwargs={"modules": list(modules), "stop_event": stop},
        ),
    ]
    for thread in threads:
        thread.start()
    try:
        yield task_list
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)


def history(domain: str, execution: dict[str, str]) -> list[dict[str, Any]]:
    return client.get_history(domain, execution["workflowId"], execution["runId"])


def wait_until_waiting(domain: str, execution: dict[str, str], timeout: float = 10.0) -> list[dict[str, Any]]:
    """The history once a decision task completed and no other is scheduled: the workflow waits for news."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = history(domain, execution)
        decision_tasks = [e["eventType"] for e in events if e["eventType"].startswith("DecisionTask")]
        if decision_tasks[-1] == "DecisionTaskCompleted":
            return events
        time.sleep(0.05)
    raise AssertionError(f"no decision taken within {timeout}s: {[e['eventType'] for e in events]}")


def timer_story(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(event type, timer id) of every timer event but the engine's wake-up timer, in order."""
    return [
        (e["eventType"], attributes(e)["timerId"])
        for e in events
        if e["eventType"].startswith("Timer") and attributes(e)["timerId"] != WAKE_UP_TIMER
    ]


def markers(events: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [
        (attributes(e)["markerName"], json.loads(attributes(e)["details"]))
        for e in events
        if e["eventType"] == "MarkerRecorded"
    ]


def both_hosts(domain: str, workflow_class: type, args: list[Any]) -> tuple[Any, list, list]:
    """Run on the local host, then with ``standalone`` on the server: the result (the same on both)
    and each host's history."""
    input = {"args": args, "kwargs": {}}
    local = LocalExecution(workflow_class, input).execute()
    assert local.status == "completed", local.reason
    remote = run_standalone(domain, workflow_class, input, progress=None, timeout=30)
    assert remote.status == "completed", (remote.reason, remote.details)
    assert remote.result == local.result
    return remote.result, local.events, client.get_history(domain, remote.workflow_id, remote.run_id)


# --- the examples, on both hosts ---------------------------------------------------------------


def test_timer_example_fires_and_cancels_timers_on_swf_as_locally(domain):
    from examples.timer import TimerWorkflow

    result, local, remote = both_hosts(domain, TimerWorkflow, [1])
    assert result == {"message": "reminder after 1 hour(s)", "timeout_timer": "cancelled"}
    assert (
        timer_story(remote)
        == timer_story(local)
        == [
            ("TimerStarted", "give_up"),
            ("TimerStarted", "wait"),
            ("TimerFired", "wait"),
            ("TimerCanceled", "give_up"),
        ]
    )
    started = {
        attributes(e)["timerId"]: attributes(e)["startToFireTimeout"]
        for e in remote
        if e["eventType"] == "TimerStarted"
    }
    assert started == {"give_up": str(24 * HOUR), "wait": str(HOUR + 60), WAKE_UP_TIMER: "0"}
    assert (
        scheduled(remote)
        == scheduled(local)
        == [("activity-examples.timer.remind-1", "examples.timer.remind", {"args": [1], "kwargs": {}})]
    )


def test_cancelling_a_timers_future_cancels_the_timer_on_swf_as_locally(domain):
    from tests.fixtures.cancel_workflows import CancelTimerWorkflow

    result, local, remote = both_hosts(domain, CancelTimerWorkflow, [])
    assert result == {"asked": True, "long": "cancelled", "never": "cancelled", "unstarted": "cancelled"}
    assert (
        timer_story(remote)
        == timer_story(local)
        == [("TimerStarted", "long"), ("TimerStarted", "short"), ("TimerFired", "short"), ("TimerCanceled", "long")]
    )


def test_marker_example_records_and_lists_markers_on_swf_as_locally(domain):
    from examples.marker import MarkerWorkflow

    result, local, remote = both_hosts(domain, MarkerWorkflow, ["v2"])
    assert result == {
        "latest": {"release": {"version": "v2"}, "step": "deployed"},
        "all": [["release", {"version": "v2"}], ["step", "prepared"], ["step", "deployed"]],
    }
    assert (
        markers(remote)
        == markers(local)
        == [
            ("release", {"version": "v2"}),
            ("step", "prepared"),
            ("step", "deployed"),
        ]
    )


def test_canvas_example_gives_the_same_result_and_tasks_on_swf_as_locally(domain):
    from examples.canvas import CanvasWorkflow

    result, local, remote = both_hosts(domain, CanvasWorkflow, [3])
    assert result == {"squares": [1, 4, 9], "summary": "sum of squares is 14", "nested": [10000, 160000]}
    # The summary chain and the nested chain are independent: on SWF, which of their next tasks is
    # scheduled first depends on which activity completes first. The same tasks, each branch in order.
    assert sorted(scheduled(remote), key=repr) == sorted(scheduled(local), key=repr)
    assert len(scheduled(remote)) == 3 + 2 + 2 + 2  # squares, the chain, the nested group, the FuncGroup
    for events in (remote, local):
        at = scheduled_positions(events)
        assert max(at["square", 1], at["square", 2], at["square", 3]) < at["total", (1, 4, 9)] < at["describe", 14]
        assert max(at["square", 10], at["square", 20]) < min(at["square", 100], at["square", 400])


def test_parallel_chains_of_one_activity_keep_their_ids_whichever_finishes_first_on_swf_as_locally(domain):
    # Each chain's second step took its count when the group was submitted: the slow chain's step is
    # scheduled last, yet keeps shout-1. Had it taken its count when scheduled, a full replay (which finds
    # both sleeps done at once) would give it another task's id, and the execution would not fit its history.
    from tests.fixtures.swf_workflows import ParallelPipelinesWorkflow

    input = {"args": [1.0], "kwargs": {}}
    local = LocalExecution(ParallelPipelinesWorkflow, input, workers=2).execute()
    assert local.status == "completed", local.reason
    remote = run_standalone(domain, ParallelPipelinesWorkflow, input, progress=None, timeout=30, nb_workers=2)
    assert remote.status == "completed", (remote.reason, remote.details)
    assert remote.result == local.result == [[["slow", "slow!"], ["fast", "fast!"]], "later!"]
    expected = [
        ("activity-tests.swf.sleep_then-1", "tests.swf.sleep_then", {"args": [1.0, "slow"], "kwargs": {}}),
        ("activity-tests.swf.sleep_then-2", "tests.swf.sleep_then", {"args": [0, "fast"], "kwargs": {}}),
        ("activity-tests.swf.shout-3", "tests.swf.shout", {"args": ["later"], "kwargs": {}}),
        ("activity-tests.swf.shout-2", "tests.swf.shout", {"args": ["fast"], "kwargs": {}}),
        ("activity-tests.swf.shout-1", "tests.swf.shout", {"args": ["slow"], "kwargs": {}}),
    ]
    assert scheduled(local.events) == expected
    assert scheduled(client.get_history(domain, remote.workflow_id, remote.run_id)) == expected


def test_a_timer_id_swf_refuses_fails_the_execution_once_on_swf_as_locally(domain):
    # SWF refuses the whole decision task that starts such a timer, at every try: the execution would stay
    # open with no decision taken. The id is refused where the code gives it, on both hosts.
    from tests.fixtures.swf_workflows import TimerNamedByInputWorkflow

    input = {"args": ["every:day"], "kwargs": {}}
    local = LocalExecution(TimerNamedByInputWorkflow, input).execute()
    remote = run_standalone(domain, TimerNamedByInputWorkflow, input, progress=None, timeout=30)
    assert local.status == remote.status == "failed"
    assert remote.reason == local.reason
    assert "timer id 'every:day' must not contain ':', '/', '|' or a control character" in remote.reason
    remote_events = client.get_history(domain, remote.workflow_id, remote.run_id)
    assert [e["eventType"] for e in remote_events].count("DecisionTaskCompleted") == 1


def test_an_oversize_result_fails_its_task_with_the_same_error_on_swf_as_locally(domain):
    # A RetryPolicy's non_retryable_errors names errors: both hosts must give this one the same name.
    from tests.fixtures.swf_workflows import OversizeResultWorkflow

    input = {"args": [40_000], "kwargs": {}}
    local = LocalExecution(OversizeResultWorkflow, input).execute()
    remote = run_standalone(domain, OversizeResultWorkflow, input, progress=None, timeout=30)
    assert local.result is True and remote.result is True
    failures = []
    for events in (local.events, client.get_history(domain, remote.workflow_id, remote.run_id)):
        [failed] = [attributes(e) for e in events if e["eventType"] == "ActivityTaskFailed"]
        failures.append((failed["reason"], json.loads(failed["details"])["error_type"]))
    assert (
        failures[0]
        == failures[1]
        == (
            "FieldTooLarge: the activity result is 40002 characters long, over SWF's limit of 32768: "
            "set SIMPLEFLOW_JUMBO_FIELDS_BUCKET to store large fields in S3",
            "simpleflow.runtime.outcome.FieldTooLarge",
        )
    )


def test_a_result_json_cannot_encode_fails_its_task_naming_the_activity_on_swf_as_locally(domain):
    # Nothing of the activity raised: the reason names it and what is wrong, and no line inside simpleflow. Its
    # retry=2 tries it once: the same code gives the same result again.
    from tests.fixtures.swf_workflows import OpaqueResultWorkflow

    local = LocalExecution(OpaqueResultWorkflow, {"args": [], "kwargs": {}}).execute()
    remote = run_standalone(domain, OpaqueResultWorkflow, {"args": [], "kwargs": {}}, progress=None, timeout=30)
    assert local.result is True and remote.result is True
    failures = []
    for events in (local.events, client.get_history(domain, remote.workflow_id, remote.run_id)):
        [failure] = task_failures(events)
        details = json.loads(attributes(events[failure.event_id - 1])["details"])
        failures.append((failure.reason, failure.where, details))
    reason = (
        "InvalidResult: activity 'tests.swf.opaque': its result cannot be encoded as JSON "
        "(object is not JSON serializable)"
    )
    assert failures[0] == failures[1]
    assert failures[0][:2] == (reason, "")
    assert failures[0][2]["error_type"] == "InvalidResult"


def test_a_data_error_fails_its_task_once_whatever_its_retries_on_swf_as_locally(domain):
    # A DataError says another try gives the same (data gone, unreadable): retry=2 and a retry policy of three
    # attempts each ran it three times.
    from tests.fixtures.swf_workflows import DataErrorWorkflow

    local = LocalExecution(DataErrorWorkflow, {"args": [], "kwargs": {}}).execute()
    remote = run_standalone(domain, DataErrorWorkflow, {"args": [], "kwargs": {}}, progress=None, timeout=30)
    assert local.result == remote.result == [True, True]
    stories = []
    for events in (local.events, client.get_history(domain, remote.workflow_id, remote.run_id)):
        scheduled = [attributes(e)["activityId"] for e in events if e["eventType"] == "ActivityTaskScheduled"]
        failed = [json.loads(attributes(e)["details"]) for e in events if e["eventType"] == "ActivityTaskFailed"]
        stories.append((sorted(scheduled), [(d["error_type"], d.get("data_error")) for d in failed]))
    assert stories[0] == stories[1]
    assert len(stories[0][0]) == 2
    assert stories[0][1] == [("simpleflow.exceptions.DataError", True)] * 2


def test_run_returning_an_unfinished_future_fails_once_naming_its_task_and_line_on_swf_as_locally(domain, caplog):
    from tests.fixtures.swf_workflows import ForgetsResultWorkflow

    input = {"args": [3], "kwargs": {}}
    local = LocalExecution(ForgetsResultWorkflow, input).execute()
    remote = run_standalone(domain, ForgetsResultWorkflow, input, progress=None, timeout=30)
    line = inspect.getsourcelines(ForgetsResultWorkflow.run)[1] + 2
    reason = (
        "run() returned the unfinished future of activity 'activity-tests.swf.square-2' "
        f"({inspect.getsourcefile(ForgetsResultWorkflow)}, line {line}): return its .result, which waits for it"
    )
    assert (local.status, local.reason, local.details) == (remote.status, remote.reason, remote.details)
    assert (remote.status, remote.reason, remote.details) == ("failed", reason, None)
    remote_events = client.get_history(domain, remote.workflow_id, remote.run_id)
    # Failed at once: the second task is never scheduled; nor is a traceback logged (by the local host, here).
    assert [activity_id for activity_id, *_ in scheduled(remote_events)] == ["activity-tests.swf.square-1"]
    assert scheduled(remote_events) == scheduled(local.events)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def scheduled_positions(events: list[dict[str, Any]]) -> dict[tuple[str, Any], int]:
    """Where each (function, first argument) was scheduled, lists as tuples."""
    positions = {}
    for i, (_, name, data) in enumerate(scheduled(events)):
        arg = data["args"][0]
        positions[name.rsplit(".", 1)[-1], tuple(arg) if isinstance(arg, list) else arg] = i
    return positions


# --- signals from outside ----------------------------------------------------------------------


def test_signal_sent_with_the_command_line_while_the_workflow_waits_for_it(domain):
    payload = {"args": ["alice"], "kwargs": {"note": "ship it"}}
    with decider_and_worker(domain, [ApprovalWorkflow]) as task_list:
        execution = start_workflow(domain, ApprovalWorkflow, {"args": ["release-7"], "kwargs": {}}, task_list=task_list)
        waiting = wait_until_waiting(domain, execution)
        assert [e["eventType"] for e in waiting] == [
            "WorkflowExecutionStarted",
            "DecisionTaskScheduled",
            "DecisionTaskStarted",
            "DecisionTaskCompleted",
        ]
        done = simpleflow("workflow.signal", domain, execution["workflowId"], "approve", "--input", json.dumps(payload))
        assert done.returncode == 0, done.stderr
        assert done.stdout == f"signal approve sent to {execution['workflowId']}\n"
        events = wait_closed(domain, execution["workflowId"], execution["runId"])
    result = completed_result(events)
    assert result == {"approval": payload, "published": "release-7 published, approved by alice (ship it)"}
    signaled = [e for e in events if e["eventType"] == "WorkflowExecutionSignaled"]
    assert [attributes(e)["signalName"] for e in signaled] == ["approve"]
    assert json.loads(attributes(signaled[0])["input"]) == payload
    assert signaled[0]["eventId"] == len(waiting) + 1  # the signal came after the workflow waited
    # The local host, given the same signal at a (virtual) time the workflow waits, agrees.
    local = LocalExecution(
        ApprovalWorkflow, {"args": ["release-7"], "kwargs": {}}, signals=[(30, "approve", payload)]
    ).execute()
    assert local.status == "completed" and local.result == result


def test_a_workflow_signals_another_open_execution_by_its_workflow_id(domain):
    with decider_and_worker(domain, [ApprovalWorkflow, ApproverWorkflow]) as task_list:
        target = start_workflow(domain, ApprovalWorkflow, {"args": ["release-8"], "kwargs": {}}, task_list=task_list)
        wait_until_waiting(domain, target)
        sender = start_workflow(
            domain, ApproverWorkflow, {"args": [target["workflowId"], "bob"], "kwargs": {}}, task_list=task_list
        )
        sent = wait_closed(domain, sender["workflowId"], sender["runId"])
        received = wait_closed(domain, target["workflowId"], target["runId"])
    assert completed_result(sent) == {"sent": True}
    initiated = next(e for e in sent if e["eventType"] == "SignalExternalWorkflowExecutionInitiated")
    assert attributes(initiated)["workflowId"] == target["workflowId"] and "runId" not in attributes(initiated)
    assert completed_result(received)["published"] == "release-8 published, approved by bob"
    signaled = next(e for e in received if e["eventType"] == "WorkflowExecutionSignaled")
    assert attributes(signaled)["externalWorkflowExecution"] == sender
    # The local host, given the signal the sender sends, agrees.
    payload = json.loads(attributes(signaled)["input"])
    local = LocalExecution(ApprovalWorkflow, {"args": ["release-8"], "kwargs": {}}, signals=[(30, "approve", payload)])
    assert local.execute().result == completed_result(received)


def test_signal_sent_before_the_workflow_waits_for_it_is_found_in_the_history(domain):
    with decider_and_worker(domain, [CoolingOffWorkflow]) as task_list:
        execution = start_workflow(
            domain, CoolingOffWorkflow, {"args": ["release-8", 2], "kwargs": {}}, task_list=task_list
        )
        waiting = wait_until_waiting(domain, execution)  # the two-hour timer (two seconds on this server) runs
        assert timer_story(waiting) == [("TimerStarted", "cooling_off")]
        executions.signal(domain, execution["workflowId"], "approve", json.dumps({"args": ["bob"], "kwargs": {}}))
        events = wait_closed(domain, execution["workflowId"], execution["runId"])
    assert completed_result(events) == "release-8 published, approved by bob"
    types = [e["eventType"] for e in events]
    assert types.index("WorkflowExecutionSignaled") < types.index("TimerFired")
    assert timer_story(events) == [("TimerStarted", "cooling_off"), ("TimerFired", "cooling_off")]
    local = LocalExecution(
        CoolingOffWorkflow,
        {"args": ["release-8", 2], "kwargs": {}},
        signals=[(30, "approve", {"args": ["bob"], "kwargs": {}})],
    ).execute()
    assert local.status == "completed" and local.result == "release-8 published, approved by bob"
    local_types = [e["eventType"] for e in local.events]
    assert local_types.index("WorkflowExecutionSignaled") < local_types.index("TimerFired")


@pytest.mark.parametrize("cache_runs", ["256", "0"])
def test_a_plain_wait_signal_reads_the_latest_signal_as_of_the_decision_on_swf_as_locally(
    domain, monkeypatch, cache_runs
):
    """Two more signals "x" come while the timer runs: both reads give the latest (as a full replay reads it), on
    the local host and on the server, whether the decider resumes its cached run or replays every decision."""
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_CACHE_RUNS", cache_runs)
    with decider_and_worker(domain, [ReadTwiceWorkflow]) as task_list:
        execution = start_workflow(domain, ReadTwiceWorkflow, {"args": [2], "kwargs": {}}, task_list=task_list)
        executions.signal(domain, execution["workflowId"], "x", "1")
        deadline = time.monotonic() + 20
        while ("TimerStarted", "between") not in timer_story(wait_until_waiting(domain, execution)):
            assert time.monotonic() < deadline, "the timer never started"
            time.sleep(0.05)
        for value in ("2", "3"):  # while the two-hour timer (two seconds on this server) runs
            executions.signal(domain, execution["workflowId"], "x", value)
        remote = wait_closed(domain, execution["workflowId"], execution["runId"])
    types = [e["eventType"] for e in remote]
    assert types.count("WorkflowExecutionSignaled") == 3
    assert [i for i, t in enumerate(types) if t == "WorkflowExecutionSignaled"][-1] < types.index("TimerFired")
    local = LocalExecution(
        ReadTwiceWorkflow, {"args": [2], "kwargs": {}}, signals=[(30, "x", 1), (HOUR, "x", 2), (HOUR + 30, "x", 3)]
    ).execute()
    assert local.status == "completed", local.reason
    assert completed_result(remote) == local.result == [3, 3]


def _first_of_on_both_hosts(domain: str, hours: int, signal_after: str, local_at: float) -> tuple[Any, list, list]:
    """FirstOfWorkflow with a deadline of *hours*, signaled once the history shows *signal_after* on the dev server
    (``DecisionTaskCompleted``: as soon as it waits), at *local_at* virtual seconds locally; the result (the same
    on both) and each host's history. Every decision of the dev server's is what a full replay decides."""
    approve = {"args": ["bob"], "kwargs": {}}
    with decider_and_worker(domain, [FirstOfWorkflow]) as task_list:
        execution = start_workflow(domain, FirstOfWorkflow, {"args": [hours], "kwargs": {}}, task_list=task_list)
        deadline = time.monotonic() + 20
        while signal_after not in [e["eventType"] for e in wait_until_waiting(domain, execution)]:
            assert time.monotonic() < deadline, f"no {signal_after} in the history"
            time.sleep(0.1)
        executions.signal(domain, execution["workflowId"], "approve", json.dumps(approve))
        remote = wait_closed(domain, execution["workflowId"], execution["runId"])
    local = LocalExecution(
        FirstOfWorkflow, {"args": [hours], "kwargs": {}}, signals=[(local_at, "approve", approve)]
    ).execute()
    assert local.status == "completed", local.reason
    assert completed_result(remote) == local.result
    for events in (local.events, remote):
        for end, event in enumerate(events[:-1]):
            if event["eventType"] == "DecisionTaskStarted" and events[end + 1]["eventType"] == "DecisionTaskCompleted":
                assert_replays(events[: end + 1], events[end + 1 :])
    return local.result, local.events, remote


# A decision -> the event it leaves, and the attribute of that event that names what it decided.
_DECIDED = {
    "StartTimer": ("TimerStarted", "timerId"),
    "CancelTimer": ("TimerCanceled", "timerId"),
    "ScheduleActivityTask": ("ActivityTaskScheduled", "activityId"),
    "CompleteWorkflowExecution": ("WorkflowExecutionCompleted", "result"),
}


def assert_replays(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
    """A fresh full replay of *before* (up to a DecisionTaskStarted) takes the decisions recorded in *after*."""
    from simpleflow.engine import replay

    completed = after[0]["eventId"]
    keys = dict(_DECIDED.values())
    recorded = [
        (e["eventType"], attributes(e)[keys[e["eventType"]]])
        for e in after
        if attributes(e).get("decisionTaskCompletedEventId") == completed
    ]
    decided = []
    for decision in replay(FirstOfWorkflow, before):
        event_type, key = _DECIDED[decision["decisionType"]]
        decided.append((event_type, next(v for k, v in decision.items() if k.endswith("DecisionAttributes"))[key]))
    assert decided == recorded


def test_a_signal_before_the_deadline_wins_the_wait_for_the_first_on_swf_as_locally(domain):
    result, local, remote = _first_of_on_both_hosts(domain, 24, "DecisionTaskCompleted", 30)
    assert result == {"first": "approve", "deadline": "CANCELLED", "published": "approve published, approved by bob"}
    assert timer_story(remote) == timer_story(local) == [("TimerStarted", "deadline"), ("TimerCanceled", "deadline")]


def test_a_deadline_before_the_signal_wins_the_wait_for_the_first_on_swf_as_locally(domain):
    result, local, remote = _first_of_on_both_hosts(domain, 1, "TimerFired", 2 * HOUR)
    assert result == {"first": "deadline", "deadline": "FINISHED", "published": "deadline published, approved by bob"}
    assert timer_story(remote) == timer_story(local) == [("TimerStarted", "deadline"), ("TimerFired", "deadline")]


def test_signal_to_an_unknown_execution_is_a_one_line_error(domain):
    done = simpleflow("workflow.signal", domain, "no-such-workflow", "approve", "--input", "[]")
    assert done.returncode == 2  # SWF's UnknownResourceFault, told apart from a closed execution
    assert done.stdout == ""
    assert done.stderr == f"simpleflow: error: no execution with workflow id 'no-such-workflow' in domain '{domain}'\n"


# --- cancel from outside ----------------------------------------------------------------------


def test_workflow_cancel_is_accepted_by_a_waiting_workflow_on_swf_as_locally(domain):
    with decider_and_worker(domain, [ApprovalWorkflow]) as task_list:
        execution = start_workflow(domain, ApprovalWorkflow, {"args": ["release-9"], "kwargs": {}}, task_list=task_list)
        wait_until_waiting(domain, execution)
        done = simpleflow("workflow.cancel", domain, execution["workflowId"])
        assert (done.returncode, done.stdout, done.stderr) == (
            0,
            f"cancel requested for {execution['workflowId']}\n",
            "",
        )
        events = wait_closed(domain, execution["workflowId"], execution["runId"])
    types = [e["eventType"] for e in events]
    assert types[-5:] == [
        "WorkflowExecutionCancelRequested",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "WorkflowExecutionCanceled",
    ]
    info = client.swf_client().describe_workflow_execution(domain=domain, execution=execution)["executionInfo"]
    assert (info["closeStatus"], info["cancelRequested"]) == ("CANCELED", True)
    local = LocalExecution(ApprovalWorkflow, {"args": ["release-9"], "kwargs": {}}, cancel_at=30).execute()
    assert local.status == "canceled"
    assert [e["eventType"] for e in local.events][-5:] == types[-5:]


def test_workflow_cancel_of_a_closed_execution_is_one_line(domain):
    execution = start_workflow(domain, ApprovalWorkflow, {"args": ["release-9"], "kwargs": {}}, task_list="nobody")
    executions.terminate(domain, execution["workflowId"])
    done = simpleflow("workflow.cancel", domain, execution["workflowId"])
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"simpleflow: error: execution {execution['workflowId']} (run ")
    assert "is already closed: terminated at " in done.stderr and done.stderr.rstrip().endswith("nothing to cancel")
    assert len(done.stderr.splitlines()) == 1
    assert closing(history(domain, execution))[0] == "WorkflowExecutionTerminated"
