"""Retry policies in the engine, over hand-built histories: waits through timers, limits, errors, replays."""

from __future__ import annotations

import datetime
import hashlib
import json
import math

import pytest

from simpleflow import RetryPolicy, Workflow, activity
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.engine._failures import policy_timer_id
from simpleflow.retry import recorded_error_names
from simpleflow.task import ActivityTask
from tests.fixtures import engine_workflows as ew
from tests.fixtures import retry_workflows as rw
from tests.history_builder import HistoryBuilder
from tests.swf_simulator import SimulatedSWF

FLAKY = "tests.fixtures.retry_workflows.flaky"
FLAKY_ID = f"activity-{FLAKY}-1"
INFO = ExecutionInfo(workflow_id="wf-id", run_id="run-id")


def kinds(decisions):
    return [d["decisionType"] for d in decisions]


def timer(decision):
    assert decision["decisionType"] == "StartTimer", decision
    attrs = decision["startTimerDecisionAttributes"]
    return attrs["timerId"], int(attrs["startToFireTimeout"])


def completed_result(decisions):
    assert kinds(decisions)[-1] == "CompleteWorkflowExecution", decisions
    return json.loads(decisions[-1]["completeWorkflowExecutionDecisionAttributes"]["result"])


def flaky_history(failures, fire_last=False, timed_out=False):
    """*failures* failed attempts of the flaky task, each but the last followed by its fired retry timer."""
    b = HistoryBuilder(input={"args": ["/nowhere", 99], "kwargs": {}})
    b.decision()
    for n in range(1, failures + 1):
        sid = b.schedule_activity(FLAKY_ID, FLAKY, input={"args": ["/nowhere", 99, 42], "kwargs": {}})
        if timed_out:
            b.timeout_activity(sid)
        else:
            b.fail_activity(sid, reason="RuntimeError: attempt fails", details={"error": "RuntimeError"})
        b.decision()
        if n < failures or fire_last:
            timer_id = policy_timer_id(FLAKY_ID, n + 1)
            b.start_timer(timer_id, rw.BACKOFF.interval(n, FLAKY_ID))
            b.fire_timer(timer_id)
            b.decision()
    b.decision_started()
    return b


# -- waits ------------------------------------------------------------------------------------------


def test_a_failed_attempt_waits_the_initial_interval_through_a_timer_named_after_the_task_and_attempt():
    decisions = replay(rw.FlakyWorkflow, flaky_history(1).events)
    assert len(decisions) == 1
    assert timer(decisions[0]) == (f"__simpleflow_retry_2_{FLAKY_ID}", 10)


def test_the_fired_timer_schedules_the_next_attempt_under_the_same_id():
    decisions = replay(rw.FlakyWorkflow, flaky_history(1, fire_last=True).events)
    assert kinds(decisions) == ["ScheduleActivityTask"]
    assert decisions[0]["scheduleActivityTaskDecisionAttributes"]["activityId"] == FLAKY_ID


def test_a_running_retry_timer_owes_no_decision():
    b = HistoryBuilder(input={"args": ["/nowhere", 99], "kwargs": {}})
    b.decision()
    b.fail_activity(b.schedule_activity(FLAKY_ID, FLAKY, input={"args": ["/nowhere", 99, 42], "kwargs": {}}))
    b.decision()
    b.start_timer(policy_timer_id(FLAKY_ID, 2), 10)
    b.decision_started()
    assert replay(rw.FlakyWorkflow, b.events) == []


def test_waits_grow_by_the_backoff_coefficient_and_stop_at_maximum_interval():
    waits = [timer(replay(rw.FlakyWorkflow, flaky_history(n).events)[0]) for n in range(1, 5)]
    assert waits == [(policy_timer_id(FLAKY_ID, n + 1), s) for n, s in zip(range(1, 5), [10, 20, 25, 25])]


