"""``raise ExecutionBlocked()`` in ``run`` on the local host: the run goes on at the next decision task (simpleflow
0.36.0's examples/pirate); with nothing left to wake it, the execution fails as stuck, saying why."""

from __future__ import annotations

from simpleflow.local import LocalExecution
from tests.fixtures import blocked_workflows as bw


def test_a_run_raising_execution_blocked_goes_on_at_the_next_decision_task_and_completes():
    outcome = LocalExecution(bw.Crew, {"args": [5], "kwargs": {}}).execute()
    assert outcome.status == "completed", outcome.reason
    assert outcome.result == 66


def test_a_run_blocked_with_nothing_pending_fails_as_stuck_naming_execution_blocked():
    outcome = LocalExecution(bw.Marooned, {"args": [1], "kwargs": {}}).execute()
    assert outcome.status == "failed"
    assert outcome.reason == (
        "workflow is stuck: run() raised ExecutionBlocked with no task, timer or signal pending, so no decision "
        "task can ever come to run it again"
    )
    assert [e["eventType"] for e in outcome.events].count("ActivityTaskScheduled") == 1


def test_a_run_blocked_until_a_signal_goes_on_when_it_comes():
    outcome = LocalExecution(bw.Marooned, {"args": [1], "kwargs": {}}, signals=[(60, "wake", None)]).execute()
    assert outcome.status == "failed" and "ExecutionBlocked" in outcome.reason
    kinds = [e["eventType"] for e in outcome.events]
    after_signal = kinds[kinds.index("WorkflowExecutionSignaled") :]
    # The signal woke it (a decision task ran ``run`` again), it blocked again: then nothing more could come.
    assert after_signal.count("DecisionTaskCompleted") == 1 and kinds.count("ActivityTaskScheduled") == 1
