"""Code changed under a live execution is caught, not obeyed: each task the code submits is compared with
what the history holds under its id (type, version, input, control; a timer's timeout), over hand-built
histories. What legitimately differs (a retry's heartbeat details, JSON spacing, tuples, jumbo references,
task lists, ``meta``) never trips it, nor does a change made behind ``patched``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simpleflow import Workflow, activity
from simpleflow.engine import (
    ON_NONDETERMINISM_FAIL,
    ExecutionInfo,
    Nondeterminism,
    WorkflowRun,
    replay,
)
from simpleflow.local.replay import check_history
from tests.fixtures import nondeterminism_workflows as nw
from tests.history_builder import HistoryBuilder

FIXTURE = Path(nw.__file__)
# The line of run() that submits each step (the last line holding it: the first is the constant naming it).
SUBMIT_LINE = [n for n, line in enumerate(FIXTURE.read_text().splitlines(), 1) if nw.SUBMIT_LINE in line][-1]


def _input(*args, **kwargs):
    return {"args": list(args), "kwargs": kwargs}


def _chain_history(done: int, order=nw.ORIGINAL) -> HistoryBuilder:
    """What ``Chain`` recorded: *done* steps completed, the next decision task started."""
    b = HistoryBuilder(workflow_name=nw.NAME, version=nw.VERSION, task_list=nw.TASK_LIST)
    for n, x in enumerate(order[:done], start=1):
        b.decision()
        scheduled = b.schedule_activity(nw.step_id(n), nw.STEP, nw.VERSION, _input(x), nw.TASK_LIST)
        b.complete_activity(scheduled, x)
    b.decision_started()
    return b


def _scheduled(decisions):
    attributes = [d["scheduleActivityTaskDecisionAttributes"] for d in decisions if "scheduleActivityTask" in str(d)]
    return [(a["activityId"], a["input"]) for a in attributes]


# -- the reordered chain ---------------------------------------------------------------------------


def test_reordered_steps_over_the_old_history_are_refused_naming_the_id_both_inputs_and_the_line():
    b = _chain_history(4)
    run = WorkflowRun(nw.ReorderedChain, ExecutionInfo(workflow_id="wf-id", run_id="run-id"))
    with pytest.raises(Nondeterminism) as refused:
        run.advance(b.events)
    assert run.closed is False  # the host decides (the decider closes it)
    run.close()
    assert str(refused.value) == (
        f"activity {nw.step_id(1)!r} ({FIXTURE}, line {SUBMIT_LINE}): the history has input "
        '{"args":[0],"kwargs":{}}, the code asks for input {"args":[3],"kwargs":{}}'
    )
    # Every reused id disagrees; the first one is the message.
    assert [m.task for m in refused.value.mismatches] == [f"activity {nw.step_id(n)!r}" for n in (1, 2, 3, 4)]


def test_the_original_code_over_the_same_history_goes_on_with_the_fifth_step():
    decisions = replay(nw.Chain, _chain_history(4).events)
    assert _scheduled(decisions) == [(nw.step_id(5), json.dumps(_input(4), separators=(",", ":")))]


def test_with_on_nondeterminism_fail_the_decision_fails_the_execution_with_the_mismatch():
    run = WorkflowRun(nw.ReorderedChain, ExecutionInfo(on_nondeterminism=ON_NONDETERMINISM_FAIL))
    try:
        decisions = run.advance(_chain_history(4).events)
    finally:
        run.close()
    assert [d["decisionType"] for d in decisions] == ["FailWorkflowExecution"]
    attributes = decisions[0]["failWorkflowExecutionDecisionAttributes"]
    assert attributes["reason"].startswith(f"Workflow code does not fit its history: activity {nw.step_id(1)!r}")
    assert len(attributes["reason"]) <= 256
    assert '"args":[0]' in attributes["details"] and '"args":[3]' in attributes["details"]
    assert "patched()" in attributes["details"]


def test_the_change_made_behind_patched_keeps_old_executions_on_the_old_order():
    decisions = replay(nw.PatchedChain, _chain_history(4).events)
    assert _scheduled(decisions) == [(nw.step_id(5), '{"args":[4],"kwargs":{}}')]
    fresh = HistoryBuilder(workflow_name=nw.NAME, version=nw.VERSION, task_list=nw.TASK_LIST)
    fresh.decision_started()
    decisions = replay(nw.PatchedChain, fresh.events)  # a new execution takes the new order
    assert _scheduled(decisions) == [(nw.step_id(1), '{"args":[3],"kwargs":{}}')]


def test_workflow_replay_reports_the_same_line_and_the_next_decisions():
    decisions, mismatches = check_history(nw.ReorderedChain, _chain_history(4).events)
    assert mismatches[0].startswith(f"activity {nw.step_id(1)!r} ({FIXTURE}, line {SUBMIT_LINE})")
    assert _scheduled(decisions)  # reported, not refused: the decisions the code takes are shown
    assert check_history(nw.Chain, _chain_history(4).events)[1] == []


# -- resumed runs ---------------------------------------------------------------------------------


def test_a_resumed_run_refuses_a_schedule_another_decider_made_under_its_id():
    """A rolling deploy: this run decided step 5 with input 4, another decider's code scheduled it with 9."""
    b = _chain_history(4)
    run = WorkflowRun(nw.Chain)
    assert _scheduled(run.advance(b.events)) == [(nw.step_id(5), '{"args":[4],"kwargs":{}}')]
    known = len(b.events)
    b.decision_completed(known)
    scheduled = b.schedule_activity(nw.step_id(5), nw.STEP, nw.VERSION, _input(9), nw.TASK_LIST)
    b.complete_activity(scheduled, 9)
    b.decision_started()
    with pytest.raises(Nondeterminism, match=r'the history has input \{"args":\[9\],"kwargs":\{\}\}'):
        run.advance(b.events[known:])
    run.close()


