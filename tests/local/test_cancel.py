"""Cancelling what a workflow started, end to end in the local host (on SWF: tests/swf/test_children.py).

Every run is also checked the way the SWF decider runs it: a resumed run takes, decision task by
decision task, the decisions a full replay takes.
"""

from __future__ import annotations

import json
import time

from simpleflow.engine import policy_timer_id
from simpleflow.local import LocalExecution
from tests.fixtures.cancel_workflows import (
    CancelActivityWorkflow,
    CancelByIdWorkflow,
    CancelChildWorkflow,
    CancelRetryWorkflow,
    CancelTimerWorkflow,
    CancelWaitingWorkflow,
)
from tests.local.test_features import assert_resume_matches_replay, attrs, event_types


def _run(workflow_class, *args, workers=2):
    result = LocalExecution(workflow_class, {"args": list(args), "kwargs": {}}, workers=workers).execute()
    assert result.status == "completed", result.reason
    assert_resume_matches_replay(workflow_class, result)
    return result


def test_a_running_activity_is_told_through_heartbeat_and_its_future_ends_cancelled():
    started = time.monotonic()
    result = _run(CancelActivityWorkflow)
    assert result.result == {"asked": True, "again": True, "running": "cancelled"}
    assert time.monotonic() - started < 10  # it stopped at its next heartbeat, not after its 20 s
    types = event_types(result)
    assert types.count("ActivityTaskCancelRequested") == 1 and "ActivityTaskCanceled" in types
    canceled = next(attrs(e) for e in result.events if e["eventType"] == "ActivityTaskCanceled")
    assert "step" in json.loads(canceled["details"])  # the last heartbeat's details, as a worker sends them


def test_an_activity_that_finishes_after_the_request_keeps_its_result():
    result = _run(CancelActivityWorkflow, True)
    assert result.result == {"asked": True, "again": True, "running": "finished anyway"}
    assert "ActivityTaskCanceled" not in event_types(result)


def test_with_one_worker_the_activity_finished_before_the_cancel_and_cancel_says_false():
    result = _run(CancelActivityWorkflow, False, 0.1, workers=1)
    assert result.result == {"asked": False, "again": False, "running": "ran to the end"}
    assert "ActivityTaskCancelRequested" not in event_types(result)


def test_a_task_waiting_for_a_worker_is_canceled_at_once_and_never_starts():
    outcome = LocalExecution(CancelWaitingWorkflow, {"args": [], "kwargs": {}}, workers=2).execute()
    assert outcome.result == {"asked": True, "waiting": "cancelled", "busy": ["ran to the end"] * 2}
    [scheduled] = [
        e["eventId"] for e in outcome.events if attrs(e).get("activityType", {}).get("name", "").endswith("quick")
    ]
    mine = [e for e in outcome.events if scheduled in (attrs(e).get("scheduledEventId"), e["eventId"])]
    assert [e["eventType"] for e in mine] == ["ActivityTaskScheduled", "ActivityTaskCanceled"]  # no worker took it
    assert attrs(mine[1])["startedEventId"] == 0


def test_a_task_cancelled_between_attempts_cancels_its_retry_timer_and_is_never_retried():
    result = _run(CancelRetryWorkflow, workers=1)
    assert result.result == {"asked": True, "waiting": "cancelled"}
    wait = policy_timer_id("activity-tests.fixtures.cancel_workflows.always_fails-1", 2)
    timers = [(e["eventType"], attrs(e)["timerId"]) for e in result.events if e["eventType"].startswith("Timer")]
    assert timers == [
        ("TimerStarted", "an-hour"),
        ("TimerStarted", wait),
        ("TimerFired", "an-hour"),
        ("TimerCanceled", wait),
    ]
    assert event_types(result).count("ActivityTaskScheduled") == 1


def test_a_cancelled_timer_ends_cancelled_and_one_never_started_takes_no_decision():
    result = _run(CancelTimerWorkflow)
    assert result.result == {"asked": True, "long": "cancelled", "never": "cancelled", "unstarted": "cancelled"}
    started = [attrs(e)["timerId"] for e in result.events if e["eventType"] == "TimerStarted"]
    assert "never" not in started and "unstarted" not in started and "long" in started
    assert "TimerCanceled" in event_types(result)


def test_a_child_that_accepts_the_cancellation_ends_cancelled_in_the_parent():
    result = _run(CancelChildWorkflow)
    assert result.result == {"asked": True, "child": "cancelled"}
    types = event_types(result)
    assert (
        types.index("RequestCancelExternalWorkflowExecutionInitiated")
        < types.index("ExternalWorkflowExecutionCancelRequested")
        < types.index("ChildWorkflowExecutionCanceled")
    )
    request = next(
        attrs(e) for e in result.events if e["eventType"] == "RequestCancelExternalWorkflowExecutionInitiated"
    )
    started = next(attrs(e) for e in result.events if e["eventType"] == "ChildWorkflowExecutionStarted")
    assert request["workflowId"] == "the-sleeper" and request["runId"] == started["workflowExecution"]["runId"]


def test_a_child_that_refuses_fails_its_future_with_its_result_in_the_details():
    result = _run(CancelChildWorkflow, True)
    assert result.result["asked"] is True
    assert "the child workflow completed instead of being canceled" in result.result["child"]
    assert "ChildWorkflowExecutionCompleted" in event_types(result)


def test_cancel_workflow_by_id_reaches_the_child_and_an_unknown_id_fails():
    result = _run(CancelByIdWorkflow)
    assert result.result["sent"] is None
    assert "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION" in result.result["unknown"]
    assert result.result["child"].startswith("TaskCanceled")  # cancelled by someone: a failure, as in simpleflow
    assert "ChildWorkflowExecutionCanceled" in event_types(result)


def test_the_cancel_example_cancels_its_scan_child_and_timer_once_the_cache_answers():
    from examples.cancel import LookupWorkflow

    started = time.monotonic()
    result = _run(LookupWorkflow, "k")
    assert result.result == {
        "answer": "cached value for k",
        "scan": "cancelled",
        "report": "cancelled",
        "reminder": "cancelled",
    }
    assert time.monotonic() - started < 10  # the 30 s scan stopped at its next heartbeat
    types = event_types(result)
    for event in ("ActivityTaskCanceled", "ChildWorkflowExecutionCanceled", "TimerCanceled"):
        assert event in types
