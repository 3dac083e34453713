"""Code changed under a live execution is caught, not obeyed: each task the code submits is compared with
what the history holds under its id (type, version, input, control; a timer's timeout), over hand-built
histories. What legitimately differs (a retry's heartbeat details, JSON spacing, tuples, jumbo references,
task lists, ``meta``) never trips it, nor does a change made behind ``patched``."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from simpleflow import Workflow, activity, futures
from simpleflow.activity import HEARTBEAT_DETAILS_KEY
from simpleflow.engine import (
    ON_NONDETERMINISM_FAIL,
    ExecutionInfo,
    Nondeterminism,
    WorkflowRun,
    _ids,
    replay,
)
from simpleflow.local.replay import check_history
from tests.fixtures import nondeterminism_workflows as nw
from tests.fixtures import retry_workflows as rw
from tests.history_builder import HistoryBuilder

# As messages show it: relative to the current directory (the repository's root, where the tests run).
FIXTURE = Path(nw.__file__).relative_to(Path.cwd())
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
    assert [m.id for m in refused.value.mismatches] == [nw.step_id(n) for n in (1, 2, 3, 4)]


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
    started = b.decision_started()
    run = WorkflowRun(SecondFirst)
    try:
        assert len(run.advance(b.events)) == 1  # second
        known = len(b.events)
        b.decision_completed(started)
        waited = b.schedule_activity("activity-tests.nondet.second-1", "tests.nondet.second", "1", _input(2))
        b.decision()  # a decider with older code (a rolling deploy) ran first meanwhile
        done = b.schedule_activity("activity-tests.nondet.first-1", "tests.nondet.first", "1", _input(1))
        b.complete_activity(done, 1)
        b.decision_started()
        assert run.advance(b.events[known:]) == []  # waits for second, which is open
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


# -- what legitimately differs never trips it ----------------------------------------------------


class Retried(Workflow):
    name = "tests.nondet.retried"
    version = "1"

    def run(self):
        return self.submit(flaky_step, (1, 2), datetime.date(2024, 5, 1), n=3).result


@activity.with_attributes(name="tests.nondet.flaky", version="2", task_list="new-list", retry=2, meta={"team": "b"})
def flaky_step(pair, day, n):
    return n


FLAKY_ID = "activity-tests.nondet.flaky-1"
FLAKY_INPUT = '{"args":[[1,2],"2024-05-01"],"kwargs":{"n":3}'  # without its closing brace


def test_a_retry_with_heartbeat_details_meta_tuples_dates_another_version_and_task_list_fits():
    b = HistoryBuilder(workflow_name=Retried.name)
    b.decision()
    # The first attempt, as an older deploy scheduled it: version 1, another list and meta, JSON spaced.
    first = b.schedule_activity(FLAKY_ID, "tests.nondet.flaky", "1", task_list="old-list")
    b.attributes(first)["input"] = '{"meta": {"team": "a"}, "kwargs": {"n": 3}, "args": [[1, 2], "2024-05-01"]}'
    b.timeout_activity(first, "HEARTBEAT")
    b.decision()
    # The retry carries the last heartbeat's details, as the engine adds them.
    again = b.schedule_activity(FLAKY_ID, "tests.nondet.flaky", "2", task_list="new-list")
    b.attributes(again)["input"] = FLAKY_INPUT + f',"meta":{{"team":"b"}},"{HEARTBEAT_DETAILS_KEY}":"50%"}}'
    b.complete_activity(again, 3)
    b.decision_started()
    decisions = replay(Retried, b.events)
    assert decisions[0]["decisionType"] == "CompleteWorkflowExecution"


def test_a_jumbo_reference_left_undecoded_is_not_compared():
    b = HistoryBuilder(workflow_name=Retried.name)
    b.decision()
    scheduled = b.schedule_activity(FLAKY_ID, "tests.nondet.flaky", "2")
    b.attributes(scheduled)["input"] = "simpleflow+s3://bucket/key 40000"
    b.complete_activity(scheduled, 3)
    b.decision_started()
    assert replay(Retried, b.events)[0]["decisionType"] == "CompleteWorkflowExecution"


def test_another_activity_type_under_the_id_is_a_mismatch():
    b = HistoryBuilder(workflow_name=Retried.name)
    b.decision()
    scheduled = b.schedule_activity(FLAKY_ID, "tests.nondet.other", "2")
    b.attributes(scheduled)["input"] = FLAKY_INPUT + "}"
    b.decision_started()
    with pytest.raises(Nondeterminism, match="the history has type 'tests.nondet.other', the code asks for type"):
        replay(Retried, b.events)


# -- a retry on_task_failure gave other arguments ----------------------------------------------------

TENFOLD = f"{rw.__name__}.tenfold"
HOPELESS = f"{rw.__name__}.hopeless"


def _owed(decisions, kind):
    return [d[f"{kind[0].lower()}{kind[1:]}DecisionAttributes"] for d in decisions if d["decisionType"] == kind]


def _mended_history(workflow=rw.MendedRetries) -> HistoryBuilder:
    """``MendedRetries([-2, -3])`` up to its last task, each event the one the engine's decisions call for:
    tenfold(-2) retried at once as tenfold(5), tenfold(-3) after a timer as tenfold(7)."""
    b = HistoryBuilder(workflow_name=rw.MendedRetries.name, input=_input([-2, -3]), task_list=rw.TASK_LIST)
    b.decision()
    now = b.schedule_activity(f"activity-{TENFOLD}-1", TENFOLD, rw.VERSION, _input(-2), rw.TASK_LIST)
    later = b.schedule_activity(f"activity-{TENFOLD}-2", TENFOLD, rw.VERSION, _input(-3), rw.TASK_LIST)
    b.fail_activity(now, "ValueError: -2 is negative")
    b.fail_activity(later, "ValueError: -3 is negative")
    b.decision_started()
    decisions = replay(workflow, b.events)
    [again], [timer] = _owed(decisions, "ScheduleActivityTask"), _owed(decisions, "StartTimer")
    assert json.loads(again["input"])["args"] == [5] and json.loads(timer["control"])["args"] == [7]
    b.decision_completed(b.events[-1]["eventId"])
    retried = b.schedule_activity(again["activityId"], TENFOLD, rw.VERSION, json.loads(again["input"]), rw.TASK_LIST)
    b.start_timer(timer["timerId"], 2, control=json.loads(timer["control"]))
    b.complete_activity(retried, 50)
    b.fire_timer(timer["timerId"])
    b.decision_started()
    [waited] = _owed(replay(workflow, b.events), "ScheduleActivityTask")
    assert json.loads(waited["input"])["args"] == [7]
    b.decision_completed(b.events[-1]["eventId"])
    retried = b.schedule_activity(waited["activityId"], TENFOLD, rw.VERSION, json.loads(waited["input"]), rw.TASK_LIST)
    b.complete_activity(retried, 70)
    b.decision_started()
    return b


def test_a_full_replay_over_retries_on_task_failure_gave_other_arguments_reads_their_results():
    b = _mended_history()
    [last] = _owed(replay(rw.MendedRetries, b.events), "ScheduleActivityTask")
    b.decision_completed(b.events[-1]["eventId"])
    b.fail_activity(b.schedule_activity(last["activityId"], HOPELESS, rw.VERSION, task_list=rw.TASK_LIST))
    b.decision_started()
    [closing] = _owed(replay(rw.MendedRetries, b.events), "CompleteWorkflowExecution")
    assert json.loads(closing["result"]) == {"tens": [50, 70], "last_failed": True}
    assert check_history(rw.MendedRetries, b.events)[1] == []  # workflow.replay finds nothing wrong


class _Resubmitted(rw.MendedRetries):
    """The code changed: its first task is submitted with *first* rather than the input's first number."""

    first = 0

    def run(self, xs):
        return super().run([self.first, *xs[1:]])


