"""Steps on SWF (the dev server): state in S3 across executions, markers and signals in the history."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import boto3
import pytest

from simpleflow.local import LocalExecution
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from tests.fixtures.step_workflows import StepFeaturesWorkflow
from tests.swf_e2e_helpers import ROOT, outcomes_by_task, scheduled, simpleflow


@pytest.fixture
def new_bucket(moto_server):
    def create() -> str:
        name = f"steps-{uuid.uuid4().hex[:10]}"
        boto3.client("s3").create_bucket(Bucket=name)
        return name

    return create


def _step_markers(events) -> list[tuple[str, str]]:
    found = []
    for event in events:
        attrs = event.get("markerRecordedEventAttributes")
        if attrs and attrs["markerName"] == "log.step":
            details = json.loads(attrs["details"])
            found.append((details["step"], details["status"]))
    return found


def test_the_steps_example_skips_on_swf_what_an_earlier_execution_did(swf_domain, new_bucket, monkeypatch):
    bucket = new_bucket()
    monkeypatch.setenv("STEP_BUCKET", bucket)
    workflow_id = f"pipeline-{uuid.uuid4().hex[:8]}"
    command = ["standalone", "--domain", swf_domain, "examples.steps.PipelineWorkflow", "--workflow-id", workflow_id]
    first = simpleflow(*command, "--input", "{}")
    assert first.returncode == 0, first.stderr
    assert set(json.loads(first.stdout.splitlines()[-1]).values()) == {"played"}
    second = simpleflow(*command, "--input", json.dumps({"force_steps": ["transform.enrich"]}))
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout.splitlines()[-1]) == {
        "extract": "skipped",
        "transform.clean": "skipped",
        "transform.enrich": "played",
        "load": "skipped",
    }
    _, run_id = second.stdout.splitlines()[0].split()  # standalone prints "<workflow id> <run id>" first
    events = client.get_history(swf_domain, workflow_id, run_id)
    assert _step_markers(events) == [
        ("extract", "skipped"),
        ("transform.clean", "skipped"),
        ("transform.enrich", "scheduled"),
        ("transform.enrich", "completed"),
        ("load", "skipped"),
    ]
    kinds = [e["eventType"] for e in events]
    # step.load goes to the execution itself: SignalExternalWorkflowExecution, then the signal.
    assert "SignalExternalWorkflowExecutionInitiated" in kinds and "ExternalWorkflowExecutionSignaled" in kinds
    signals = [
        e["workflowExecutionSignaledEventAttributes"]["signalName"]
        for e in events
        if "workflowExecutionSignaledEventAttributes" in e
    ]
    assert signals == ["step.load"]


def test_local_and_swf_hosts_agree_on_steps(swf_domain, new_bucket, monkeypatch):
    workflow_id = f"steps-{uuid.uuid4().hex[:8]}"
    bucket = new_bucket()
    monkeypatch.setenv("STEP_BUCKET", bucket)
    input = {"args": [], "kwargs": {}}
    local = [LocalExecution(StepFeaturesWorkflow, input, workflow_id=workflow_id).execute() for _ in range(2)]
    for obj in boto3.resource("s3").Bucket(bucket).objects.all():  # the SWF executions start afresh
        obj.delete()
    swf = []
    for _ in range(2):  # the second execution of each host skips what the first did
        outcome = run_standalone(
            swf_domain, StepFeaturesWorkflow, input, workflow_id=workflow_id, progress=None, timeout=60
        )
        assert outcome.status == "completed", outcome.reason
        swf.append((outcome.result, client.get_history(swf_domain, workflow_id, outcome.run_id)))
    assert [run.result for run in local] == [result for result, _ in swf]
    for run, (_, events) in zip(local, swf):
        # Parallel steps end in any order on SWF, and so are their MarkStepDone tasks scheduled.
        assert sorted(scheduled(run.events), key=json.dumps) == sorted(scheduled(events), key=json.dumps)
        assert outcomes_by_task(run.events) == outcomes_by_task(events)
        assert sorted(_step_markers(run.events)) == sorted(_step_markers(events))  # parallel steps end in any order
    assert ("first", "skipped") in _step_markers(swf[1][1])


def test_any_worker_runs_the_step_tasks_without_importing_simpleflow_step():
    code = (
        "import sys; from simpleflow import activity\n"
        "assert 'simpleflow.step.tasks' not in sys.modules\n"
        "print(activity.find('simpleflow.step.tasks.MarkStepDoneTask') is not None,"
        " activity.find('simpleflow.step.nowhere.Task') is None, activity.find('os.system') is None)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.stdout.split() == ["True", "True", "True"], done.stderr


def test_an_s3_that_answered_the_steps_then_cannot_be_reached_is_said_down_not_configured_wrong(
    moto_server, new_bucket, monkeypatch
):
    """storage's S3 clients (steps, metrology) note the endpoints that answer them, as the jumbo store's does:
    S3 that answered this process and is now out of reach is an outage (exit 1), not "check AWS_ENDPOINT_URL"."""
    from botocore.exceptions import EndpointConnectionError

    from simpleflow import storage
    from simpleflow.cli.failures import explain
    from tests.proxy import CuttableProxy

    bucket = new_bucket()
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    calls = {  # the client storage builds, then the resource its buckets come from
        "client": (lambda: storage.get_client().head_bucket(Bucket=bucket)),
        "resource": (lambda: storage.push_content(bucket, "steps/done", "{}")),
    }
    for kind, call in calls.items():
        proxy = CuttableProxy(moto_server.port)
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.url)
        call()  # S3 answers
        proxy.close()  # then its address refuses connections: down
        with pytest.raises(EndpointConnectionError) as gone:
            call()
        line, code = explain(gone.value)
        assert (code, line.startswith(f"{proxy.url}/{bucket}")) == (1, True), (kind, line)
        assert line.endswith("stopped answering: it answered earlier in this command, then went down or out of reach")
