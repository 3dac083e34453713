"""``future.cancel()`` on running activities, children and timers, over hand-built histories.

Every shape SWF can answer a cancel request with: cancelled, finished first, refused (the *Failed
events); each history is also replayed decision task by decision task against a resumed run.
Beside this module, and using its activities, workflows and helpers: what is cancelled before SWF is asked
for it (test_cancel_unscheduled.py), between its attempts (test_cancel_retries.py), and other executions
cancelled by id (test_cancel_other_executions.py).
"""

from __future__ import annotations

import json
import zlib

from simpleflow import Workflow, activity, futures
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.exceptions import CancelledError
from tests.history_builder import HistoryBuilder

INFO = ExecutionInfo(domain="d", workflow_id="wf-id", run_id="run-id")
RUN_HASH = f"{zlib.adler32(b'run-id') & 0xFFFFFFFF:x}"
CHILD_ID = f"workflow-cancel-child-wf-id--{RUN_HASH}--1"
SLOW = "activity-cancel.slow-1"
FAST = "activity-cancel.fast-1"


@activity.with_attributes(name="cancel.slow", task_list="tl", version="1", retry=2, raises_on_failure=False)
def slow(x):
    return x


@activity.with_attributes(name="cancel.fast", task_list="tl", version="1")
def fast(x):
    return x + 1


def _outcome(future):
    """What became of *future*, as a workflow reads it."""
    try:
        value = future.result
    except CancelledError:
        return "cancelled"
    error = future.exception
    return f"{error!r} details={getattr(error, 'details', None)}" if error is not None else value


