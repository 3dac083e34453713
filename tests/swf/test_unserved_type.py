"""A decider given a workflow type it does not serve leaves the task to another decider, failing nothing."""

from __future__ import annotations

import logging
import time
import uuid

from simpleflow import Workflow
from simpleflow.swf import client, starter
from simpleflow.swf.decider import Decider
from tests.fixtures.swf_workflows import RetryWorkflow


def test_decision_task_of_a_type_not_served_times_out_and_another_decider_takes_it(swf_domain, caplog):
    class WideWorkflow(Workflow):  # defined here: no decider can import it by its class path or type name
        name = "tests.swf.wide"
        version = "unserved"
        task_list = "unserved"

        def run(self, n: int) -> int:
            return n

    task_list = f"shared-{uuid.uuid4().hex[:8]}"
    execution = starter.start_workflow(
        swf_domain, WideWorkflow, {"args": [0], "kwargs": {}}, task_list=task_list, decision_tasks_timeout=1
    )
    old_decider = Decider(swf_domain, task_list, [RetryWorkflow])  # a deploy that predates WideWorkflow

    with caplog.at_level(logging.ERROR, logger="simpleflow.swf.decider"):
        assert old_decider.poll_once()

    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, errors
    assert f"execution {execution['workflowId']}: no workflow class for type 'tests.swf.wide'" in errors[0]
    assert "leaving the decision task for another decider" in errors[0]
    events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    assert [e["eventType"] for e in events] == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]

    new_decider = Decider(swf_domain, task_list, [WideWorkflow])
    deadline = time.monotonic() + 15
    while not new_decider.poll_once():  # SWF hands the task out again once it has timed out
        assert time.monotonic() < deadline
        time.sleep(0.2)
    events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    types = [e["eventType"] for e in events]
    assert "DecisionTaskTimedOut" in types and "WorkflowExecutionFailed" not in types
    assert types[-1] == "WorkflowExecutionCompleted", types
