"""Decision tasks that timed out on a sticky task list (SCHEDULE_TO_START) change no decision.

A sticky decider that died or stopped leaves ``DecisionTaskScheduled`` (on its list) and
``DecisionTaskTimedOut`` in the history, then SWF schedules a new task on the shared list. Every
shape they can take is decided as if they were not there, resumed or replayed in full.
"""

from __future__ import annotations

import pytest

from simpleflow.engine import ExecutionInfo, WorkflowRun, replay
from tests.engine.test_resume import drive
from tests.fixtures import engine_workflows as wf
from tests.history_builder import HistoryBuilder

INFO = ExecutionInfo(workflow_id="wf-id", run_id="run-id")
CHAIN_INPUT = {"args": [3], "kwargs": {}}


def _scheduled_ids(decisions: list[dict]) -> list[str]:
    return [
        d["scheduleActivityTaskDecisionAttributes"]["activityId"]
        for d in decisions
        if d["decisionType"] == "ScheduleActivityTask"
    ]


def _chain_step(b: HistoryBuilder, n: int, result: int) -> int:
    """The chain's nth activity scheduled by the last decision and completed; return its scheduled id.

    Its input is the previous result: results here are n, so n - 1.
    """
    scheduled = b.schedule_activity(
        f"activity-tests.fixtures.engine_workflows.inc-{n}",
        "tests.fixtures.engine_workflows.inc",
        input={"args": [n - 1], "kwargs": {}},
    )
    b.complete_activity(scheduled, result)
    return scheduled


def _decide_both(b: HistoryBuilder, resumed: WorkflowRun, seen: int) -> tuple[list[dict], int]:
    """Start a decision task; the resumed run's decisions (fed the new events), checked against a full replay."""
    b.decision_started()
    got = resumed.advance(b.events[seen:])
    assert got == replay(wf.Chain, b.events, INFO)
    return got, len(b.events)


@pytest.mark.parametrize("started_id", [True, False])
def test_a_sticky_task_timed_out_then_a_normal_one_decides_as_without_it(started_id):
    b = HistoryBuilder(input=CHAIN_INPUT, workflow_name="chain")
    resumed = WorkflowRun(wf.Chain, INFO)
    got, seen = _decide_both(b, resumed, 0)
    assert _scheduled_ids(got) == ["activity-tests.fixtures.engine_workflows.inc-1"]
    b.decision_completed(b.events[-1]["eventId"])
    _chain_step(b, 1, 1)
    b.decision_timed_out_unstarted(started_id=started_id)
    got, seen = _decide_both(b, resumed, seen)
    assert _scheduled_ids(got) == ["activity-tests.fixtures.engine_workflows.inc-2"]
    assert resumed.fallbacks == 0
    resumed.close()


def test_several_sticky_timeouts_in_a_row_and_a_dead_decider_between_them():
    b = HistoryBuilder(input=CHAIN_INPUT, workflow_name="chain")
    resumed = WorkflowRun(wf.Chain, INFO)
    got, seen = _decide_both(b, resumed, 0)
    b.decision_completed(b.events[-1]["eventId"])
    _chain_step(b, 1, 1)
    b.decision_timed_out_unstarted(task_list="tl-sticky-a")
    b.decision_timed_out(b.decision_started())  # taken from the shared list by a decider that died
    b.decision_timed_out_unstarted(task_list="tl-sticky-b", timeout="1")
    b.decision_timed_out_unstarted(task_list="tl-sticky-c", started_id=False)
    got, seen = _decide_both(b, resumed, seen)
    assert _scheduled_ids(got) == ["activity-tests.fixtures.engine_workflows.inc-2"]
    b.decision_completed(b.events[-1]["eventId"])
    _chain_step(b, 2, 2)
    b.decision_timed_out_unstarted()
    got, seen = _decide_both(b, resumed, seen)
    assert _scheduled_ids(got) == ["activity-tests.fixtures.engine_workflows.inc-3"]
    b.decision_completed(b.events[-1]["eventId"])
    _chain_step(b, 3, 3)
    b.decision_timed_out_unstarted()
    got, seen = _decide_both(b, resumed, seen)
    assert [d["decisionType"] for d in got] == ["CompleteWorkflowExecution"]
    assert got[0]["completeWorkflowExecutionDecisionAttributes"]["result"] == "3"
    assert resumed.fallbacks == 0
    resumed.close()


def test_sticky_timeouts_between_activity_events_of_a_fan_out():
    b = HistoryBuilder(input={"args": [3], "kwargs": {}}, workflow_name="fanout")
    b.decision_started()
    decisions = replay(wf.FanOut, b.events, INFO)
    ids = _scheduled_ids(decisions)
    assert len(ids) == 3
    resumed = WorkflowRun(wf.FanOut, INFO)
    assert resumed.advance(list(b.events)) == decisions
    seen = len(b.events)
    b.decision_completed(b.events[-1]["eventId"])
    name = "tests.fixtures.engine_workflows.inc"
    scheduled = [b.schedule_activity(task_id, name, input={"args": [k], "kwargs": {}}) for k, task_id in enumerate(ids)]
    b.complete_activity(scheduled[0], 1)
    b.decision_timed_out_unstarted()  # between the first result and the start of the others
    b.start_activity(scheduled[1])
    b.complete_activity(scheduled[1], 2)
    b.decision_timed_out_unstarted(started_id=False)
    b.start_activity(scheduled[2])
    b.decision_started()
    got = resumed.advance(b.events[seen:])
    assert got == replay(wf.FanOut, b.events, INFO) == []
    seen = len(b.events)
    b.decision_completed(b.events[-1]["eventId"])
    b.complete_activity(scheduled[2], 3)
    b.decision_timed_out_unstarted()
    b.decision_started()
    got = resumed.advance(b.events[seen:])
    assert got == replay(wf.FanOut, b.events, INFO)
    assert [d["decisionType"] for d in got] == ["CompleteWorkflowExecution"]
    resumed.close()


@pytest.mark.parametrize("seed", range(8))
def test_random_histories_with_sticky_timeouts_resume_as_they_replay(seed):
    # drive() compares the resumed run with a full replay of the whole history at every decision task.
    swf, resumed = drive(wf.Mixed, {"args": [seed, 10], "kwargs": {}}, seed, sticky_timeout_rate=0.4)
    assert swf.closed in ("completed", "failed")
    assert any(e["eventType"] == "DecisionTaskTimedOut" for e in swf.events)
    swf, resumed = drive(
        wf.Chain, {"args": [6], "kwargs": {}}, seed, fail_rate=0.0, timeout_rate=0.0, sticky_timeout_rate=0.5
    )
    assert swf.closed == "completed" and resumed.fallbacks == 0