@pytest.mark.parametrize("first", [-4, 5])  # another argument; the argument of the history's retry
def test_code_submitting_other_arguments_than_a_mended_retry_s_first_attempt_is_refused(first):
    changed = type("Changed", (_Resubmitted,), {"first": first})
    with pytest.raises(Nondeterminism, match=rf'tenfold-1.*history has input \{{"args":\[-2\].*\[{first}\]'):
        replay(changed, _mended_history().events)


class _MendedParent(Workflow):
    name = "tests.nondet.mended-parent"
    version = "1"

    def run(self):
        return self.submit(Doubler, -1).result

    def on_task_failure(self, failure_context):
        failure_context.a_task.args = (21,)
        return failure_context.decide_retry()


def test_a_child_workflow_retried_with_other_arguments_fits_resumed_and_replayed_in_full():
    child_type = f"{Doubler.__module__}.Doubler"
    info = ExecutionInfo(workflow_id="wf-id", run_id="run-id")
    resumed = WorkflowRun(_MendedParent, info)
    b = HistoryBuilder(workflow_name=_MendedParent.name)
    b.decision_started()
    resumed.advance(b.events)
    b.decision_completed(b.events[-1]["eventId"])
    child_id = f"workflow-{Doubler.name}-wf-id--{_ids.run_id_hash('run-id')}--1"
    b.fail_child(b.start_child_workflow(child_id, child_type, "1", input=_input(-1)))
    b.decision_started()
    seen = len(b.events)
    decisions = replay(_MendedParent, b.events, info)
    assert resumed.advance(b.events[3:]) == decisions
    [again] = _owed(decisions, "StartChildWorkflowExecution")
    assert (again["workflowId"], json.loads(again["input"])["args"]) == (child_id, [21])
    b.decision_completed(b.events[-1]["eventId"])
    b.complete_child(b.start_child_workflow(child_id, child_type, "1", input=json.loads(again["input"])), 42)
    b.decision_started()
    decisions = replay(_MendedParent, b.events, info)
    # The resumed run compares the retry's start with the arguments it took from on_task_failure.
    assert resumed.advance(b.events[seen:]) == decisions
    [closing] = _owed(decisions, "CompleteWorkflowExecution")
    assert json.loads(closing["result"]) == 42


