"""A jumbo field whose S3 object is gone for good fails what needs it, naming the object; nothing waits for ever."""

from __future__ import annotations

import time
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from simpleflow import jumbo
from simpleflow.swf import client, inspection, starter
from simpleflow.swf.decider import Decider, RunCache
from tests.fixtures import jumbo_workflows as wf

BUCKET_ENV = "SIMPLEFLOW_JUMBO_FIELDS_BUCKET"


@pytest.fixture
def bucket(moto_server, monkeypatch, tmp_path):
    name = f"gone-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv(BUCKET_ENV, f"{name}/gone")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


def empty(bucket: str) -> list[str]:
    """Delete every object of *bucket*; their keys."""
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    for key in keys:
        s3.delete_object(Bucket=bucket, Key=key)
    return keys


def history(domain: str, execution: dict[str, str]) -> list[dict]:
    return client.get_history(domain, execution["workflowId"], execution["runId"])


def attributes(event: dict) -> dict:
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def test_missing_object_and_missing_bucket_are_unavailable_after_a_few_tries(bucket, s3_requests, monkeypatch):
    started = time.monotonic()
    with pytest.raises(jumbo.JumboFieldUnavailable, match=rf"s3://{bucket}/gone/nothing cannot be read: NoSuchKey"):
        jumbo.decode(f"simpleflow+s3://{bucket}/gone/nothing 10")
    assert [op for op, _ in s3_requests] == ["GetObject"] * 3
    assert time.monotonic() - started < 5
    monkeypatch.setenv(BUCKET_ENV, "no-such-bucket-here")
    with pytest.raises(jumbo.JumboFieldUnavailable, match="NoSuchBucket"):
        jumbo.decode("simpleflow+s3://no-such-bucket-here/k 10")


def test_access_denied_is_permanent_and_a_throttle_is_not():
    def error(code: str) -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": "..."}}, "GetObject")

    assert jumbo.permanent_s3_error(error("AccessDenied")) == "AccessDenied"
    assert jumbo.permanent_s3_error(error("NoSuchKey")) == "NoSuchKey"
    assert jumbo.permanent_s3_error(error("SlowDown")) is None
    assert jumbo.permanent_s3_error(error("InternalError")) is None
    assert jumbo.permanent_s3_error(ConnectionError("reset")) is None


def test_decider_fails_the_workflow_naming_the_object_that_is_gone(swf_domain, bucket, monkeypatch, tmp_path):
    task_list = f"d-{uuid.uuid4().hex[:8]}"
    execution = starter.start_workflow(
        swf_domain, wf.InputSize, {"args": ["x" * 40_000], "kwargs": {}}, task_list=task_list
    )
    (key,) = empty(bucket)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "decider-cache"))
    jumbo.close_caches()  # the starter cached what it wrote: the decider starts afresh
    decider = Decider(swf_domain, task_list, [wf.InputSize], cache=RunCache())

    assert decider.poll_once()

    events = history(swf_domain, execution)
    assert events[-1]["eventType"] == "WorkflowExecutionFailed"
    reason = attributes(events[-1])["reason"]
    assert reason.startswith(
        "Cannot read the history: input of event 1 (WorkflowExecutionStarted): "
        f"jumbo field s3://{bucket}/{key} cannot be read: NoSuchKey"
    )


def test_inspecting_a_history_whose_object_is_gone_shows_the_reference(swf_domain, bucket, tmp_path, monkeypatch):
    execution = starter.start_workflow(swf_domain, wf.InputSize, {"args": ["x" * 40_000], "kwargs": {}})
    (key,) = empty(bucket)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "operator-cache"))
    jumbo.close_caches()

    document = inspection.history_document(swf_domain, execution["workflowId"], execution["runId"])

    started = document["events"][0]["workflowExecutionStartedEventAttributes"]
    assert started["input"].startswith(f"simpleflow+s3://{bucket}/{key} ")


def test_worker_fails_the_task_naming_the_object_that_is_gone(swf_domain, bucket, tmp_path):
    task_list, activity_list = f"d-{uuid.uuid4().hex[:8]}", f"a-{uuid.uuid4().hex[:8]}"
    execution = starter.start_workflow(
        swf_domain, wf.BigActivityInput, {"args": [50_000], "kwargs": {}}, task_list=task_list
    )
    decider = Decider(swf_domain, task_list, [wf.BigActivityInput], activity_task_list=activity_list)
    assert decider.poll_once()  # schedules check_blob, its input written to S3
    (key,) = empty(bucket)
    # The worker has a cache of its own: it must read the object from S3, and it is gone.
    worker_env = {"SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR": str(tmp_path / "worker-cache")}
    with wf.worker_process(swf_domain, activity_list, worker_env):
        deadline = time.monotonic() + 20
        while not any(e["eventType"] == "ActivityTaskFailed" for e in history(swf_domain, execution)):
            assert time.monotonic() < deadline, history(swf_domain, execution)
            time.sleep(0.1)
    (failed,) = [attributes(e) for e in history(swf_domain, execution) if e["eventType"] == "ActivityTaskFailed"]
    assert failed["reason"].startswith("JumboFieldUnavailable: activity 'tests.fixtures.jumbo_workflows.check_blob': ")
    assert f"s3://{bucket}/{key} cannot be read: NoSuchKey" in failed["reason"]
    # The decider, whose cache still holds what it wrote, goes on: the task failed, run returns None.
    while decider.poll_once():
        if history(swf_domain, execution)[-1]["eventType"].startswith("WorkflowExecution"):
            break
    assert history(swf_domain, execution)[-1]["eventType"] == "WorkflowExecutionCompleted"


@pytest.mark.parametrize(
    "reference",
    ["simpleflow+s3://nonsense", "simpleflow+s3://{bucket}/gone/key notanumber", "simpleflow+s3://{bucket}/key \u00b2"],
)
def test_a_malformed_reference_fails_the_execution_once_and_inspection_shows_it(swf_domain, bucket, reference):
    """It was a ValueError, not a data error: each decision task failed at the poll and came back, for ever, and
    ``workflow.history`` stopped at it."""
    reference = reference.format(bucket=bucket)
    task_list = f"d-{uuid.uuid4().hex[:8]}"
    starter.start_workflow(swf_domain, wf.InputSize, {"args": ["x"], "kwargs": {}}, task_list="other")  # its type
    run_id = client.swf_client().start_workflow_execution(
        domain=swf_domain,
        workflowId="malformed",
        workflowType={"name": wf.InputSize.name, "version": wf.InputSize.version},
        taskList={"name": task_list},
        input=reference,
    )["runId"]
    execution = {"workflowId": "malformed", "runId": run_id}

    assert Decider(swf_domain, task_list, [wf.InputSize], cache=RunCache()).poll_once()

    events = history(swf_domain, execution)
    assert events[-1]["eventType"] == "WorkflowExecutionFailed"
    assert attributes(events[-1])["reason"] == (
        "Cannot read the history: input of event 1 (WorkflowExecutionStarted): malformed jumbo field reference "
        f"{reference!r}: expected 'simpleflow+s3://<bucket>/<key> <size>'"
    )
    document = inspection.history_document(swf_domain, "malformed", run_id)
    assert document["events"][0]["workflowExecutionStartedEventAttributes"]["input"] == reference