def test_the_last_allowed_attempt_failing_ends_the_task_without_a_timer():
    decisions = replay(rw.FlakyWorkflow, flaky_history(rw.BACKOFF.maximum_attempts).events)
    assert kinds(decisions) == ["CompleteWorkflowExecution"]
    assert completed_result(decisions) is None  # the failed task's result, as simpleflow gives it


def test_initial_interval_zero_retries_at_once_without_a_timer():
    b = HistoryBuilder(input={"args": ["at_once"], "kwargs": {}})
    b.decision()
    task_id = "activity-tests.fixtures.retry_workflows.at_once-1"
    b.fail_activity(b.schedule_activity(task_id, "tests.fixtures.retry_workflows.at_once"))
    b.decision_started()
    decisions = replay(rw.OneTaskWorkflow, b.events)
    assert kinds(decisions) == ["ScheduleActivityTask"]


def test_an_integer_retry_keeps_its_meaning_retries_at_once_then_gives_up():
    name = "tests.fixtures.engine_workflows.flaky"  # retry=2
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision()
    seen = []
    for attempt in range(3):
        sid = b.schedule_activity(f"activity-{name}-1", name, input={"args": [0], "kwargs": {}})
        if attempt == 1:
            b.timeout_activity(sid)
        else:
            b.fail_activity(sid, reason="ValueError: no", details={"error": "ValueError"})
        b.decision_started()
        seen.append(kinds(replay(ew.Retrying, b.events)))
        b.decision_completed(len(b.events))
    assert seen == [["ScheduleActivityTask"], ["ScheduleActivityTask"], ["CompleteWorkflowExecution"]]


# -- errors and timeouts ----------------------------------------------------------------------------


def order_history(reason, details):
    b = HistoryBuilder(input={"args": ["/nowhere", {}], "kwargs": {}})
    b.decision()
    task_id = "activity-tests.fixtures.retry_workflows.check_order-1"
    order = {"args": ["/nowhere", {}], "kwargs": {}}
    scheduled = b.schedule_activity(task_id, "tests.fixtures.retry_workflows.check_order", input=order)
    b.fail_activity(scheduled, reason, details)
    b.decision_started()
    return b


@pytest.mark.parametrize(
    "details",
    [
        {"error": "InvalidOrder", "error_type": "tests.fixtures.retry_workflows.InvalidOrder"},
        {"error_type": "tests.fixtures.retry_workflows.InvalidOrder"},  # the qualified name is enough
        None,  # no details: the name the reason starts with
    ],
)
def test_a_non_retryable_error_fails_the_task_at_once(details):
    decisions = replay(rw.OrderWorkflow, order_history("InvalidOrder: an order needs items", details).events)
    assert kinds(decisions) == ["CompleteWorkflowExecution"]
    assert completed_result(decisions) == "InvalidOrder: an order needs items"


def test_another_error_of_the_same_task_is_retried_after_its_wait():
    details = {"error": "ConnectionError", "error_type": "ConnectionError"}
    decisions = replay(rw.OrderWorkflow, order_history("ConnectionError: reset", details).events)
    assert timer(decisions[0])[1] == 10


def test_a_timed_out_attempt_is_retried_by_default():
    decisions = replay(rw.FlakyWorkflow, flaky_history(1, timed_out=True).events)
    assert timer(decisions[0]) == (policy_timer_id(FLAKY_ID, 2), 10)


def test_retry_timeouts_false_makes_a_timeout_final():
    b = HistoryBuilder(input={"args": ["no_timeout_retry"], "kwargs": {}})
    b.decision()
    task_id = "activity-tests.fixtures.retry_workflows.no_timeout_retry-1"
    b.timeout_activity(b.schedule_activity(task_id, "tests.fixtures.retry_workflows.no_timeout_retry"))
    b.decision_started()
    assert kinds(replay(rw.OneTaskWorkflow, b.events)) == ["CompleteWorkflowExecution"]


