"""History.attempts: each try of a task, with the events that scheduled, started and closed it."""

from __future__ import annotations

from simpleflow.history import CLOSING_EVENTS, History, State, attributes, attributes_key
from simpleflow.local.replay import check_history
from tests.fixtures import engine_workflows as wf
from tests.history_builder import HistoryBuilder


def test_a_retried_activity_keeps_each_attempt_with_its_own_times_and_worker():
    b = HistoryBuilder(start=100.0)
    b.decision()
    first = b.schedule_activity("a-1", "pkg.a", input={"args": [1], "kwargs": {}})
    b.start_activity(first, identity="worker-1")
    b.fail_activity(first, reason="Error: boom")
    b.decision()
    second = b.schedule_activity("a-1", "pkg.a", input={"args": [2], "kwargs": {}})
    b.tick(3)
    b.start_activity(second, identity="worker-2")
    b.tick(4)
    b.complete_activity(second, result=7)
    attempts = History(b.events, attempts=True).attempts[("activity", "a-1")]
    assert [a.state for a in attempts] == ["failed", "completed"]
    assert [a.opened["eventId"] for a in attempts] == [first, second]
    assert [a.start["identity"] for a in attempts] == ["worker-1", "worker-2"]
    assert attempts[0].closing["reason"] == "Error: boom" and "reason" not in attempts[1].closing
    assert attempts[1].started_timestamp - attempts[1].scheduled_timestamp == 3
    assert attempts[1].closed_timestamp - attempts[1].started_timestamp == 4


def test_a_cancel_request_shows_on_the_attempt_but_leaves_the_task_record_as_it_was():
    b = HistoryBuilder()
    b.decision()
    sid = b.schedule_activity("a-1", "pkg.a")
    b.start_activity(sid)
    b.decision()
    b.add("ActivityTaskCancelRequested", activityId="a-1", decisionTaskCompletedEventId=b.events[-1]["eventId"])
    history = History(b.events, attempts=True)
    assert history.attempts[("activity", "a-1")][-1].state == "cancel_requested"
    assert history.activities["a-1"].state is State.STARTED


def test_a_refused_activity_or_timer_opens_an_attempt_that_was_never_scheduled():
    b = HistoryBuilder()
    b.decision()
    b.schedule_activity_failed("a-1", "pkg.missing")
    b.add("StartTimerFailed", timerId="t-1", cause="TIMER_CREATION_RATE_EXCEEDED", decisionTaskCompletedEventId=3)
    history = History(b.events, attempts=True)
    for key in (("activity", "a-1"), ("timer", "t-1")):
        (attempt,) = history.attempts[key]
        assert not attempt.was_scheduled and attempt.scheduled_timestamp is None
        assert attempt.is_closed and attempt.closing["cause"]


def test_a_child_refused_after_its_initiation_closes_the_same_attempt():
    b = HistoryBuilder()
    b.decision()
    initiated = b.start_child_workflow("child-1", "pkg.Child")
    b.add(
        "StartChildWorkflowExecutionFailed",
        workflowId="child-1",
        workflowType={"name": "pkg.Child", "version": "1"},
        cause="WORKFLOW_ALREADY_RUNNING",
        initiatedEventId=initiated,
        decisionTaskCompletedEventId=initiated - 1,
    )
    (attempt,) = History(b.events, attempts=True).attempts[("child_workflow", "child-1")]
    assert attempt.state == "start_failed" and attempt.was_scheduled
    assert attempt.opened["eventId"] == initiated


def test_a_history_keeps_no_attempts_unless_asked():
    b = HistoryBuilder()
    b.decision()
    b.schedule_activity("a-1", "pkg.a")
    assert History(b.events).attempts == {}
    assert len(History(b.events, attempts=True).attempts[("activity", "a-1")]) == 1


def test_timer_attempts_follow_each_start():
    b = HistoryBuilder()
    b.decision()
    b.start_timer("t-1", 5)
    b.fire_timer("t-1")
    b.decision()
    b.start_timer("t-1", 5)
    attempts = History(b.events, attempts=True).attempts[("timer", "t-1")]
    assert [a.state for a in attempts] == ["fired", "started"]
    assert attempts[1].started is attempts[1].opened


def test_every_way_an_execution_closes_is_a_closing_event():
    assert {
        "WorkflowExecutionCompleted",
        "WorkflowExecutionFailed",
        "WorkflowExecutionCanceled",
        "WorkflowExecutionTerminated",
        "WorkflowExecutionTimedOut",
        "WorkflowExecutionContinuedAsNew",
    } == CLOSING_EVENTS
    assert attributes_key("TimerFired") == "timerFiredEventAttributes"
    assert attributes({"eventType": "TimerFired", "timerFiredEventAttributes": {"timerId": "t"}}) == {"timerId": "t"}


def test_replaying_a_terminated_history_gives_the_decisions_of_its_last_decision_task():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision_started()
    b.add("WorkflowExecutionTerminated", reason="by hand", childPolicy="TERMINATE")
    decisions, mismatches = check_history(wf.Chain, b.events)
    assert [d["decisionType"] for d in decisions] == ["ScheduleActivityTask"] and mismatches == []
