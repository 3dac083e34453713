"""The execution timeout on the local host: a run still open at its start + executionStartToCloseTimeout times
out as on SWF (on the dev server: tests/swf/test_execution_timeout.py), on the family's (virtual) clock."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from simpleflow import futures
from simpleflow.local import LocalExecution
from tests.fixtures import execution_timeout_workflows as wf
from tests.local.test_features import REPO, assert_resume_matches_replay, attrs, event_types

NO_INPUT = {"args": [], "kwargs": {}}
CANCEL_REQUESTED = "WorkflowExecutionCancelRequested"
UNTIMED = ("DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted")


def _story(events):
    """(event type, whole seconds after the run's start) of a run's events, decision tasks left out: the virtual
    clock jumps to each timer and deadline, and also runs with the real time decisions take (a busy machine's
    may take a tenth of a second)."""
    start = events[0]["eventTimestamp"]
    return [(e["eventType"], round(e["eventTimestamp"] - start, 0)) for e in events if e["eventType"] not in UNTIMED]


def test_a_run_open_past_its_execution_timeout_times_out_at_that_virtual_instant():
    began = time.monotonic()
    outcome = LocalExecution(wf.TimesOut, NO_INPUT).execute()
    assert time.monotonic() - began < 2  # its 5 s are virtual
    assert (outcome.status, outcome.result, outcome.reason) == ("timed_out", None, None)
    assert attrs(outcome.events[-1]) == {"timeoutType": "START_TO_CLOSE", "childPolicy": "TERMINATE"}
    assert _story(outcome.events)[-3:] == [
        ("ActivityTaskCompleted", 0.0),
        ("TimerStarted", 0.0),
        ("WorkflowExecutionTimedOut", 5.0),
    ]
    assert_resume_matches_replay(wf.TimesOut, outcome)


def test_none_leaves_the_run_unlimited_and_a_class_without_a_timeout_gets_swfs_default():
    unlimited = LocalExecution(wf.TimesOut, NO_INPUT, execution_timeout="NONE").execute()
    assert (unlimited.status, unlimited.result) == ("completed", 2)
    assert attrs(unlimited.events[0])["executionStartToCloseTimeout"] == "NONE"

    class Unset(wf.TimesOut):  # no timeout of its own: the hour a start on SWF gives it (swf.starter)
        execution_timeout = None

        def run(self) -> int:
            futures.wait(self.submit(self.start_timer("wait", 2 * 3600)))
            return 1

    absent = LocalExecution(Unset, NO_INPUT).execute()
    assert absent.status == "timed_out"
    assert attrs(absent.events[0])["executionStartToCloseTimeout"] == "3600"
    assert _story(absent.events)[-1] == ("WorkflowExecutionTimedOut", 3600.0)


def test_a_timeout_given_to_the_execution_overrides_the_class_one():
    outcome = LocalExecution(wf.TimesOut, NO_INPUT, execution_timeout=30).execute()
    assert (outcome.status, outcome.result) == ("completed", 2)
    assert attrs(outcome.events[0])["executionStartToCloseTimeout"] == "30"


@pytest.mark.parametrize("workers", [1, 2])
def test_an_activity_still_running_is_given_up_and_its_late_answer_dropped(workers):
    began = time.monotonic()
    outcome = LocalExecution(wf.OutlivedActivity, {"args": [2], "kwargs": {}}, workers=workers).execute()
    assert time.monotonic() - began < 1.9  # not held until the activity ended (2 s)
    assert outcome.status == "timed_out"
    story = _story(outcome.events)
    assert [kind for kind, _ in story] == [
        "WorkflowExecutionStarted",
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "WorkflowExecutionTimedOut",
    ]
    assert story[-1][1] == 1.0
    time.sleep(2.2)  # the activity ended meanwhile: its answer goes nowhere
    assert [kind for kind, _ in _story(outcome.events)] == [kind for kind, _ in story]


@pytest.mark.parametrize(
    "policy, long_child",
    [
        ("TERMINATE", ("terminated", "WorkflowExecutionTerminated", {"childPolicy": "TERMINATE"})),
        ("REQUEST_CANCEL", ("canceled", "WorkflowExecutionCanceled", {})),
        ("ABANDON", ("open", "TimerStarted", {})),
    ],
)
def test_a_child_times_out_for_its_parent_and_the_parents_child_policy_reaches_the_child_left(policy, long_child):
    execution = LocalExecution(wf.Grandparent, {"args": [policy], "kwargs": {}})
    outcome = execution.execute()
    assert (outcome.status, outcome.result) == ("completed", "TimeoutError(START_TO_CLOSE)")
    runs = {m.workflow_class.__name__: m for m in execution.family.members}
    short, long = runs["ShortChild"], runs["LongChild"]
    parent = next(m for m in execution.family.members if m.parent is execution.first_run)
    # The parent heard of its short child's timeout, took its decision, then timed out in turn.
    assert _story(parent.events)[-4:] == [
        ("ChildWorkflowExecutionStarted", 0.0),
        ("ChildWorkflowExecutionTimedOut", 3.0),
        ("TimerStarted", 3.0),
        ("WorkflowExecutionTimedOut", 6.0),
    ]
    timed_out = next(attrs(e) for e in parent.events if e["eventType"] == "ChildWorkflowExecutionTimedOut")
    assert timed_out["timeoutType"] == "START_TO_CLOSE"
    assert timed_out["workflowExecution"] == {"workflowId": short.workflow_id, "runId": short.run_id}
    assert attrs(parent.events[-1]) == {"timeoutType": "START_TO_CLOSE", "childPolicy": policy}
    assert short.closed.status == "timed_out"
    # The grandparent hears of its child's timeout (and of nothing the grandchildren did after).
    assert "ChildWorkflowExecutionTimedOut" in event_types(outcome)
    status, last_event, last_attrs = long_child
    assert (long.closed.status if long.closed else "open") == status
    assert long.events[-1]["eventType"] == last_event
    assert last_attrs.items() <= attrs(long.events[-1]).items()
    if policy != "ABANDON":
        [asked] = [e for e in long.events if e["eventType"] in ("WorkflowExecutionTerminated", CANCEL_REQUESTED)]
        assert attrs(asked)["cause"] == "CHILD_POLICY_APPLIED"
        assert asked["eventTimestamp"] - long.events[0]["eventTimestamp"] == pytest.approx(6.0, abs=0.5)
    assert parent.events[-1]["eventType"] == "WorkflowExecutionTimedOut"  # a closed parent hears of nothing more


def test_a_continued_run_counts_its_timeout_from_its_own_start():
    outcome = LocalExecution(wf.Relay, {"args": [2], "kwargs": {}}).execute()
    runs = []
    while outcome is not None:
        runs.insert(0, outcome)
        outcome = outcome.previous
    assert [r.status for r in runs] == ["continued_as_new", "continued_as_new", "timed_out"]
    # 2 s, 2 s, then 6 s of its own: 10 s in all, past the 6 s a single run has.
    assert [_story(r.events)[-1] for r in runs] == [
        ("WorkflowExecutionContinuedAsNew", 2.0),
        ("WorkflowExecutionContinuedAsNew", 2.0),
        ("WorkflowExecutionTimedOut", 6.0),
    ]
    assert runs[-1].events[-1]["eventTimestamp"] - runs[0].events[0]["eventTimestamp"] == pytest.approx(10.0, abs=0.5)
    assert attrs(runs[-1].events[0])["executionStartToCloseTimeout"] == "6"
    for run in runs:
        assert_resume_matches_replay(wf.Relay, run)


def _start_local(*args):
    return subprocess.run(
        [sys.executable, "-m", "simpleflow", "workflow.start", "--local", f"{wf.__name__}.TimesOut", *args],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_workflow_start_local_says_a_timed_out_execution_as_standalone_does_exit_1():
    done = _start_local()
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "workflow timed_out\n")
    longer = _start_local("--execution-timeout", "30")  # the option applies locally too
    assert (longer.returncode, longer.stdout, longer.stderr) == (0, "2\n", "")


def _closed_story(execution: LocalExecution) -> dict[str, tuple]:
    """Each run's class: its outcome's status and reason, and its story."""
    return {
        m.workflow_class.__name__: (
            m.closed.status if m.closed else "open",
            m.closed and m.closed.reason,
            _story(m.events),
        )
        for m in execution.family.members
    }


@pytest.mark.parametrize(
    "child, closing",
    [
        ("obedient", [("WorkflowExecutionCanceled", 2.0)]),
        ("stubborn", [("TimerFired", 4.0), ("ActivityTaskScheduled", 4.0), ("ActivityTaskStarted", 4.0)]),
    ],
)
def test_a_child_a_timed_out_root_asks_to_cancel_acts_on_the_request_after_the_root_closed(child, closing):
    execution = LocalExecution(wf.AskingParent, {"args": [child], "kwargs": {}})
    outcome = execution.execute()
    assert outcome.status == "timed_out"
    [(name, (status, reason, story))] = [(k, v) for k, v in _closed_story(execution).items() if k != "AskingParent"]
    asked = story.index((CANCEL_REQUESTED, 2.0))
    assert story[asked + 1 : asked + 1 + len(closing)] == closing
    assert (status, reason) == (("canceled", None) if child == "obedient" else ("completed", None))
    if child == "stubborn":
        assert story[-2:] == [("ActivityTaskCompleted", 4.0), ("WorkflowExecutionCompleted", 4.0)]


def test_a_child_asked_to_cancel_that_can_no_longer_move_fails_as_stuck_once_the_root_closed():
    execution = LocalExecution(wf.AskingParent, {"args": ["deaf"], "kwargs": {}})
    assert execution.execute().status == "timed_out"
    status, reason, story = _closed_story(execution)["DeafChild"]
    assert (status, reason) == ("failed", "workflow is stuck: it waits for signal 'never', which can never come")
    assert story[-2:] == [(CANCEL_REQUESTED, 2.0), ("TimerFired", 4.0)]  # its history stays open, as on SWF


def test_a_timer_due_before_the_timeout_fires_first_though_the_one_worker_was_busy():
    outcome = LocalExecution(wf.TimerBehindActivity, NO_INPUT).execute()
    assert outcome.status == "timed_out"
    assert _story(outcome.events)[-2:] == [("TimerFired", 2.0), ("WorkflowExecutionTimedOut", 3.0)]
    # The decision task the timer called for is scheduled, as SWF schedules it when the timer fires.
    assert [e["eventType"] for e in outcome.events[-3:]] == [
        "TimerFired",
        "DecisionTaskScheduled",
        "WorkflowExecutionTimedOut",
    ]
    assert_resume_matches_replay(wf.TimerBehindActivity, outcome)


def test_a_parent_hears_of_its_timer_before_its_child_timing_out_later_while_the_worker_was_busy():
    outcome = LocalExecution(wf.TimerBesideBusyChild, NO_INPUT).execute()
    assert (outcome.status, outcome.result) == ("completed", "TimeoutError(START_TO_CLOSE)")
    assert _story(outcome.events)[-3:] == [
        ("TimerFired", 2.0),
        ("ChildWorkflowExecutionTimedOut", 3.0),
        ("WorkflowExecutionCompleted", 3.0),
    ]
