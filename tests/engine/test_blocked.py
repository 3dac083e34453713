"""``raise ExecutionBlocked()`` in ``run`` (simpleflow 0.36.0's examples/pirate): the decision task is answered
with the decisions made so far, none closing the execution, and the next one runs ``run`` again from the start.
A resumed run (its thread unwound by the raise) replays in full, deciding as a fresh replay does."""

from __future__ import annotations

import json

from simpleflow.engine import WorkflowRun, replay
from tests.fixtures import blocked_workflows as bw
from tests.history_builder import HistoryBuilder

DOUBLE = f"{bw.__name__}.double"


def _scheduled(decisions):
    return [
        json.loads(d["scheduleActivityTaskDecisionAttributes"]["input"])["args"]
        for d in decisions
        if d["decisionType"] == "ScheduleActivityTask"
    ]


def test_a_blocked_run_sends_its_decisions_so_far_then_replays_in_full_at_each_task_until_it_returns():
    b = HistoryBuilder(workflow_name=bw.Crew.name, input={"args": [5], "kwargs": {}}, task_list=bw.TASK_LIST)
    run = WorkflowRun(bw.Crew)
    b.decision_started()
    seen = 0

    def step():
        nonlocal seen
        decisions = run.advance(b.events[seen:])
        seen = len(b.events)
        assert decisions == replay(bw.Crew, b.events)  # resumed or not, the same decisions
        return decisions

    assert _scheduled(step()) == [[5]] and not run.blocked
    b.decision_completed(b.events[-1]["eventId"])
    money = b.schedule_activity(f"activity-{DOUBLE}-1", DOUBLE, bw.VERSION, {"args": [5], "kwargs": {}})
    b.complete_activity(money, 10)
    b.decision_started()
    assert _scheduled(step()) == [[10], [11], [12]] and run.blocked  # no closing decision
    b.decision_completed(b.events[-1]["eventId"])
    crew = [
        b.schedule_activity(f"activity-{DOUBLE}-{n}", DOUBLE, bw.VERSION, {"args": [10 + n - 2], "kwargs": {}})
        for n in (2, 3, 4)
    ]
    b.complete_activity(crew[0], 20)
    b.decision_started()
    assert step() == [] and run.blocked  # blocked again: nothing to decide, nothing decided twice
    fallbacks = run.fallbacks
    b.decision_completed(b.events[-1]["eventId"])
    b.complete_activity(crew[1], 22)
    b.complete_activity(crew[2], 24)
    b.decision_started()
    [closing] = step()
    assert run.fallbacks == fallbacks + 1 and not run.blocked
    assert closing["decisionType"] == "CompleteWorkflowExecution"
    assert json.loads(closing["completeWorkflowExecutionDecisionAttributes"]["result"]) == 66


def test_a_run_blocked_with_nothing_pending_decides_nothing_and_does_not_close():
    b = HistoryBuilder(workflow_name=bw.Marooned.name, input={"args": [1], "kwargs": {}}, task_list=bw.TASK_LIST)
    b.decision()
    b.complete_activity(b.schedule_activity(f"activity-{DOUBLE}-1", DOUBLE, bw.VERSION, {"args": [1], "kwargs": {}}))
    b.decision_started()
    run = WorkflowRun(bw.Marooned)
    try:
        assert run.advance(b.events) == [] and run.blocked and not run.finished
    finally:
        run.close()
