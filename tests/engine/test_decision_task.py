"""engine.answer_decision_task (what both hosts do per decision task) and the per-kind resolvers."""

from __future__ import annotations

import pytest

from simpleflow import Workflow, activity, futures
from simpleflow.engine import ExecutionInfo, WorkflowRun, answer_decision_task, replay
from simpleflow.engine._commands import ACTIVITY, Command
from simpleflow.engine._resolvers import FAILED, FINISHED, resolve_activity, resolve_timer
from simpleflow.history import ActivityRecord, State
from simpleflow.task import ActivityTask, TimerTask
from tests.fixtures import engine_workflows as wf
from tests.history_builder import HistoryBuilder


@activity.with_attributes(task_list="tl", version="1")
def echo(text):
    return text


class SendsHugeInput(Workflow):
    name = "huge"
    version = "1"
    task_list = "tl"

    def run(self):
        return self.submit(echo, "x" * 50_000).result


def _started_history(**kwargs):
    b = HistoryBuilder(**kwargs)
    b.decision_started()
    return b


def test_a_field_too_large_without_a_jumbo_bucket_fails_the_execution_and_closes_the_run(monkeypatch):
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)
    run = WorkflowRun(SendsHugeInput, ExecutionInfo(workflow_id="wf-id", run_id="run-id"))
    decisions = answer_decision_task(run, _started_history().events)
    assert [d["decisionType"] for d in decisions] == ["FailWorkflowExecution"]
    reason = decisions[0]["failWorkflowExecutionDecisionAttributes"]["reason"]
    assert reason.startswith("Cannot schedule: ") and "input" in reason
    assert run.closed


def test_an_engine_failure_fails_the_execution_with_a_traceback_and_closes_the_run():
    run = WorkflowRun(wf.Chain)
    decisions = answer_decision_task(run, [{"eventId": 1}])  # no eventType: the history fold itself fails
    attrs = decisions[0]["failWorkflowExecutionDecisionAttributes"]
    assert attrs["reason"] == (
        "Cannot replay the workflow: MalformedHistory(history event #1 has no eventType: {'eventId': 1})"
    )
    assert attrs["details"].startswith("Traceback:")
    assert run.closed


def test_an_error_before_encoding_is_raised_so_the_task_comes_back_and_the_run_is_closed():
    run = WorkflowRun(wf.Chain)

    def registry_unreachable(decisions):
        assert decisions[0]["decisionType"] == "ScheduleActivityTask"
        raise ConnectionError("SWF unreachable")

    events = _started_history(input={"args": [2], "kwargs": {}}).events
    with pytest.raises(ConnectionError):
        answer_decision_task(run, events, before_encoding=registry_unreachable)
    assert run.closed


def test_answering_a_decision_task_gives_the_decisions_of_a_full_replay():
    events = _started_history(input={"args": [2], "kwargs": {}}).events
    run = WorkflowRun(wf.Chain)
    try:
        assert answer_decision_task(run, events, copy_events=True) == replay(wf.Chain, events)
        assert not run.closed
    finally:
        run.close()


def _activity_command(activity_task, pending=None):
    return Command(ACTIVITY, "activity-1", activity_task, (0,), futures.Future(), pending_decision=pending)


def test_a_completed_activity_resolves_to_its_result_and_answers_the_decision_owed():
    command = _activity_command(ActivityTask(wf.inc, 1), pending={"decisionType": "ScheduleActivityTask"})
    record = ActivityRecord("activity-1", 1, State.COMPLETED, last_event_id=7, name=wf.inc.name, result="2")
    resolution = resolve_activity(record, command)
    assert (resolution.state, resolution.value, resolution.answered) == (FINISHED, 2, True)
    assert resolution.decision is None and resolution.failed_attempt is None
    assert command.future.pending  # a resolver changes nothing itself


def test_a_failed_attempt_under_a_running_retry_timer_keeps_the_decision_owed():
    command = _activity_command(ActivityTask(wf.flaky, 1), pending={"decisionType": "StartTimer"})
    command.retry_timer = "__simpleflow_task_activity-1"
    record = ActivityRecord("activity-1", 1, State.FAILED, last_event_id=7, name=wf.flaky.name, reason="boom")
    resolution = resolve_activity(record, command)
    assert resolution.state == FAILED and resolution.failed_attempt is record
    assert not resolution.answered


def test_a_timer_not_in_the_history_owes_its_start_with_its_control():
    task = TimerTask("t1", 30, control={"k": 1})
    command = Command("timer", "t1", task, (0,), futures.Future())
    resolution = resolve_timer(None, command)
    attrs = resolution.decision["startTimerDecisionAttributes"]
    assert attrs == {"timerId": "t1", "startToFireTimeout": "30", "control": '{"k":1}'}
    assert resolution.state is None
