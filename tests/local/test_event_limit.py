"""SWF's limit of 25,000 events per history on the local host: a run that reaches it is terminated there
(WorkflowExecutionTerminated, cause EVENT_LIMIT_EXCEEDED, as its 25,000th event), its child policy applied; on the
dev server too: tests/swf/test_event_limit.py."""

from __future__ import annotations

import os
import subprocess
import sys

from simpleflow.constants import MAX_HISTORY_EVENTS
from simpleflow.local import LocalExecution
from simpleflow.runtime.outcome import limit_reason
from tests.fixtures import event_limit_workflows as wf
from tests.local.test_features import REPO, attrs

FOUR_YEARS = 4 * 365 * 86400  # the hourly timer's 8,300 rounds that reach the limit take 3.4 virtual years
TERMINATED = ("WorkflowExecutionTerminated", {"childPolicy": "TERMINATE", "cause": "EVENT_LIMIT_EXCEEDED"})
BY_POLICY = ("WorkflowExecutionTerminated", {"childPolicy": "TERMINATE", "cause": "CHILD_POLICY_APPLIED"})


def _ending(events: list[dict]) -> tuple[str, dict]:
    return events[-1]["eventType"], attrs(events[-1])


def test_a_workflow_that_loops_for_ever_is_terminated_at_its_25000th_event():
    execution = LocalExecution(wf.Ticks, {"args": [], "kwargs": {}})
    outcome = execution.execute_until(FOUR_YEARS)  # without the limit, it would still be open there
    assert outcome is not None
    assert (outcome.status, outcome.reason) == ("terminated", limit_reason("EVENT_LIMIT_EXCEEDED"))
    assert "25,000 events (EVENT_LIMIT_EXCEEDED)" in outcome.reason
    assert [e["eventId"] for e in outcome.events] == list(range(1, MAX_HISTORY_EVENTS + 1))
    assert _ending(outcome.events) == TERMINATED
    # Five events a round: its 5,000th decision task completed as event 24,999; its TimerStarted would be 25,000th.
    assert outcome.events[-2]["eventType"] == "DecisionTaskCompleted"


def test_its_child_policy_applies_as_for_any_termination():
    execution = LocalExecution(wf.Runaway, {"args": [300], "kwargs": {}})
    outcome = execution.execute_until(120)  # about 30 rounds of a second reach the limit
    parent, child = execution.family.members
    assert (outcome.status, len(parent.events), _ending(parent.events)) == ("terminated", 25_000, TERMINATED)
    assert _ending(child.events) == BY_POLICY


def test_activities_running_when_the_limit_falls_are_given_up():
    execution = LocalExecution(wf.Busy, {"args": [40], "kwargs": {}}, workers=4)
    outcome = execution.execute_until(600)  # about 200 rounds of a second reach the limit
    assert (outcome.status, len(outcome.events), _ending(outcome.events)) == ("terminated", 25_000, TERMINATED)
    assert not execution.family.members[0].running_activities
    started = {attrs(e)["scheduledEventId"] for e in outcome.events if e["eventType"] == "ActivityTaskStarted"}
    scheduled = {e["eventId"] for e in outcome.events if e["eventType"] == "ActivityTaskScheduled"}
    assert started <= scheduled


def test_workflow_start_local_says_the_limit_in_one_line_exit_1():
    done = subprocess.run(
        [sys.executable, "-m", "simpleflow", "workflow.start", "--local", f"{wf.__name__}.Ticks"],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    line = f"workflow terminated: {limit_reason('EVENT_LIMIT_EXCEEDED')}\n"
    assert (done.returncode, done.stdout, done.stderr) == (1, "", line)
