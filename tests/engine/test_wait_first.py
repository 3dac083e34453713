"""``futures.wait(..., return_when=...)``: the first of several futures, in the history's event order, whether the
run is resumed as each decision task comes or replayed in full from a history that settled them all."""

from __future__ import annotations

import json

import pytest

from simpleflow import Workflow, futures
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from simpleflow.exceptions import ExecutionBlocked
from simpleflow.task import WaitForSignal
from tests.fixtures import engine_workflows as wf
from tests.fixtures.signal_workflows import FirstOfWorkflow, publish
from tests.history_builder import HistoryBuilder

INFO = ExecutionInfo(workflow_id="wf-id", run_id="run-id")


def _finished(value):
    future = futures.Future()
    future.set_finished(value)
    return future


def test_outside_a_workflow_wait_gives_the_results_or_the_first_settled_and_blocks_when_it_would_wait():
    a, b, pending = _finished(1), _finished(2), futures.Future()
    assert futures.wait(a, b) == [1, 2]
    assert futures.wait(pending, b, a, return_when=futures.FIRST_COMPLETED) == ([b], [pending, a])
    assert futures.wait(a, b, return_when=futures.ALL_COMPLETED) == ([a, b], [])
    with pytest.raises(ExecutionBlocked):
        futures.wait(pending, return_when=futures.FIRST_COMPLETED)
    with pytest.raises(ValueError, match="return_when must be FIRST_COMPLETED"):
        futures.wait(a, return_when="FIRST")
    with pytest.raises(ValueError, match="nth must be a whole number from 1"):
        WaitForSignal("go", nth=0)


@pytest.mark.parametrize("mode", [futures.FIRST_COMPLETED, futures.FIRST_EXCEPTION, futures.ALL_COMPLETED])
def test_a_future_given_twice_counts_once_at_its_first_place_in_every_mode(mode):
    a, b, pending = _finished(1), _finished(2), futures.Future()
    done, not_done = futures.wait(a, a, b, b, return_when=mode)
    assert done + not_done == [a, b]
    if mode == futures.FIRST_COMPLETED:  # pending never settles: the others need not be waited for
        assert futures.wait(pending, pending, a, a, return_when=mode) == ([a], [pending])


def _both_ways(workflow_class, events, first_decision_end):
    """The decisions of a full replay of *events* and of a run resumed with them in two decision tasks."""
    run = WorkflowRun(workflow_class, INFO)
    try:
        run.advance(events[:first_decision_end])
        resumed = run.advance(events[first_decision_end:])
        assert run.fallbacks == 0
    finally:
        run.close()
    full = replay(workflow_class, events, INFO)
    assert resumed == full
    return full


def _first_of(signal_first: bool) -> list[dict]:
    b = HistoryBuilder(workflow_name=FirstOfWorkflow.name, input={"args": [1], "kwargs": {}})
    first_end = b.decision_started()
    b.decision_completed(first_end)
    b.start_timer("deadline", 3600)
    if signal_first:
        b.signal("approve", {"args": ["bob"], "kwargs": {}})
    b.fire_timer("deadline")
    if not signal_first:
        b.signal("approve", {"args": ["bob"], "kwargs": {}})
    b.decision_started()
    return b.events, first_end


@pytest.mark.parametrize(("signal_first", "first"), [(True, "approve"), (False, "deadline")])
def test_a_signal_and_a_timer_in_one_decision_task_are_taken_in_the_order_of_their_events(signal_first, first):
    events, first_end = _first_of(signal_first)
    decisions = _both_ways(FirstOfWorkflow, events, first_end)
    scheduled = [d["scheduleActivityTaskDecisionAttributes"] for d in decisions]
    assert [s["activityType"]["name"] for s in scheduled] == [publish.name]
    assert json.loads(scheduled[0]["input"])["args"] == [first, "bob"]