def test_retry_timeouts_false_still_retries_a_failure():
    b = HistoryBuilder(input={"args": ["no_timeout_retry"], "kwargs": {}})
    b.decision()
    task_id = "activity-tests.fixtures.retry_workflows.no_timeout_retry-1"
    b.fail_activity(b.schedule_activity(task_id, "tests.fixtures.retry_workflows.no_timeout_retry"))
    b.decision_started()
    assert timer(replay(rw.OneTaskWorkflow, b.events)[0]) == (policy_timer_id(task_id, 2), 5)


def test_recorded_error_names_read_details_then_the_reason():
    assert recorded_error_names("X: y", '{"error": "E", "error_type": "m.E"}') == {"E", "m.E"}
    assert recorded_error_names("KeyError: 'k'", None) == {"KeyError"}
    assert recorded_error_names("Cannot replay the workflow: InvalidOrder(no items)", "Traceback...") == {
        "InvalidOrder"
    }
    assert recorded_error_names("Workflow execution failed: by hand", None) == frozenset()


# -- on_task_failure has the last word --------------------------------------------------------------


class Aborting(rw.FlakyWorkflow):
    def on_task_failure(self, failure_context):
        return failure_context.decide_abort()


class Deferring(rw.FlakyWorkflow):
    def on_task_failure(self, failure_context):
        return None  # no decision: the policy decides


def test_on_task_failure_deciding_overrides_the_policy():
    decisions = replay(Aborting, flaky_history(1).events)
    assert kinds(decisions) == ["CompleteWorkflowExecution"]


def test_on_task_failure_without_a_decision_leaves_it_to_the_policy():
    assert timer(replay(Deferring, flaky_history(2).events)[0]) == (policy_timer_id(FLAKY_ID, 3), 20)
    assert kinds(replay(Deferring, flaky_history(2, fire_last=True).events)) == ["ScheduleActivityTask"]


# -- child workflows --------------------------------------------------------------------------------


def child_history(reason, fire=False):
    b = HistoryBuilder(input={"args": [], "kwargs": {}})
    b.decision_started()
    child_id = replay(rw.ParentWorkflow, b.events)[0]["startChildWorkflowExecutionDecisionAttributes"]["workflowId"]
    b.decision_completed(len(b.events))
    initiated = b.start_child_workflow(child_id, "tests.fixtures.retry_workflows.FailingChild")
    attrs = b._child_common(initiated)
    b.add("ChildWorkflowExecutionFailed", reason=reason, details="Traceback: ...", **attrs)
    b.decision()
    if fire:
        b.start_timer(policy_timer_id(child_id, 2), 60)
        b.fire_timer(policy_timer_id(child_id, 2))
        b.decision()
    b.decision_started()
    return b, child_id


def test_a_child_workflow_is_retried_by_its_workflow_retry_policy():
    b, child_id = child_history("Cannot replay the workflow: RuntimeError(flaky)")
    decisions = replay(rw.ParentWorkflow, b.events)
    assert timer(decisions[0]) == (policy_timer_id(child_id, 2), 60)
    b, child_id = child_history("Cannot replay the workflow: RuntimeError(flaky)", fire=True)
    decisions = replay(rw.ParentWorkflow, b.events)
    assert kinds(decisions) == ["StartChildWorkflowExecution"]
    assert decisions[0]["startChildWorkflowExecutionDecisionAttributes"]["workflowId"] == child_id


def test_a_child_failing_with_a_non_retryable_error_fails_its_parent_at_once():
    b, _ = child_history("Cannot replay the workflow: InvalidOrder(no items)")
    assert kinds(replay(rw.ParentWorkflow, b.events)) == ["FailWorkflowExecution"]


# -- determinism ------------------------------------------------------------------------------------


