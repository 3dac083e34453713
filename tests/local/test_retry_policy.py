"""Retry policies on the local host: the waits pass on the virtual clock, through the engine's timers."""

from __future__ import annotations

import time

from simpleflow.engine import policy_timer_id, replay
from simpleflow.local import LocalExecution
from simpleflow.local.replay import check_history
from tests.fixtures import retry_workflows as rw

FLAKY_ID = "activity-tests.fixtures.retry_workflows.flaky-1"


def _attrs(event):
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def _story(events):
    """(event type, what it concerns) of the activity and timer events, in order."""
    story = []
    for e in events:
        etype = e["eventType"]
        if etype.startswith("Timer"):
            story.append((etype, _attrs(e)["timerId"]))
        elif etype in ("ActivityTaskScheduled", "ActivityTaskFailed", "ActivityTaskCompleted"):
            story.append((etype, _attrs(e).get("activityId", "")))
    return story


def test_a_task_failing_twice_waits_ten_then_twenty_virtual_seconds_and_succeeds(tmp_path):
    began = time.monotonic()
    outcome = LocalExecution(rw.FlakyWorkflow, {"args": [str(tmp_path), 2], "kwargs": {}}).execute()
    assert outcome.status == "completed", outcome.reason
    assert outcome.result == 42
    assert (tmp_path / "flaky.attempts").read_text() == "3"
    second, third = policy_timer_id(FLAKY_ID, 2), policy_timer_id(FLAKY_ID, 3)
    assert _story(outcome.events) == [
        ("ActivityTaskScheduled", FLAKY_ID),
        ("ActivityTaskFailed", ""),
        ("TimerStarted", second),
        ("TimerFired", second),
        ("ActivityTaskScheduled", FLAKY_ID),
        ("ActivityTaskFailed", ""),
        ("TimerStarted", third),
        ("TimerFired", third),
        ("ActivityTaskScheduled", FLAKY_ID),
        ("ActivityTaskCompleted", ""),
    ]
    started = {_attrs(e)["timerId"]: e for e in outcome.events if e["eventType"] == "TimerStarted"}
    fired = {_attrs(e)["timerId"]: e for e in outcome.events if e["eventType"] == "TimerFired"}
    for timer_id, seconds in ((second, 10), (third, 20)):
        assert _attrs(started[timer_id])["startToFireTimeout"] == str(seconds)
        waited = fired[timer_id]["eventTimestamp"] - started[timer_id]["eventTimestamp"]
        assert seconds <= waited < seconds + 1
    assert time.monotonic() - began < 5  # the clock jumped: thirty seconds of waits took none


def test_replaying_the_local_history_takes_the_decisions_the_local_run_took(tmp_path):
    outcome = LocalExecution(rw.FlakyWorkflow, {"args": [str(tmp_path), 2], "kwargs": {}}).execute()
    events = outcome.events
    timers = 0
    for i, event in enumerate(events):
        if event["eventType"] != "DecisionTaskCompleted":
            continue
        # What the run decided at this decision task: the events its DecisionTaskCompleted caused.
        caused = [
            e["eventType"] for e in events[i + 1 :] if _attrs(e).get("decisionTaskCompletedEventId") == event["eventId"]
        ]
        decided = [d["decisionType"] for d in replay(rw.FlakyWorkflow, events[:i])]
        timers += decided.count("StartTimer")
        expected = {"ActivityTaskScheduled": "ScheduleActivityTask", "TimerStarted": "StartTimer"}
        assert [expected.get(c, c) for c in caused if c != "WorkflowExecutionCompleted"] == [
            d for d in decided if d != "CompleteWorkflowExecution"
        ]
    assert timers == 2
    decisions, mismatches = check_history(rw.FlakyWorkflow, events)  # what workflow.replay reports
    assert mismatches == []
    assert [d["decisionType"] for d in decisions] == ["CompleteWorkflowExecution"]


def test_a_non_retryable_error_runs_the_task_once(tmp_path):
    outcome = LocalExecution(rw.OrderWorkflow, {"args": [str(tmp_path), {"items": []}], "kwargs": {}}).execute()
    assert outcome.status == "completed", outcome.reason
    assert outcome.result == "InvalidOrder: an order needs items"
    assert (tmp_path / "check_order.attempts").read_text() == "1"
    assert not any(e["eventType"] == "TimerStarted" for e in outcome.events)


def test_the_example_retries_with_backoff_and_stops_at_a_non_retryable_error(tmp_path):
    from examples.retry_policy import FETCH_POLICY, RetryPolicyWorkflow

    outcome = LocalExecution(RetryPolicyWorkflow, {"args": [str(tmp_path)], "kwargs": {}}).execute()
    assert outcome.status == "completed", outcome.reason
    assert outcome.result == {"fetched": {"attempts": 3}, "checked": "InvalidOrder: order 7 has no items"}
    assert [p.read_text() for p in sorted(tmp_path.glob("*check_order"))] == ["1"]
    fetch_id = "activity-examples.retry_policy.fetch_rates-1"
    waits = [
        (_attrs(e)["timerId"], int(_attrs(e)["startToFireTimeout"]))
        for e in outcome.events
        if e["eventType"] == "TimerStarted"
    ]
    assert waits == [(policy_timer_id(fetch_id, n + 1), FETCH_POLICY.interval(n, fetch_id)) for n in (1, 2)]
    assert 24 <= waits[0][1] <= 30 and 48 <= waits[1][1] <= 60  # 30 s then 60 s, less up to 20 % jitter