def _three_tasks(*outcomes: tuple[int, bool]) -> tuple[list[dict], int]:
    """FirstFailure of 3 tasks; then, in one decision task, each (index, failed) of *outcomes* in order."""
    b = HistoryBuilder(workflow_name=wf.FirstFailure.name, input={"args": [3], "kwargs": {}})
    first_end = b.decision_started()
    b.decision_completed(first_end)
    scheduled = [
        b.schedule_activity(f"activity-{wf.inc.name}-{k + 1}", wf.inc.name, input={"args": [k]}) for k in (0, 1, 2)
    ]
    for index, failed in outcomes:
        if failed:
            b.fail_activity(scheduled[index])
        else:
            b.complete_activity(scheduled[index], index + 1)
    b.decision_started()
    return b.events, first_end


@pytest.mark.parametrize(
    ("outcomes", "result"),
    [
        ([(2, False), (1, True), (0, False)], [[2, 1], 1]),  # up to the failure, in the events' order
        ([(1, True), (2, False)], [[1], 2]),  # the failure first: the task that ended after it is not done
        ([(0, False), (2, False), (1, False)], [[0, 2, 1], 0]),  # no failure: all of them
    ],
)
def test_first_exception_takes_the_tasks_in_the_order_they_ended_up_to_the_first_failure(outcomes, result):
    decisions = _both_ways(wf.FirstFailure, *_three_tasks(*outcomes))
    assert decisions[-1]["decisionType"] == "CompleteWorkflowExecution"
    assert json.loads(decisions[-1]["completeWorkflowExecutionDecisionAttributes"]["result"]) == result


def test_wait_signal_nth_gets_each_signal_of_a_name_even_when_they_came_in_one_decision_task():
    b = HistoryBuilder(workflow_name=wf.NthSignal.name)
    first_end = b.decision_started()
    b.decision_completed(first_end)
    b.signal("go", "one")
    b.signal("go", "two")
    b.decision_started()
    decisions = _both_ways(wf.NthSignal, b.events, first_end)
    assert json.loads(decisions[-1]["completeWorkflowExecutionDecisionAttributes"]["result"]) == ["one", "two"]


class ReadsSignalTwice(Workflow):
    """Reads a plain wait's value, waits a timer, reads it again (a newer signal came in between)."""

    name = "reads-signal-twice"
    version = "1"

    def run(self):
        signal = self.submit(self.wait_signal("x"))
        first = signal.result
        futures.wait(self.submit(self.start_timer("later", 30)))
        return {"first_read": first, "second_read": signal.result}


def test_a_plain_wait_signal_holds_the_latest_signal_as_of_the_decision_resumed_or_replayed():
    b = HistoryBuilder(workflow_name=ReadsSignalTwice.name)
    b.decision()
    b.signal("x", [1])
    b.decision()
    b.start_timer("later", 30)
    b.signal("x", [2])
    b.decision()
    b.fire_timer("later")
    b.decision_started()
    decisions = _each_decision_both_ways(ReadsSignalTwice, b.events)
    result = json.loads(decisions[-1]["completeWorkflowExecutionDecisionAttributes"]["result"])
    assert result["first_read"] == result["second_read"] == [2]


def _each_decision_both_ways(workflow_class, events):
    """At every DecisionTaskStarted, a run resumed with the new events decides as a full replay: the last decisions."""
    run = WorkflowRun(workflow_class, INFO)
    seen, decisions = 0, []
    try:
        for i, event in enumerate(events):
            if event["eventType"] == "DecisionTaskStarted":
                decisions = run.advance(events[seen : i + 1])
                seen = i + 1
                assert decisions == replay(workflow_class, events[:seen], INFO), f"decision task at event {seen}"
    finally:
        run.close()
    return decisions


def test_signals_that_come_together_to_a_plain_wait_not_settled_yet_need_no_full_replay():
    b = HistoryBuilder(workflow_name=ReadsSignalTwice.name)
    first_end = b.decision_started()
    b.decision_completed(first_end)
    b.signal("x", [1])
    b.signal("x", [2])
    b.decision_started()
    decisions = _both_ways(ReadsSignalTwice, b.events, first_end)  # asserts no fallback
    assert decisions[0]["decisionType"] == "StartTimer"
