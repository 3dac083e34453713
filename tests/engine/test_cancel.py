"""``future.cancel()`` on activities, children and timers, and ``self.cancel_workflow``, over hand-built histories.

Every shape SWF can answer a cancel request with: cancelled, finished first, refused (the *Failed
events); each history is also replayed decision task by decision task against a resumed run.
"""

from __future__ import annotations

import json
import zlib

import pytest

from simpleflow import RetryPolicy, Workflow, activity, futures
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.engine._ids import policy_timer_id
from simpleflow.exceptions import CancelledError, TaskCanceled
from simpleflow.history import History
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


class CancelsBeforeScheduling(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        never = self.submit(fast, 1)
        child = self.submit(Child)
        timer = self.submit(self.start_timer("t", 60))
        waiting = self.submit(fast, never)  # waits on its argument: not submitted yet
        asked = [f.cancel() for f in (never, child, timer, waiting)]
        return {"asked": asked, "cancelled": [f.cancelled for f in (never, child, timer, waiting)]}


class CancelsOther(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        return _outcome(self.submit(self.cancel_workflow("other", "other-run")))


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


# -- tasks not scheduled yet -----------------------------------------------------------------------


def test_tasks_cancelled_before_they_are_scheduled_take_no_decision():
    b = HistoryBuilder()
    b.decision_started()
    decisions = replay(CancelsBeforeScheduling, b.events, INFO)
    assert result_of(decisions) == {"asked": [True] * 4, "cancelled": [True] * 4}


class CancelsThenSubmits(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        self.submit(fast, 1).cancel()
        return self.submit(fast, 2).result


def test_a_task_cancelled_before_scheduling_keeps_its_id_count():
    b = HistoryBuilder()
    b.decision_started()
    decisions = replay(CancelsThenSubmits, b.events, INFO)
    assert [attrs_of(d)["activityId"] for d in decisions] == ["activity-cancel.fast-2"]


# -- cancelling another execution by id --------------------------------------------------------------


def test_cancel_workflow_asks_swf_to_cancel_the_execution_named():
    b = HistoryBuilder()
    b.decision_started()
    decisions = replay(CancelsOther, b.events, INFO)
    assert decisions_of(decisions) == ["RequestCancelExternalWorkflowExecution"]
    assert attrs_of(decisions[0]) == {"workflowId": "other", "runId": "other-run"}


def test_cancel_workflow_finishes_once_delivered():
    b = HistoryBuilder()
    b.decision()
    initiated = b.request_cancel_external("other", "other-run")
    b.external_cancel_requested(initiated)
    b.decision_started()
    assert result_of(replay(CancelsOther, b.events, INFO)) is None
    assert_resume_matches_replay(CancelsOther, b.events)


def test_cancel_workflow_of_an_unknown_execution_fails_with_swfs_cause():
    b = HistoryBuilder()
    b.decision()
    initiated = b.request_cancel_external("other", "other-run")
    b.request_cancel_external_failed(initiated)
    b.decision_started()
    outcome = result_of(replay(CancelsOther, b.events, INFO))
    assert "RequestCancelExternalWorkflowExecutionFailed: UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION" in outcome
    assert_resume_matches_replay(CancelsOther, b.events)


# -- futures outside a replay ----------------------------------------------------------------------


def test_a_future_cancelled_by_hand_raises_cancelled_error_on_result_and_a_finished_one_refuses():
    cancelled = futures.Future()
    assert cancelled.cancel() is True and cancelled.cancelled and cancelled.done
    with pytest.raises(CancelledError):
        cancelled.result  # noqa: B018
    assert cancelled.exception is None
    assert issubclass(CancelledError, TaskCanceled)
    finished = futures.Future()
    finished.set_finished(3)
    assert finished.cancel() is False and finished.result == 3


def test_a_child_not_started_yet_is_asked_by_workflow_id_alone():
    b = HistoryBuilder()
    b.decision()
    b.start_child_workflow(CHILD_ID, f"{Child.__module__}.Child")  # initiated, not yet started
    done = b.schedule_activity(FAST, "cancel.fast", input={"args": [1], "kwargs": {}})
    b.complete_activity(done, result=2)
    b.decision_started()
    decisions = replay(CancelsChild, b.events, INFO)
    assert decisions_of(decisions) == ["RequestCancelExternalWorkflowExecution"]
    assert attrs_of(decisions[0]) == {"workflowId": CHILD_ID}


def test_an_activity_waiting_for_its_retry_is_cancelled_without_a_decision():
    b = HistoryBuilder()
    b.decision()
    running = b.schedule_activity(SLOW, "cancel.slow", input={"args": [5], "kwargs": {}})
    done = b.schedule_activity(FAST, "cancel.fast", input={"args": [1], "kwargs": {}})
    b.fail_activity(running)  # retry=2: a ScheduleActivityTask would be owed
    b.complete_activity(done, result=2)
    b.decision_started()
    assert result_of(replay(CancelsActivity, b.events, INFO)) == {"asked": True, "again": True, "slow": "cancelled"}
    assert_resume_matches_replay(CancelsActivity, b.events)


class CancelsInGroup(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        from simpleflow.canvas import Group

        group = self.submit(Group((fast, 1), (fast, 2)))
        group.futures[0].cancel()
        return group.result


def test_a_groups_result_lists_none_where_a_task_was_cancelled_as_in_simpleflow():
    b = HistoryBuilder()
    b.decision()
    second = b.schedule_activity("activity-cancel.fast-2", "cancel.fast", input={"args": [2], "kwargs": {}})
    b.complete_activity(second, result=3)
    b.decision_started()
    assert result_of(replay(CancelsInGroup, b.events, INFO)) == [None, 3]


# -- a task waiting for its retry (between attempts) ------------------------------------------------

PATIENT = "activity-cancel.patient-1"
WAIT = policy_timer_id(PATIENT, 2)


@activity.with_attributes(
    name="cancel.patient", task_list="tl", version="1", retry=RetryPolicy(maximum_attempts=3, initial_interval=600)
)
def patient(x):
    return x


class CancelsBetweenAttempts(Workflow):
    """Cancels a task whose first attempt failed (its policy waits 600 s), then runs one more task."""

    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        waiting = self.submit(patient, 5)
        futures.wait(self.submit(fast, 1))
        asked = waiting.cancel()
        futures.wait(self.submit(fast, 2))
        return {"asked": asked, "patient": _outcome(waiting)}


def _waiting_for_retry(b):
    """patient failed and waits on its policy's timer; fast-1 completes: the decision that cancels."""
    b.decision()
    first = b.schedule_activity(PATIENT, "cancel.patient", input={"args": [5], "kwargs": {}})
    done = b.schedule_activity(FAST, "cancel.fast", input={"args": [1], "kwargs": {}})
    b.fail_activity(first)
    b.decision()
    b.start_timer(WAIT, 600)
    b.complete_activity(done, result=2)


FAST_2 = {
    "decisionType": "ScheduleActivityTask",
    "scheduleActivityTaskDecisionAttributes": {
        "activityId": "activity-cancel.fast-2",
        "activityType": {"name": "cancel.fast", "version": "1"},
        "input": '{"args":[2],"kwargs":{}}',
        "taskList": {"name": "tl"},
    },
}


def test_cancelling_a_task_waiting_for_its_retry_cancels_the_retry_timer_and_ends_it_cancelled_at_once():
    b = HistoryBuilder()
    _waiting_for_retry(b)
    b.decision_started()
    decisions = replay(CancelsBetweenAttempts, b.events, INFO)
    # No wake-up timer: no future waits on the timer's cancellation; the task is not scheduled again.
    assert decisions_of(decisions) == ["CancelTimer", "ScheduleActivityTask"]
    assert decisions[0] == {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": WAIT}}
    assert attrs_of(decisions[1])["activityId"] == "activity-cancel.fast-2"


def test_a_task_cancelled_between_attempts_is_never_retried_and_replays_agree():
    b = HistoryBuilder()
    _waiting_for_retry(b)
    b.decision()
    b.cancel_timer(WAIT)
    second = b.schedule_activity("activity-cancel.fast-2", "cancel.fast", input={"args": [2], "kwargs": {}})
    b.complete_activity(second, result=3)
    b.decision_started()
    assert result_of(replay(CancelsBetweenAttempts, b.events, INFO)) == {"asked": True, "patient": "cancelled"}
    assert_resume_matches_replay(CancelsBetweenAttempts, b.events)


def test_a_retry_timer_that_fired_before_its_cancellation_still_drops_the_retry():
    b = HistoryBuilder()
    _waiting_for_retry(b)
    started = b.decision_started()
    b.fire_timer(WAIT)  # while the decision that cancels is being taken
    b.decision_completed(started)
    b.cancel_timer_failed(WAIT)
    second = b.schedule_activity("activity-cancel.fast-2", "cancel.fast", input={"args": [2], "kwargs": {}})
    b.complete_activity(second, result=3)
    b.decision_started()
    assert result_of(replay(CancelsBetweenAttempts, b.events, INFO)) == {"asked": True, "patient": "cancelled"}
    assert_resume_matches_replay(CancelsBetweenAttempts, b.events)


class PatientChild(Workflow):
    name = "cancel-patient-child"
    version = "1"
    task_list = "tl"
    raises_on_failure = False
    retry = RetryPolicy(maximum_attempts=3, initial_interval=600)

    def run(self):
        return 7


PATIENT_CHILD_ID = f"workflow-cancel-patient-child-wf-id--{RUN_HASH}--1"
CHILD_WAIT = policy_timer_id(PATIENT_CHILD_ID, 2)


class CancelsChildBetweenAttempts(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        child = self.submit(PatientChild)
        futures.wait(self.submit(fast, 1))
        asked = child.cancel()
        return {"asked": asked, "child": _outcome(child)}


def test_cancelling_a_child_waiting_for_its_retry_cancels_the_timer_not_the_child():
    b = HistoryBuilder()
    b.decision()
    child = b.start_child_workflow(PATIENT_CHILD_ID, f"{PatientChild.__module__}.PatientChild")
    done = b.schedule_activity(FAST, "cancel.fast", input={"args": [1], "kwargs": {}})
    b.start_child(child, run_id="child-run")
    b.fail_child(child)
    b.decision()
    b.start_timer(CHILD_WAIT, 600)
    b.complete_activity(done, result=2)
    started = b.decision_started()
    decisions = replay(CancelsChildBetweenAttempts, b.events, INFO)
    assert decisions[0] == {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": CHILD_WAIT}}
    assert result_of(decisions[1:]) == {"asked": True, "child": "cancelled"}
    b.decision_completed(started)
    b.cancel_timer(CHILD_WAIT)
    b.complete_workflow({"asked": True, "child": "cancelled"})
    assert_resume_matches_replay(CancelsChildBetweenAttempts, b.events)


class RetriesLater(Workflow):
    """simpleflow's own wait between attempts: ``on_task_failure`` asks ``retry_later``."""

    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        waiting = self.submit(slow, 5)
        futures.wait(self.submit(fast, 1))
        asked = waiting.cancel()
        return {"asked": asked, "slow": _outcome(waiting)}

    def on_task_failure(self, failure_context):
        failure_context.decision = failure_context.Decision.retry_later
        failure_context.retry_wait_timeout = 600
        return failure_context


def test_cancelling_a_task_waiting_on_its_on_task_failure_retry_timer_cancels_that_timer():
    timer_id = f"__simpleflow_task_{SLOW}"
    b = HistoryBuilder()
    b.decision()
    first = b.schedule_activity(SLOW, "cancel.slow", input={"args": [5], "kwargs": {}})
    done = b.schedule_activity(FAST, "cancel.fast", input={"args": [1], "kwargs": {}})
    b.fail_activity(first)
    b.decision()
    b.start_timer(timer_id, 600, control={"args": [5], "kwargs": {}})
    b.complete_activity(done, result=2)
    b.decision_started()
    decisions = replay(RetriesLater, b.events, INFO)
    assert decisions[0] == {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": timer_id}}
    assert result_of(decisions[1:]) == {"asked": True, "slow": "cancelled"}


# -- a child cancelled or terminated by someone else is a failed attempt, counted -----------------------


class RetriedOnce(Workflow):
    name = "cancel-retried-once"
    version = "1"
    task_list = "tl"
    raises_on_failure = False
    retry = 1


class WaitsOnRetriedChild(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        return _outcome(self.submit(RetriedOnce))


RETRIED_ID = f"workflow-cancel-retried-once-wf-id--{RUN_HASH}--1"


def test_a_child_cancelled_then_terminated_uses_up_its_retries_as_failures_would():
    b = HistoryBuilder()
    b.decision()
    first = b.start_child_workflow(RETRIED_ID, f"{RetriedOnce.__module__}.RetriedOnce")
    b.start_child(first, run_id="run-1")
    b.cancel_child(first)  # by someone else: the parent never asked
    started = b.decision_started()
    assert decisions_of(replay(WaitsOnRetriedChild, b.events, INFO)) == ["StartChildWorkflowExecution"]  # retry=1
    b.decision_completed(started)
    second = b.start_child_workflow(RETRIED_ID, f"{RetriedOnce.__module__}.RetriedOnce")
    b.start_child(second, run_id="run-2")
    b.terminate_child(second)
    b.decision_started()
    assert result_of(replay(WaitsOnRetriedChild, b.events, INFO)).startswith("TaskTerminated")
    assert History(b.events).child_workflows[RETRIED_ID].retry == 1  # as an activity failed twice
    assert_resume_matches_replay(WaitsOnRetriedChild, b.events)


def test_a_child_cancelled_by_someone_else_then_terminated_waits_each_policy_timer_in_turn():
    b = HistoryBuilder()
    b.decision()
    first = b.start_child_workflow(PATIENT_CHILD_ID, f"{PatientChild.__module__}.PatientChild")
    b.cancel_child(first)
    b.decision()
    b.start_timer(CHILD_WAIT, 600)
    b.fire_timer(CHILD_WAIT)
    b.decision()
    second = b.start_child_workflow(PATIENT_CHILD_ID, f"{PatientChild.__module__}.PatientChild")
    b.terminate_child(second)
    b.decision_started()
    decisions = replay(WaitsOnPatientChild, b.events, INFO)
    assert decisions_of(decisions) == ["StartTimer"]
    assert attrs_of(decisions[0])["timerId"] == policy_timer_id(PATIENT_CHILD_ID, 3)  # the third attempt's wait


class WaitsOnPatientChild(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        return _outcome(self.submit(PatientChild))


class SignalsAndCancelsById(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        self.submit(self.signal("go", 1, workflow_id="other", propagate=False))
        self.submit(self.cancel_workflow("another"))
        return None


def test_signal_and_cancel_of_other_executions_by_id_alone_take_these_decisions():
    b = HistoryBuilder()
    b.decision_started()
    assert replay(SignalsAndCancelsById, b.events, INFO)[:2] == [
        {
            "decisionType": "SignalExternalWorkflowExecution",
            "signalExternalWorkflowExecutionDecisionAttributes": {
                "workflowId": "other",
                "signalName": "go",
                "input": '{"__propagate":false,"args":[1],"kwargs":{}}',
            },
        },
        {
            "decisionType": "RequestCancelExternalWorkflowExecution",
            "requestCancelExternalWorkflowExecutionDecisionAttributes": {"workflowId": "another"},
        },
    ]
