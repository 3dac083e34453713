"""Jumbo fields for heartbeat details and for queried histories, on the dev server's SWF and S3.

- heartbeat details over SWF's 2,048 characters go to S3; the timed-out attempt's reference reaches the
  next attempt, which reads the whole details back;
- ``workflow.query`` decodes an execution's jumbo input before it replays it.
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest

from simpleflow import jumbo
from simpleflow.activity import HEARTBEAT_DETAILS_KEY
from simpleflow.constants import MAX_HEARTBEAT_DETAILS_LENGTH
from simpleflow.local import LocalExecution
from simpleflow.swf import client, starter
from tests.fixtures.heartbeat_workflows import BigProgressWorkflow
from tests.fixtures.query_workflows import OrderWorkflow
from tests.swf.test_heartbeats import start_heartbeat_workers, timed_out
from tests.swf_e2e_helpers import completed_result, scheduled, simpleflow, start_decider, start_workflow, wait_closed

SIZE = 3000  # heartbeat details of "x" * SIZE: over SWF's 2,048 characters


@pytest.fixture
def bucket(moto_server, monkeypatch, tmp_path):
    """A fresh bucket on the dev server as the jumbo-field store (for this process and the ones it starts)."""
    name = f"progress-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", f"{name}/progress")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


def test_heartbeat_details_over_2048_characters_go_through_s3_to_the_next_attempt(
    swf_domain, bucket, processes, decider_list
):
    start_decider(processes, swf_domain, decider_list, "tests.fixtures.heartbeat_workflows.BigProgressWorkflow")
    start_heartbeat_workers(processes, swf_domain)
    workflow_id, run_id = start_workflow(
        swf_domain, "tests.fixtures.heartbeat_workflows.BigProgressWorkflow", decider_list, [SIZE]
    )
    # Locally meanwhile (the simulated timeout takes real time): the same result, the same details once decoded.
    local = LocalExecution(BigProgressWorkflow, {"args": [SIZE], "kwargs": {}}).execute()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    # The next attempt read the whole details: the activity returns their length.
    assert completed_result(events) == SIZE, processes.logs()
    [timeout] = timed_out(events)
    assert timeout["timeoutType"] == "HEARTBEAT"
    reference = timeout["details"]
    assert jumbo.is_jumbo(reference) and len(reference) <= MAX_HEARTBEAT_DETAILS_LENGTH
    assert reference.startswith(f"simpleflow+s3://{bucket}/progress/")
    assert json.loads(jumbo.decode(reference)) == "x" * SIZE
    retry_input = scheduled(events)[1][2]
    assert json.loads(jumbo.decode(retry_input[HEARTBEAT_DETAILS_KEY])) == "x" * SIZE
    assert local.result == SIZE
    [local_timeout] = timed_out(local.events)
    assert jumbo.is_jumbo(local_timeout["details"])
    assert jumbo.decode(local_timeout["details"]) == jumbo.decode(reference)


def test_workflow_query_decodes_a_jumbo_input_before_replaying(swf_domain, bucket):
    order = "o-" + "x" * 40_000  # the execution's input is over SWF's 32,768 characters
    execution = starter.start_workflow(swf_domain, OrderWorkflow, {"args": [order, [1, 2]], "kwargs": {}})
    started = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    assert jumbo.is_jumbo(started[0]["workflowExecutionStartedEventAttributes"]["input"])
    workflow = f"{OrderWorkflow.__module__}.OrderWorkflow"
    done = simpleflow("workflow.query", swf_domain, execution["workflowId"], "plan", "--workflow", workflow)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"order_length": len(order), "amounts": [1, 2]}
