"""Cancelling a task between its attempts (its retry timer cancelled, never retried), and a child cancelled or
terminated by someone else counted as a failed attempt.
"""

from __future__ import annotations

from simpleflow import RetryPolicy, Workflow, activity, futures
from simpleflow.engine import replay
from simpleflow.engine._ids import policy_timer_id
from simpleflow.history import History
from tests.engine.test_cancel import (
    FAST,
    INFO,
    RUN_HASH,
    SLOW,
    CancelsActivity,
    _outcome,
    assert_resume_matches_replay,
    attrs_of,
    decisions_of,
    fast,
    result_of,
    slow,
)
from tests.history_builder import HistoryBuilder


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