def test_jitter_comes_from_a_hash_of_the_task_id_and_attempt():
    policy = RetryPolicy(maximum_attempts=4, initial_interval=30, jitter=0.5)
    for task_id in ("activity-a-1", "activity-a-2"):
        for attempt in (1, 2, 3):
            digest = hashlib.sha256(f"{task_id}\x00{attempt}".encode()).digest()
            unit = int.from_bytes(digest[:8], "big") / 2**64
            base = 30 * 2 ** (attempt - 1)
            assert policy.interval(attempt, task_id) == math.ceil(base - base * 0.5 * unit)
            assert base / 2 <= policy.interval(attempt, task_id) <= base


def test_jittered_waits_are_the_same_on_every_replay_and_differ_between_tasks():
    b = HistoryBuilder(input={"args": [3], "kwargs": {}})
    b.decision()
    ids = [f"activity-tests.fixtures.retry_workflows.spread-{n}" for n in (1, 2, 3)]
    for n, task_id in enumerate(ids):
        b.fail_activity(b.schedule_activity(task_id, "tests.fixtures.retry_workflows.spread", input={"args": [n]}))
    b.decision_started()
    first = [timer(d) for d in replay(rw.SpreadWorkflow, b.events)]
    again = [timer(d) for d in replay(rw.SpreadWorkflow, list(b.events))]
    assert first == again
    assert [t for t, _ in first] == [policy_timer_id(i, 2) for i in ids]
    assert len({s for _, s in first}) > 1  # spread apart, unlike three equal waits
    assert all(15 <= s <= 30 for _, s in first)


def test_a_resumed_run_decides_what_a_full_replay_of_a_history_with_retry_timers_decides():
    full = flaky_history(3, fire_last=True).events
    run = WorkflowRun(rw.FlakyWorkflow, INFO)
    try:
        cut = [i + 1 for i, e in enumerate(full) if e["eventType"] == "DecisionTaskStarted"]
        seen = 0
        for end in cut:
            got = run.advance(full[seen:end])
            seen = end
            assert got == replay(rw.FlakyWorkflow, full[:end], INFO), f"at event {end}"
        assert run.fallbacks == 0
    finally:
        run.close()


def drive(workflow_class, input, seed, **rates):
    swf = SimulatedSWF(input, seed, **rates)
    resumed = WorkflowRun(workflow_class, INFO)
    try:
        for _ in range(200):
            got = resumed.advance(swf.start_decision())
            assert got == replay(workflow_class, swf.events, INFO)
            swf.answer(got)
            if swf.closed is not None or (not swf.progress() and not got):
                break
    finally:
        resumed.close()
    return swf


@pytest.mark.parametrize("seed", range(6))
def test_resumed_runs_with_policies_match_full_replays_at_every_decision(seed):
    swf = drive(rw.SpreadWorkflow, {"args": [6], "kwargs": {}}, seed, fail_rate=0.5, timeout_rate=0.1)
    assert swf.closed == "completed"
    assert any(e["eventType"] == "TimerFired" for e in swf.events)
    swf = drive(Deferring, {"args": ["/nowhere", 99], "kwargs": {}}, seed, fail_rate=1.0, timeout_rate=0.0)
    assert swf.closed == "completed"


# -- ids and validation -----------------------------------------------------------------------------


def test_a_retry_timer_id_stays_within_swf_limits_for_the_longest_task_ids():
    long_id = "activity-" + "x" * 247
    timer_id = policy_timer_id(long_id, 12)
    assert len(timer_id) <= 256
    assert timer_id != policy_timer_id(long_id, 13)
    assert timer_id == policy_timer_id(long_id, 12)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"maximum_attempts": 0}, "maximum_attempts must be a whole number >= 1 (or None for no limit), not 0"),
        ({"initial_interval": -1}, "initial_interval must be >= 0 seconds, not -1"),
        ({"initial_interval": "5"}, "initial_interval must be a number of seconds or a timedelta, not '5'"),
        ({"backoff_coefficient": 0.5}, "backoff_coefficient must be a number >= 1, not 0.5"),
        ({"initial_interval": 10, "maximum_interval": 5}, "maximum_interval (5 s) is shorter than initial_interval"),
        ({"jitter": 2}, "jitter must be a fraction between 0 and 1, not 2"),
        ({"initial_interval": 10**8}, "initial_interval must be at most 99999999 seconds (SWF's longest timer)"),
        ({"maximum_interval": 10**9}, "maximum_interval must be at most 99999999 seconds (SWF's longest timer)"),
        ({"retry_timeouts": "yes"}, "retry_timeouts must be True or False, not 'yes'"),
        ({"non_retryable_errors": [3]}, "non_retryable_errors takes exception classes or their names, not 3"),
    ],
)
def test_a_bad_policy_argument_is_one_clear_error(kwargs, message):
    with pytest.raises((TypeError, ValueError)) as raised:
        RetryPolicy(**kwargs)
    assert message in str(raised.value)
    assert str(raised.value).startswith("RetryPolicy: ")


