"""A parent with children on the SWF endpoint (the UI tests' workflows): as on the local host."""

from __future__ import annotations

from simpleflow.local import LocalExecution
from simpleflow.swf import client
from tests.fixtures.ui_workflows import DECISION_LIST, TASK_LIST, ParentWorkflow
from tests.swf_e2e_helpers import attributes, completed_result, start_decider, start_worker, start_workflow, wait_closed

WORKFLOWS = "tests.fixtures.ui_workflows"


def _children(events):
    """(workflow id, type name, input) of every child the history started, in order."""
    return [
        (attributes(e)["workflowId"], attributes(e)["workflowType"]["name"], attributes(e)["input"])
        for e in events
        if e["eventType"] == "StartChildWorkflowExecutionInitiated"
    ]


def test_a_parent_gets_its_childrens_results_as_on_the_local_host(swf_domain, processes):
    start_decider(processes, swf_domain, DECISION_LIST, f"{WORKFLOWS}.ParentWorkflow")
    start_worker(processes, swf_domain, module=WORKFLOWS, task_list=TASK_LIST)
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.ParentWorkflow", DECISION_LIST, [["a", "b"]])
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == ["echo: a", "echo: b"]
    local = LocalExecution(ParentWorkflow, {"args": [["a", "b"]], "kwargs": {}}, workflow_id=workflow_id).execute()
    assert local.result == ["echo: a", "echo: b"]
    assert [(name, data) for _, name, data in _children(events)] == [
        (name, data) for _, name, data in _children(local.events)
    ]
    # Each child knows its parent, as SWF says it (parentWorkflowExecution, and the list's parent).
    child_id = attributes(next(e for e in events if e["eventType"] == "ChildWorkflowExecutionStarted"))[
        "workflowExecution"
    ]
    child_events = client.get_history(swf_domain, child_id["workflowId"], child_id["runId"])
    started = attributes(child_events[0])
    assert started["parentWorkflowExecution"] == {"workflowId": workflow_id, "runId": run_id}
    assert started["parentInitiatedEventId"] > 0
    closed = client.list_executions(swf_domain, "closed", workflow_id=child_id["workflowId"])
    assert closed[0]["parent"] == {"workflowId": workflow_id, "runId": run_id}