class CancelsActivity(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        running = self.submit(slow, 5)
        futures.wait(self.submit(fast, 1))
        asked = running.cancel()
        return {"asked": asked, "again": running.cancel(), "slow": _outcome(running)}


class Child(Workflow):
    name = "cancel-child"
    version = "1"
    task_list = "tl"
    raises_on_failure = False

    def run(self):
        return 7


class CancelsChild(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        child = self.submit(Child)
        futures.wait(self.submit(fast, 1))
        asked = child.cancel()
        return {"asked": asked, "child": _outcome(child)}


class CancelsTimer(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        long = self.submit(self.start_timer("long", 3600))
        futures.wait(self.submit(self.start_timer("short", 60)))
        asked = long.cancel()
        return {"asked": asked, "long": _outcome(long)}


def decisions_of(decisions):
    return [d["decisionType"] for d in decisions]


def attrs_of(decision):
    kind = decision["decisionType"]
    return decision[kind[0].lower() + kind[1:] + "DecisionAttributes"]


def result_of(decisions):
    assert decisions_of(decisions) == ["CompleteWorkflowExecution"], decisions
    return json.loads(attrs_of(decisions[0])["result"])


def assert_resume_matches_replay(workflow_class, events):
    """At every DecisionTaskStarted: a run resumed with only the new events == a fresh full replay."""
    run = WorkflowRun(workflow_class, INFO)
    seen = 0
    try:
        for i, event in enumerate(events):
            if event["eventType"] == "DecisionTaskStarted":
                got = run.advance(events[seen : i + 1])
                seen = i + 1
                assert got == replay(workflow_class, events[: i + 1], INFO), f"decision task at event {i + 1}"
    finally:
        run.close()


# -- activities ----------------------------------------------------------------------------------


def _activity_running(b):
    """Both activities scheduled, slow started, fast completed: the decision that cancels slow."""
    b.decision()
    running = b.schedule_activity(SLOW, "cancel.slow", input={"args": [5], "kwargs": {}})
    done = b.schedule_activity(FAST, "cancel.fast", input={"args": [1], "kwargs": {}})
    b.start_activity(running)
    b.complete_activity(done, result=2)
    return running


def test_cancelling_a_running_activity_asks_swf_once_with_request_cancel_activity_task():
    b = HistoryBuilder()
    running = _activity_running(b)
    started = b.decision_started()
    decisions = replay(CancelsActivity, b.events, INFO)
    assert decisions == [
        {
            "decisionType": "RequestCancelActivityTask",
            "requestCancelActivityTaskDecisionAttributes": {"activityId": SLOW},
        }
    ]
    b.decision_completed(started)
    b.request_cancel_activity(running)
    b.signal("unrelated")  # a decision task while the worker has not answered yet: nothing asked again
    b.decision_started()
    assert replay(CancelsActivity, b.events, INFO) == []
    assert_resume_matches_replay(CancelsActivity, b.events)


def test_an_activity_the_worker_cancels_ends_the_future_cancelled():
    b = HistoryBuilder()
    running = _activity_running(b)
    b.decision()
    requested = b.request_cancel_activity(running)
    b.activity_canceled(running, requested)
    b.decision_started()
    assert result_of(replay(CancelsActivity, b.events, INFO)) == {"asked": True, "again": True, "slow": "cancelled"}
    assert_resume_matches_replay(CancelsActivity, b.events)


def test_an_activity_that_completes_after_the_request_keeps_its_result():
    b = HistoryBuilder()
    running = _activity_running(b)
    b.decision()
    b.request_cancel_activity(running)
    b.complete_activity(running, result=5)
    b.decision_started()
    assert result_of(replay(CancelsActivity, b.events, INFO)) == {"asked": True, "again": True, "slow": 5}
    assert_resume_matches_replay(CancelsActivity, b.events)


def test_an_activity_that_fails_after_the_request_is_not_retried():
    b = HistoryBuilder()
    running = _activity_running(b)
    b.decision()
    b.request_cancel_activity(running)
    b.fail_activity(running, reason="Error: stopped")
    b.decision_started()
    result = result_of(replay(CancelsActivity, b.events, INFO))  # retry=2, but no ScheduleActivityTask again
    assert result["asked"] is True and "Error: stopped" in result["slow"]
    assert_resume_matches_replay(CancelsActivity, b.events)


def test_a_refused_request_for_an_activity_that_finished_meanwhile_keeps_its_result():
    b = HistoryBuilder()
    running = _activity_running(b)
    started = b.decision_started()
    b.complete_activity(running, result=5)  # while the decision that asks is being taken
    b.decision_completed(started)
    b.request_cancel_activity_failed(SLOW)
    b.decision_started()
    # A full replay finds the activity finished when it reaches cancel(), but the request is in the history.
    assert result_of(replay(CancelsActivity, b.events, INFO)) == {"asked": True, "again": True, "slow": 5}
    assert_resume_matches_replay(CancelsActivity, b.events)


def test_cancelling_an_activity_that_already_finished_returns_false_and_asks_nothing():
    b = HistoryBuilder()
    b.decision()
    running = b.schedule_activity(SLOW, "cancel.slow", input={"args": [5], "kwargs": {}})
    done = b.schedule_activity(FAST, "cancel.fast", input={"args": [1], "kwargs": {}})
    b.complete_activity(running, result=5)
    b.complete_activity(done, result=2)
    b.decision_started()
    assert result_of(replay(CancelsActivity, b.events, INFO)) == {"asked": False, "again": False, "slow": 5}


# -- child workflows -----------------------------------------------------------------------------


def _child_running(b):
    b.decision()
    child = b.start_child_workflow(CHILD_ID, f"{Child.__module__}.Child")
    done = b.schedule_activity(FAST, "cancel.fast", input={"args": [1], "kwargs": {}})
    b.start_child(child, run_id="child-run")
    b.complete_activity(done, result=2)
    return child


def test_cancelling_a_child_asks_swf_with_its_workflow_and_run_ids():
    b = HistoryBuilder()
    _child_running(b)
    started = b.decision_started()
    decisions = replay(CancelsChild, b.events, INFO)
    assert decisions_of(decisions) == ["RequestCancelExternalWorkflowExecution"]
    assert attrs_of(decisions[0]) == {"workflowId": CHILD_ID, "runId": "child-run"}
    b.decision_completed(started)
    initiated = b.request_cancel_external(CHILD_ID, "child-run")
    b.external_cancel_requested(initiated)
    b.decision_started()
    assert replay(CancelsChild, b.events, INFO) == []  # delivered: the child decides, nothing asked again


def test_a_child_that_accepts_the_cancellation_ends_the_future_cancelled():
    b = HistoryBuilder()
    child = _child_running(b)
    b.decision()
    initiated = b.request_cancel_external(CHILD_ID, "child-run")
    b.external_cancel_requested(initiated)
    b.decision()
    b.cancel_child(child)
    b.decision_started()
    assert result_of(replay(CancelsChild, b.events, INFO)) == {"asked": True, "child": "cancelled"}
    assert_resume_matches_replay(CancelsChild, b.events)


def test_a_child_that_completes_instead_fails_the_future_with_its_result_in_the_details():
    b = HistoryBuilder()
    child = _child_running(b)
    b.decision()
    initiated = b.request_cancel_external(CHILD_ID, "child-run")
    b.external_cancel_requested(initiated)
    b.complete_child(child, result=7)
    b.decision_started()
    outcome = result_of(replay(CancelsChild, b.events, INFO))["child"]
    assert "the child workflow completed instead of being canceled" in outcome and "details=7" in outcome
    assert_resume_matches_replay(CancelsChild, b.events)


def test_a_refused_cancel_request_fails_the_childs_future_with_swfs_cause():
    b = HistoryBuilder()
    _child_running(b)
    b.decision()
    initiated = b.request_cancel_external(CHILD_ID, "child-run")
    b.request_cancel_external_failed(initiated)
    b.decision_started()
    outcome = result_of(replay(CancelsChild, b.events, INFO))["child"]
    assert "RequestCancelExternalWorkflowExecutionFailed: UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION" in outcome
    assert_resume_matches_replay(CancelsChild, b.events)


class Stubborn(Workflow):
    name = "stubborn"
    version = "1"
    task_list = "tl"

    def run(self):
        return self.submit(self.start_timer("t", 60)).result

    def should_cancel(self, history):
        return False


def test_a_child_sees_its_parents_request_through_should_cancel():
    b = HistoryBuilder()
    b.decision()
    b.start_timer("t", 60)
    b.cancel_requested(external_workflow_id="parent", external_initiated_id=12)
    b.decision_started()
    assert replay(Stubborn, b.events, INFO) == []  # refused: it goes on waiting for its timer
    child = HistoryBuilder()
    child.cancel_requested(external_workflow_id="parent", external_initiated_id=12)
    child.decision_started()
    assert decisions_of(replay(Child, child.events, INFO)) == ["CancelWorkflowExecution"]


# -- timers --------------------------------------------------------------------------------------


def _timers_started(b):
    b.decision()
    b.start_timer("long", 3600)
    b.start_timer("short", 60)
    b.fire_timer("short")


def test_cancelling_a_timer_asks_cancel_timer_and_wakes_itself_up():
    b = HistoryBuilder()
    _timers_started(b)
    b.decision_started()
    decisions = replay(CancelsTimer, b.events, INFO)
    assert decisions == [
        {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": "long"}},
        {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {"timerId": "_simpleflow_wake_up_timer", "startToFireTimeout": "0"},
        },
    ]


def test_a_cancelled_timer_ends_the_future_cancelled():
    b = HistoryBuilder()
    _timers_started(b)
    b.decision()
    b.cancel_timer("long")
    b.start_timer("_simpleflow_wake_up_timer", 0)
    b.fire_timer("_simpleflow_wake_up_timer")
    b.decision_started()
    assert result_of(replay(CancelsTimer, b.events, INFO)) == {"asked": True, "long": "cancelled"}
    assert_resume_matches_replay(CancelsTimer, b.events)


def test_a_timer_that_fired_before_its_cancellation_keeps_its_outcome():
    b = HistoryBuilder()
    _timers_started(b)
    started = b.decision_started()
    b.fire_timer("long")
    b.decision_completed(started)
    b.cancel_timer_failed("long")
    b.decision_started()
    assert result_of(replay(CancelsTimer, b.events, INFO)) == {"asked": True, "long": None}
    assert_resume_matches_replay(CancelsTimer, b.events)


class CancelsTimerAtOnce(Workflow):
    """Starts two timers and, in the same decision, cancels the first with ``cancel_timer``."""

    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        long = self.submit(self.start_timer("long", 3600))
        self.submit(self.start_timer("short", 60))
        futures.wait(self.submit(self.cancel_timer("long")))
        return _outcome(long)


def test_cancel_timer_of_a_timer_started_in_the_same_decision_cancels_it_at_once_with_no_decision():
    b = HistoryBuilder()
    b.decision_started()
    decisions = replay(CancelsTimerAtOnce, b.events, INFO)
    assert [attrs_of(d).get("timerId") for d in decisions if d["decisionType"] == "StartTimer"] == ["short"]
    assert "CancelTimer" not in decisions_of(decisions)
    assert json.loads(attrs_of(decisions[-1])["result"]) == "cancelled"


def test_cancel_timer_of_a_timer_started_in_an_earlier_decision_still_asks_swf():
    b = HistoryBuilder()
    b.decision()
    # A history an earlier version made (it started the timer, then cancelled it): a full replay follows it.
    b.start_timer("long", 3600)
    b.start_timer("short", 60)
    b.decision_started()
    assert decisions_of(replay(CancelsTimerAtOnce, b.events, INFO))[0] == "CancelTimer"
    b.decision()
    b.cancel_timer("long")
    b.decision_started()
    assert result_of(replay(CancelsTimerAtOnce, b.events, INFO)) == "cancelled"
