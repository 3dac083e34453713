"""Heartbeats with progress on the local host: a simulated heartbeat timeout hands the details to the next attempt."""

from __future__ import annotations

import json
import time

import pytest

from simpleflow import activity
from simpleflow.activity import HEARTBEAT_DETAILS_KEY
from simpleflow.engine import replay
from simpleflow.local import LocalExecution
from simpleflow.runtime.outcome import run_activity
from tests.fixtures import heartbeat_workflows
from tests.fixtures.heartbeat_workflows import CountWorkflow, count_to


def _events_of(events, event_type):
    return [e for e in events if e["eventType"] == event_type]


@pytest.fixture(scope="module")
def counted():
    """One local CountWorkflow execution (its simulated heartbeat timeout takes real time), read by three tests."""
    return LocalExecution(CountWorkflow, {"args": [5], "kwargs": {}}).execute()


def test_an_attempt_silent_past_its_heartbeat_timeout_times_out_with_its_last_details(counted):
    outcome = counted
    assert outcome.status == "completed", outcome.reason
    timed_out = _events_of(outcome.events, "ActivityTaskTimedOut")
    assert len(timed_out) == 1
    attrs = timed_out[0]["activityTaskTimedOutEventAttributes"]
    assert attrs["timeoutType"] == "HEARTBEAT"
    assert json.loads(attrs["details"]) == {"step": 2, "of": 5}


def test_the_next_attempt_reads_the_last_heartbeat_details_and_resumes_from_them(counted):
    outcome = counted
    assert outcome.result == {"resumed_from": {"step": 2, "of": 5}, "done": 5}
    inputs = [
        json.loads(e["activityTaskScheduledEventAttributes"]["input"])
        for e in _events_of(outcome.events, "ActivityTaskScheduled")
    ]
    assert HEARTBEAT_DETAILS_KEY not in inputs[0]  # a first attempt's input is simpleflow 0.36's
    assert json.loads(inputs[1][HEARTBEAT_DETAILS_KEY]) == {"step": 2, "of": 5}
    assert inputs[1]["args"] == [5]


def test_a_full_replay_of_the_local_history_reschedules_with_the_same_details_and_completes_the_same(counted):
    outcome = counted
    last_decision = max(i for i, e in enumerate(outcome.events) if e["eventType"] == "DecisionTaskStarted")
    decisions = replay(CountWorkflow, outcome.events[: last_decision + 1])
    assert [d["decisionType"] for d in decisions] == ["CompleteWorkflowExecution"]
    completed = decisions[0]["completeWorkflowExecutionDecisionAttributes"]
    assert json.loads(completed["result"]) == outcome.result


def test_heartbeat_outside_a_running_activity_does_nothing():
    assert activity.heartbeat({"step": 1}) is None
    assert activity.last_heartbeat_details() is None
    assert count_to.callable(0) == {"resumed_from": None, "done": 0}


def test_heartbeat_raises_task_canceled_once_the_cancellation_is_requested():
    from tests.fixtures.heartbeat_workflows import until_canceled

    outcome = run_activity(until_canceled, json.dumps({"args": [5]}), {}, send=lambda details: True)
    assert outcome.completed and json.loads(outcome.result) == "saw the cancellation"


def test_the_heartbeat_progress_example_resumes_at_the_row_its_stalled_attempt_reached():
    from examples.heartbeat_progress import ImportWorkflow

    outcome = LocalExecution(ImportWorkflow, {"args": [20, 12], "kwargs": {}}).execute()
    assert outcome.result == {"imported": 8, "resumed_at": 12}
    [timed_out] = _events_of(outcome.events, "ActivityTaskTimedOut")
    assert json.loads(timed_out["activityTaskTimedOutEventAttributes"]["details"]) == {"next_row": 12, "of": 20}


def test_an_activity_still_running_when_its_run_closes_is_stopped_at_its_next_heartbeat():
    # As on SWF, where the closed run's task is gone: the worker's activity sees TaskCanceled at its next heartbeat.
    heartbeat_workflows.BEATEN.clear()
    began = time.monotonic()
    outcome = LocalExecution(
        heartbeat_workflows.LeavesItRunningWorkflow, {"args": [50], "kwargs": {}}, workers=2
    ).execute()
    assert (outcome.status, outcome.result) == ("completed", "done early")
    assert time.monotonic() - began < 2  # not waiting for the activity's 5 s
    deadline = time.monotonic() + 5
    while "canceled" not in heartbeat_workflows.BEATEN:
        assert time.monotonic() < deadline, heartbeat_workflows.BEATEN
        time.sleep(0.05)
    assert len(heartbeat_workflows.BEATEN) <= 4, heartbeat_workflows.BEATEN