def test_a_policy_takes_timedeltas_and_error_classes_and_defaults_its_cap():
    policy = RetryPolicy(
        initial_interval=datetime.timedelta(minutes=1), non_retryable_errors=[KeyError, rw.InvalidOrder]
    )
    assert policy.initial_interval == 60 and policy.maximum_interval == 6000
    assert policy.non_retryable_errors == ("KeyError", "tests.fixtures.retry_workflows.InvalidOrder")
    assert policy.interval(20) == 6000
    assert hash(policy) == hash(RetryPolicy(initial_interval=60, non_retryable_errors=(KeyError, rw.InvalidOrder)))


def test_the_default_cap_stays_within_swf_longest_timer():
    """SWF refuses a timer over 8 digits with the whole decision task: the execution would be stuck there."""
    policy = RetryPolicy(initial_interval=10**7, maximum_attempts=None)
    assert policy.maximum_interval == 99_999_999
    assert policy.interval(5) == 99_999_999


def test_retry_that_is_neither_a_number_nor_a_policy_is_refused_where_it_is_declared():
    with pytest.raises(TypeError, match=r"activity 'bad': retry must be a number of retries .* not '3'"):
        activity.with_attributes(name="bad", retry="3")(lambda: None)
    for odd in (-1, True):  # a negative count retried nothing; True was one retry, unsaid
        with pytest.raises(TypeError, match=rf"activity 'bad': retry must be .*\(an int, 0 or more\).* not {odd}"):
            activity.with_attributes(name="bad", retry=odd)(lambda: None)
    with pytest.raises(TypeError, match=r"workflow tests.engine.test_retry_policy.Bad: retry must be .* not 1.5"):

        class Bad(Workflow):
            retry = 1.5


class PerTask(Workflow):
    """One submit of an integer-retry activity given a policy of its own."""

    name = "per-task"
    version = "1"
    task_list = "tl"

    def run(self, retry):
        task = ActivityTask(ew.flaky, 0)
        task.propagate_attribute("retry", RetryPolicy(maximum_attempts=2, initial_interval=7) if retry else "twice")
        return self.submit(task).result


def per_task_history(retry):
    b = HistoryBuilder(input={"args": [retry], "kwargs": {}})
    b.decision()
    name = "tests.fixtures.engine_workflows.flaky"
    b.fail_activity(b.schedule_activity(f"activity-{name}-1", name, input={"args": [0], "kwargs": {}}))
    b.decision_started()
    return b


def test_a_policy_set_on_one_task_overrides_its_activity_integer_retry():
    decisions = replay(PerTask, per_task_history(True).events)
    assert timer(decisions[0]) == (policy_timer_id("activity-tests.fixtures.engine_workflows.flaky-1", 2), 7)


def test_a_bad_retry_set_on_one_task_fails_the_run_naming_the_task():
    decisions = replay(PerTask, per_task_history(False).events)
    assert kinds(decisions) == ["FailWorkflowExecution"]
    reason = decisions[0]["failWorkflowExecutionDecisionAttributes"]["reason"]
    assert "activity-tests.fixtures.engine_workflows.flaky-1" in reason and "retry must be" in reason