# -- timers and children --------------------------------------------------------------------------


class Waits(Workflow):
    name = "tests.nondet.waits"
    version = "1"

    def run(self, seconds):
        self.submit(self.start_timer("pause", seconds, control={"why": "rate"})).wait()
        return self.submit(Doubler, seconds).result


class Doubler(Workflow):
    name = "tests.nondet.doubler"
    version = "1"

    def run(self, x):
        return 2 * x


def _waited(seconds: int, control=None) -> HistoryBuilder:
    b = HistoryBuilder(workflow_name=Waits.name, input=_input(10))
    b.decision()
    b.start_timer("pause", seconds, control={"why": "rate"} if control is None else control)
    b.fire_timer("pause")
    b.decision()
    return b


def test_a_timer_started_with_another_timeout_or_control_is_a_mismatch():
    b = _waited(30)
    b.decision_started()
    with pytest.raises(Nondeterminism, match=r"timer 'pause' \(.*\): the history has a timeout of 30 s, the code"):
        replay(Waits, b.events)
    b = _waited(10, control={"why": "other"})
    b.decision_started()
    with pytest.raises(Nondeterminism, match=r'history has control \{"why":"other"\}, the code asks for control'):
        replay(Waits, b.events)


def test_a_child_started_with_another_input_is_a_mismatch_and_the_same_one_fits():
    child_type = f"{Doubler.__module__}.Doubler"
    child_id = f"workflow-{Doubler.name}-wf-id--{_ids.run_id_hash('run-id')}--1"
    info = ExecutionInfo(workflow_id="wf-id", run_id="run-id")
    for given, fits in ((10, True), (11, False)):
        b = _waited(10)
        initiated = b.start_child_workflow(child_id, child_type, "1", input=_input(given))
        b.complete_child(initiated, 2 * given)
        b.decision_started()
        if fits:
            assert replay(Waits, b.events, info)[0]["decisionType"] == "CompleteWorkflowExecution"
        else:
            with pytest.raises(Nondeterminism, match=rf"child workflow '{child_id}' .*\[11\].*\[10\]"):
                replay(Waits, b.events, info)


# -- code whose ids depend on when it replays ------------------------------------------------------


class PollingCounted(Workflow):
    """Submits, under per-name counts, what it found finished without waiting: the counts follow timing."""

    name = "tests.nondet.polling"
    version = "1"

    def run(self):
        fs = [self.submit(nw.step, i) for i in range(2)]
        extra = [self.submit(nw.step, 100 + f.result) for f in fs if f.finished]
        futures.wait(*fs, *extra)
        return [f.result for f in extra]


def test_ids_that_depend_on_when_the_code_replays_are_refused_rather_than_misread():
    b = HistoryBuilder(workflow_name=PollingCounted.name)
    b.decision()
    first = b.schedule_activity(nw.step_id(1), nw.STEP, nw.VERSION, _input(0), nw.TASK_LIST)
    second = b.schedule_activity(nw.step_id(2), nw.STEP, nw.VERSION, _input(1), nw.TASK_LIST)
    b.complete_activity(second, 1)  # the second one first: the extra task for it takes count 3
    b.decision()
    b.schedule_activity(nw.step_id(3), nw.STEP, nw.VERSION, _input(101), nw.TASK_LIST)
    b.complete_activity(first, 0)
    b.decision_started()
    # Replayed now, the extra task for the first one takes count 3: it would read step(101)'s result.
    with pytest.raises(
        Nondeterminism, match=r'step-3.*history has input \{"args":\[101\].*asks for input \{"args":\[100\]'
    ):
        replay(PollingCounted, b.events)
