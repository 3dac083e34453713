"""A run() whose result JSON cannot hold fails the execution, with the same decision on both hosts."""

from __future__ import annotations

from simpleflow import Workflow
from simpleflow.engine import replay
from simpleflow.local import LocalExecution
from tests.history_builder import HistoryBuilder


class ReturnsAnObject(Workflow):
    name = "tests.engine.returns_an_object"
    version = "1"
    task_list = "engine"

    def run(self):
        return object()


def test_result_json_cannot_encode_fails_the_workflow_naming_why():
    b = HistoryBuilder(input={"args": [], "kwargs": {}})
    b.decision_started()

    decisions = replay(ReturnsAnObject, b.events)

    assert decisions == [
        {
            "decisionType": "FailWorkflowExecution",
            "failWorkflowExecutionDecisionAttributes": {
                "reason": "run() returned a value JSON cannot encode: object is not JSON serializable"
            },
        }
    ]


def test_local_host_fails_it_with_the_same_reason():
    outcome = LocalExecution(ReturnsAnObject, {"args": [], "kwargs": {}}).execute()
    assert (outcome.status, outcome.reason) == (
        "failed",
        "run() returned a value JSON cannot encode: object is not JSON serializable",
    )