def test_a_resumed_run_meets_its_own_schedules_without_a_mismatch():
    b = HistoryBuilder(workflow_name=nw.NAME, version=nw.VERSION, task_list=nw.TASK_LIST)
    b.decision_started()
    run = WorkflowRun(nw.Chain)
    try:
        decisions = run.advance(b.events)
        while decisions[0]["decisionType"] == "ScheduleActivityTask":
            ((activity_id, text),) = _scheduled(decisions)
            known = len(b.events)
            b.decision_completed(known)
            scheduled = b.schedule_activity(activity_id, nw.STEP, nw.VERSION, json.loads(text), nw.TASK_LIST)
            b.complete_activity(scheduled, json.loads(text)["args"][0])
            b.decision_started()
            run.compact(lambda: list(b.events))
            decisions = run.advance(b.events[known:])
        assert run.nondeterminism == [] and run.fallbacks == 0
        result = decisions[0]["completeWorkflowExecutionDecisionAttributes"]["result"]
        assert json.loads(result) == list(nw.ORIGINAL)
    finally:
        run.close()


@activity.with_attributes(name="tests.nondet.first", version="1", task_list="tl")
def first(x):
    return x


@activity.with_attributes(name="tests.nondet.second", version="1", task_list="tl")
def second(x):
    return x


class SecondFirst(Workflow):
    """Waits for ``second`` before it submits ``first``, which an older code ran first, with another input."""

    name = "tests.nondet.second-first"
    version = "1"

    def run(self):
        b = self.submit(second, 2).result
        return self.submit(first, 10 + b).result


def test_a_compacted_run_keeps_what_its_code_did_not_submit_yet_and_compares_it_when_it_does():
    b = HistoryBuilder(workflow_name=SecondFirst.name)
    b.decision()
    done = b.schedule_activity("activity-tests.nondet.first-1", "tests.nondet.first", "1", _input(1))
    b.complete_activity(done, 1)
    waited = b.schedule_activity("activity-tests.nondet.second-1", "tests.nondet.second", "1", _input(2))
    b.decision_started()
    run = WorkflowRun(SecondFirst)
    try:
        assert run.advance(b.events) == []  # waits for second, which is open
        known = len(b.events)
        run.compact(lambda: list(b.events))
        record = run.history.activities["activity-tests.nondet.first-1"]
        assert record.input == '{"args":[1],"kwargs":{}}'  # kept whole: no command compared it yet
        b.complete_activity(waited, 2)
        b.decision_started()
        with pytest.raises(Nondeterminism, match="activity 'activity-tests.nondet.first-1'.*input"):
            run.advance(b.events[known:])
    finally:
        run.close()
