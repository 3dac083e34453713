"""``self.cancel_workflow`` (and signals) naming another execution: the decision, delivered, refused."""

from __future__ import annotations

from simpleflow import Workflow
from simpleflow.engine import replay
from tests.engine.test_cancel import INFO, _outcome, assert_resume_matches_replay, attrs_of, decisions_of, result_of
from tests.history_builder import HistoryBuilder

# -- cancelling another execution by id --------------------------------------------------------------


class CancelsOther(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        return _outcome(self.submit(self.cancel_workflow("other", "other-run")))


def test_cancel_workflow_asks_swf_to_cancel_the_execution_named():
    b = HistoryBuilder()
    b.decision_started()
    decisions = replay(CancelsOther, b.events, INFO)
    assert decisions_of(decisions) == ["RequestCancelExternalWorkflowExecution"]
    assert attrs_of(decisions[0]) == {"workflowId": "other", "runId": "other-run"}


def test_cancel_workflow_finishes_once_delivered():
    b = HistoryBuilder()
    b.decision()
    initiated = b.request_cancel_external("other", "other-run")
    b.external_cancel_requested(initiated)
    b.decision_started()
    assert result_of(replay(CancelsOther, b.events, INFO)) is None
    assert_resume_matches_replay(CancelsOther, b.events)


def test_cancel_workflow_of_an_unknown_execution_fails_with_swfs_cause():
    b = HistoryBuilder()
    b.decision()
    initiated = b.request_cancel_external("other", "other-run")
    b.request_cancel_external_failed(initiated)
    b.decision_started()
    outcome = result_of(replay(CancelsOther, b.events, INFO))
    assert "RequestCancelExternalWorkflowExecutionFailed: UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION" in outcome
    assert_resume_matches_replay(CancelsOther, b.events)


class SignalsAndCancelsById(Workflow):
    name = "wf"
    version = "1"
    task_list = "tl"

    def run(self):
        self.submit(self.signal("go", 1, workflow_id="other", propagate=False))
        self.submit(self.cancel_workflow("another"))
        return None


def test_signal_and_cancel_of_other_executions_by_id_alone_take_these_decisions():
    b = HistoryBuilder()
    b.decision_started()
    assert replay(SignalsAndCancelsById, b.events, INFO)[:2] == [
        {
            "decisionType": "SignalExternalWorkflowExecution",
            "signalExternalWorkflowExecutionDecisionAttributes": {
                "workflowId": "other",
                "signalName": "go",
                "input": '{"__propagate":false,"args":[1],"kwargs":{}}',
            },
        },
        {
            "decisionType": "RequestCancelExternalWorkflowExecution",
            "requestCancelExternalWorkflowExecutionDecisionAttributes": {"workflowId": "another"},
        },
    ]
