"""SignalExternalWorkflowExecution on the dev server."""

from __future__ import annotations

import uuid

from simpleflow.local import LocalExecution
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from tests.fixtures.signal_workflows import SignalSenderWorkflow


def _run_both(domain: str, input: dict) -> tuple:
    local = LocalExecution(SignalSenderWorkflow, input).execute()
    workflow_id = f"sender-{uuid.uuid4().hex[:8]}"
    remote = run_standalone(domain, SignalSenderWorkflow, input, workflow_id=workflow_id, progress=None, timeout=30)
    assert remote.status == "completed", remote.reason
    events = client.get_history(domain, workflow_id, remote.run_id)
    return local, remote, events


def test_a_signal_to_an_unknown_execution_fails_as_on_the_local_host(swf_domain):
    local, remote, events = _run_both(swf_domain, {"args": ["nobody-has-this-id"], "kwargs": {}})
    assert remote.result == local.result == {"exception": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", "result": None}
    failed = [e for e in events if e["eventType"] == "SignalExternalWorkflowExecutionFailed"]
    assert failed[0]["signalExternalWorkflowExecutionFailedEventAttributes"]["workflowId"] == "nobody-has-this-id"


def test_a_workflow_signalling_itself_receives_the_signal(swf_domain):
    local, remote, events = _run_both(swf_domain, {"args": [], "kwargs": {}})
    assert remote.result == local.result and local.result["exception"] is None
    kinds = [e["eventType"] for e in events]
    initiated = kinds.index("SignalExternalWorkflowExecutionInitiated")
    assert kinds.index("WorkflowExecutionSignaled") > initiated
    assert kinds.index("ExternalWorkflowExecutionSignaled") > initiated
    signaled = next(e for e in events if e["eventType"] == "WorkflowExecutionSignaled")
    attributes = signaled["workflowExecutionSignaledEventAttributes"]
    assert attributes["signalName"] == "ping"
    assert attributes["externalWorkflowExecution"] == {"workflowId": remote.workflow_id, "runId": remote.run_id}
    assert kinds.count("DecisionTaskScheduled") == kinds.count("DecisionTaskCompleted")
