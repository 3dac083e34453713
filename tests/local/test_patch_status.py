"""Patching and the workflow's status on the local host, and through ``workflow.start --local``."""

from __future__ import annotations

import json

import pytest

from simpleflow.engine import PATCH_MARKER_PREFIX
from simpleflow.local import LocalExecution
from tests.fixtures import patch_workflows as pw
from tests.swf_e2e_helpers import simpleflow

MODULE = "tests.fixtures.patch_workflows"


def _input(x):
    return {"args": [x], "kwargs": {}}


def test_a_local_execution_of_the_patched_code_takes_the_new_path_and_records_the_marker_once():
    outcome = LocalExecution(pw.PatchedWorkflow, _input(1)).execute()
    assert outcome.result == 202
    markers = [e["markerRecordedEventAttributes"] for e in outcome.events if e["eventType"] == "MarkerRecorded"]
    assert [m["markerName"] for m in markers] == [PATCH_MARKER_PREFIX + pw.CHANGE]


def test_a_deprecated_patch_runs_the_new_path_locally_without_a_marker():
    outcome = LocalExecution(pw.DeprecatedWorkflow, _input(1)).execute()
    assert outcome.result == 202
    assert not any(e["eventType"] == "MarkerRecorded" for e in outcome.events)


def test_the_local_execution_keeps_each_decisions_status_and_gives_the_latest():
    execution = LocalExecution(pw.StatusWorkflow, _input(1))
    assert execution.status is None
    outcome = execution.execute()
    completed = [e for e in outcome.events if e["eventType"] == "DecisionTaskCompleted"]
    assert [json.loads(e["decisionTaskCompletedEventAttributes"]["executionContext"])["done"] for e in completed] == [
        0,
        1,
        2,
    ]
    assert execution.status == {"done": 2, "step": None, "value": 4}


def test_a_workflow_without_status_records_no_execution_context():
    outcome = LocalExecution(pw.BeforeWorkflow, _input(1)).execute()
    completed = [e for e in outcome.events if e["eventType"] == "DecisionTaskCompleted"]
    assert all("executionContext" not in e["decisionTaskCompletedEventAttributes"] for e in completed)


def test_workflow_start_local_shows_the_latest_status_at_the_end():
    done = simpleflow("workflow.start", "--local", f"{MODULE}.StatusWorkflow", "--input", "[1]")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4"
    assert done.stderr.strip().splitlines()[-1] == 'status: {"done": 2, "step": null, "value": 4}'


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (40000, "set_status: the status is 40002 characters of JSON, more than SWF's 32768 for an executionContext"),
        (None, "set_status: the status must be JSON-encodable (object is not JSON serializable)"),
    ],
)
def test_a_status_too_large_or_not_json_fails_the_execution_naming_it(size, message):
    outcome = LocalExecution(pw.BadStatusWorkflow, _input(size)).execute()
    assert outcome.status == "failed"
    assert message in outcome.reason


def test_the_patching_example_checks_new_orders_and_replays_orders_shipped_before_the_change():
    from examples.patching import OrderWorkflow, charge, ship
    from simpleflow.local.replay import check_history

    class Before(OrderWorkflow):  # the code before the change (the same workflow type)
        def run(self, amount):
            return self.submit(ship, self.submit(charge, amount).result).result

    outcome = LocalExecution(OrderWorkflow, _input(120)).execute()
    assert outcome.result == {"charged": 120, "fraud_checked": True, "shipped": True}
    old = LocalExecution(Before, _input(120)).execute()
    decisions, mismatches = check_history(OrderWorkflow, old.events)
    assert mismatches == []
    assert decisions[0]["completeWorkflowExecutionDecisionAttributes"]["result"] == ('{"charged":120,"shipped":true}')


def test_the_status_example_publishes_its_progress():
    done = simpleflow("workflow.start", "--local", "examples.status.BatchWorkflow", "--input", "[3]")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [0, 1, 4]
    assert done.stderr.strip().splitlines()[-1] == 'status: {"done": true, "processed": 3, "total": 3}'
