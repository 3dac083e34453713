"""``Workflow.set_status``: the executionContext of each decision, the same resumed or replayed in full."""

from __future__ import annotations

from simpleflow import Workflow
from simpleflow.engine import ExecutionInfo, WorkflowRun
from simpleflow.local import LocalExecution
from tests.fixtures import patch_workflows as pw
from tests.history_builder import HistoryBuilder


def _fresh_context(events) -> str | None:
    run = WorkflowRun(pw.StatusWorkflow, ExecutionInfo())
    try:
        run.advance(events)
        return run.execution_context
    finally:
        run.close()


def test_each_decision_carries_the_latest_status_resumed_or_replayed_in_full():
    done = LocalExecution(pw.StatusWorkflow, {"args": [1], "kwargs": {}}).execute()
    starts = [i + 1 for i, e in enumerate(done.events) if e["eventType"] == "DecisionTaskStarted"]
    recorded = [
        e["decisionTaskCompletedEventAttributes"].get("executionContext")
        for e in done.events
        if e["eventType"] == "DecisionTaskCompleted"
    ]
    run = WorkflowRun(pw.StatusWorkflow, ExecutionInfo())
    seen, resumed, replayed = 0, [], []
    for end in starts:
        run.advance(done.events[seen:end])
        seen = end
        resumed.append(run.execution_context)
        replayed.append(_fresh_context(done.events[:end]))
    run.close()
    assert resumed == replayed == recorded
    assert recorded[0] == '{"done":0,"step":"first"}'


class _Quiet(Workflow):
    name = "quiet"
    propagate_signals_to_parent = True

    def run(self):
        self.set_status("waiting")
        return self.submit(self.wait_signal("never")).result


def test_a_decision_that_only_propagates_signals_keeps_the_latest_status():
    b = HistoryBuilder(workflow_name="quiet")
    b.attributes(1)["parentWorkflowExecution"] = {"workflowId": "parent", "runId": "parent-run"}
    completed = b.decision()
    b.attributes(completed)["executionContext"] = '"waiting"'
    b.signal("go", {"args": [], "kwargs": {}, "__propagate": True}, "someone", "their-run")
    b.decision_started()
    run = WorkflowRun(_Quiet, ExecutionInfo(workflow_id="wf-id", run_id="run-id"))
    decisions = run.advance(b.events)
    assert [d["decisionType"] for d in decisions] == ["SignalExternalWorkflowExecution"]
    assert run.execution_context == '"waiting"'
    run.close()


def test_a_workflow_that_sets_no_status_sends_no_execution_context():
    b = HistoryBuilder(workflow_name=pw.NAME, version=pw.VERSION, input={"args": [1], "kwargs": {}})
    b.decision_started()
    run = WorkflowRun(pw.BeforeWorkflow, ExecutionInfo())
    run.advance(b.events)
    assert run.execution_context is None
    run.close()


class _Verbose(Workflow):
    name = "verbose"

    def run(self, size):
        try:
            self.set_status({"log": "x" * size})
        except ValueError as err:
            self.set_status({"error": str(err)[:40]})  # the run may catch it and set a smaller one
            raise


def test_a_status_over_swfs_execution_context_limit_fails_the_run_naming_its_size_and_the_limit():
    b = HistoryBuilder(workflow_name="verbose", input={"args": [32_768], "kwargs": {}})
    b.decision_started()
    run = WorkflowRun(_Verbose, ExecutionInfo())
    try:
        decisions = run.advance(b.events)
        assert [d["decisionType"] for d in decisions] == ["FailWorkflowExecution"]
        reason = decisions[0]["failWorkflowExecutionDecisionAttributes"]["reason"]
        assert "set_status: the status is 32778 characters of JSON, more than SWF's 32768" in reason
        assert run.execution_context == '{"error":"set_status: the status is 32778 characte"}'
    finally:
        run.close()


def test_a_status_of_exactly_swfs_limit_goes_through():
    b = HistoryBuilder(workflow_name="verbose", input={"args": [32_768 - len('{"log":""}')], "kwargs": {}})
    b.decision_started()
    run = WorkflowRun(_Verbose, ExecutionInfo())
    try:
        assert [d["decisionType"] for d in run.advance(b.events)] == ["CompleteWorkflowExecution"]
        assert len(run.execution_context) == 32_768
    finally:
        run.close()
