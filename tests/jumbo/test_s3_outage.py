"""S3 out of reach while a worker finishes an activity with a large result loses no work, and no value.

The worker reaches S3 through a proxy the test cuts (SWF directly); the decider runs in this process and
reaches S3 directly. The activity (``make_blob_in_time``) returns 100,000 characters, which go to S3 as a
jumbo field; SWF times its task out 8 s after it started, or 3 s after its last heartbeat.

Before: the worker logged a 97-line traceback and dropped the task; SWF timed it out; the next task was
scheduled with ``null`` in place of the result, and executions that returned it completed with ``null``.
"""

from __future__ import annotations

import json
import time
import uuid

import boto3
import pytest

from simpleflow import jumbo
from simpleflow.local import LocalExecution
from simpleflow.swf import client, starter
from simpleflow.swf.decider import Decider, RunCache
from simpleflow.swf.standalone import run_standalone
from tests.fixtures import jumbo_workflows as wf
from tests.proxy import CuttableProxy
from tests.swf_e2e_helpers import attributes

SIZE = 100_000
MAKE = "tests.fixtures.jumbo_workflows.make_blob_in_time"


@pytest.fixture
def bucket(moto_server, monkeypatch, tmp_path):
    name = f"outage-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "decider-cache"))
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


@pytest.fixture
def s3_proxy(moto_server):
    proxy = CuttableProxy(moto_server.port)
    yield proxy
    proxy.close()


def run_execution(swf_domain, tmp_path, proxy: CuttableProxy, outage: float | None):
    """Start ``BigResultInTime`` with S3 cut for the worker, mend it after *outage* seconds (None: never),
    and return the closed execution's history and the seconds from the task's start to its answer."""
    task_list, activity_list = f"d-{uuid.uuid4().hex[:8]}", f"a-{uuid.uuid4().hex[:8]}"
    decider = Decider(swf_domain, task_list, [wf.BigResultInTime], activity_task_list=activity_list, cache=RunCache())
    worker_env = {
        "AWS_ENDPOINT_URL_S3": proxy.url,
        "AWS_MAX_ATTEMPTS": "1",  # one request per try: the worker's own back-off is what is tested
        "SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR": str(tmp_path / "worker-cache"),
    }
    proxy.cut()
    execution = starter.start_workflow(
        swf_domain, wf.BigResultInTime, {"args": [SIZE], "kwargs": {}}, task_list=task_list
    )
    with wf.decider_thread(decider), wf.worker_process(swf_domain, activity_list, worker_env):
        started = wait_for(swf_domain, execution, "ActivityTaskStarted")
        if outage is not None:
            time.sleep(max(0.0, started + outage - time.time()))
            proxy.mend()
        wf.wait_closed(swf_domain, execution, timeout=40)
    events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    return events


def wait_for(domain: str, execution: dict, event_type: str, timeout: float = 20) -> float:
    """The time (epoch seconds) of the first *event_type* event in the execution's history, once there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in client.get_history(domain, execution["workflowId"], execution["runId"]):
            if event["eventType"] == event_type:
                return event["eventTimestamp"].timestamp()
        time.sleep(0.05)
    raise AssertionError(f"no {event_type} in {timeout}s")


def first(events: list[dict], event_type: str) -> dict:
    return next(e for e in events if e["eventType"] == event_type)


def test_a_result_that_s3_takes_late_is_stored_once_s3_is_back_and_the_execution_completes(
    swf_domain, bucket, s3_proxy, tmp_path
):
    # Out of reach longer than the heartbeat timeout (3 s): the worker heartbeats while it waits.
    events = run_execution(swf_domain, tmp_path, s3_proxy, outage=3.5)

    types = [e["eventType"] for e in events]
    assert "ActivityTaskTimedOut" not in types and "ActivityTaskFailed" not in types, types
    assert types[-1] == "WorkflowExecutionCompleted", types
    assert types.count("ActivityTaskScheduled") == 2  # make_blob_in_time once, then check_blob
    completed = attributes(first(events, "ActivityTaskCompleted"))
    assert completed["result"].startswith(f"{jumbo.PREFIX}{bucket}/")
    result = attributes(events[-1])["result"]
    assert result == f'{{"exact":true,"sha256":"{wf.digest(wf.blob(SIZE))}","size":{SIZE}}}'


def test_a_result_s3_never_takes_fails_the_task_before_its_timeout_naming_the_bucket_and_no_value_is_made_up(
    swf_domain, bucket, s3_proxy, tmp_path
):
    events = run_execution(swf_domain, tmp_path, s3_proxy, outage=None)

    types = [e["eventType"] for e in events]
    assert "ActivityTaskTimedOut" not in types, types
    failed = first(events, "ActivityTaskFailed")
    reason = attributes(failed)["reason"]
    assert reason.startswith(
        f"JumboFieldNotStored: activity '{MAKE}': the result cannot be stored in S3 bucket '{bucket}': "
    ), reason
    started = first(events, "ActivityTaskStarted")
    assert (failed["eventTimestamp"] - started["eventTimestamp"]).total_seconds() < 8  # before SWF's timeout
    # check_blob is never scheduled with null in place of the result: the execution fails, saying why.
    assert types.count("ActivityTaskScheduled") == 1, types
    assert types[-1] == "WorkflowExecutionFailed", types
    closing_reason = attributes(events[-1])["reason"]
    assert closing_reason.startswith(
        "tests.fixtures.jumbo_workflows.check_blob was submitted with the future of "
        f"activity-{MAKE}-1 as an argument, which failed: no value (JumboFieldNotStored: "
    ), closing_reason


def test_a_cached_value_s3_does_not_take_leaves_the_decision_task_to_come_back_instead_of_failing_the_execution(
    swf_domain, bucket, s3_proxy, tmp_path, monkeypatch
):
    from simpleflow.jumbo import _s3

    task_list = f"d-{uuid.uuid4().hex[:8]}"
    counter = str(tmp_path / "calls")
    execution = starter.start_workflow(
        swf_domain, wf.CachedInS3, {"args": [counter], "kwargs": {}}, task_list=task_list, decision_tasks_timeout=2
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_proxy.url)  # this process's S3, for the decider below
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    _s3.reset()
    s3_proxy.cut()
    decider = Decider(swf_domain, task_list, [wf.CachedInS3], cache=RunCache(), sticky_timeout=0)
    try:
        with pytest.raises(jumbo.JumboFieldNotStored):
            decider.poll_once()
        events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
        assert [e["eventType"] for e in events][-1] == "DecisionTaskStarted"  # unanswered, not failed

        s3_proxy.mend()
        wait_for(swf_domain, execution, "DecisionTaskTimedOut")
        assert decider.poll_once()
    finally:
        _s3.reset()
    events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted", [e["eventType"] for e in events]
    assert set(json.loads(attributes(events[-1])["result"])) == {"token"}


def test_a_cached_value_for_a_bucket_that_does_not_exist_leaves_the_decision_task_as_other_fields_do(
    swf_domain, tmp_path, monkeypatch
):
    """It failed the execution (Cannot replay the workflow: JumboFieldNotStored...), where a result, an input or
    a large cached value stored in the history leaves the task unanswered: a configuration to fix, which no
    execution should pay for. Once the bucket exists, the execution completes."""
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", missing)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "decider-cache"))
    task_list, counter = f"d-{uuid.uuid4().hex[:8]}", str(tmp_path / "calls")
    execution = starter.start_workflow(
        swf_domain, wf.CachedInS3, {"args": [counter], "kwargs": {}}, task_list=task_list, decision_tasks_timeout=2
    )
    decider = Decider(swf_domain, task_list, [wf.CachedInS3], cache=RunCache(), sticky_timeout=0)

    with pytest.raises(jumbo.JumboFieldNotStored, match=f"bucket '{missing}': NoSuchBucket"):
        decider.poll_once()
    with pytest.raises(jumbo.JumboFieldNotStored, match=f"bucket '{missing}': NoSuchBucket"):  # as for a result
        LocalExecution(wf.CachedInS3, {"args": [counter], "kwargs": {}}).execute()
    events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    assert events[-1]["eventType"] == "DecisionTaskStarted"  # unanswered, not failed

    boto3.client("s3").create_bucket(Bucket=missing)
    wait_for(swf_domain, execution, "DecisionTaskTimedOut")
    assert decider.poll_once()
    events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted", [e["eventType"] for e in events]


def test_an_input_s3_gives_late_is_read_once_s3_is_back_and_the_task_runs(swf_domain, bucket, s3_proxy, tmp_path):
    task_list, activity_list = f"d-{uuid.uuid4().hex[:8]}", f"a-{uuid.uuid4().hex[:8]}"
    decider = Decider(swf_domain, task_list, [wf.BigActivityInput], activity_task_list=activity_list, cache=RunCache())
    worker_env = {
        "AWS_ENDPOINT_URL_S3": s3_proxy.url,
        "AWS_MAX_ATTEMPTS": "1",
        "SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR": str(tmp_path / "worker-cache"),
    }
    s3_proxy.cut()
    execution = starter.start_workflow(
        swf_domain, wf.BigActivityInput, {"args": [SIZE], "kwargs": {}}, task_list=task_list
    )
    with wf.decider_thread(decider), wf.worker_process(swf_domain, activity_list, worker_env):
        started = wait_for(swf_domain, execution, "ActivityTaskStarted")
        time.sleep(max(0.0, started + 2.0 - time.time()))
        assert s3_proxy.refused, "the worker did not try S3 while it was cut"
        s3_proxy.mend()
        wf.wait_closed(swf_domain, execution, timeout=30)
    events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    types = [e["eventType"] for e in events]
    assert types.count("ActivityTaskStarted") == 1 and "ActivityTaskFailed" not in types, types
    assert json.loads(attributes(events[-1])["result"]) == {
        "size": SIZE,
        "sha256": wf.digest(wf.blob(SIZE)),
        "exact": True,
    }


def test_a_bucket_that_does_not_exist_fails_the_task_at_once_naming_it(swf_domain, bucket, tmp_path):
    task_list, activity_list = f"d-{uuid.uuid4().hex[:8]}", f"a-{uuid.uuid4().hex[:8]}"
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    decider = Decider(swf_domain, task_list, [wf.BigResultInTime], activity_task_list=activity_list, cache=RunCache())
    worker_env = {
        "SIMPLEFLOW_JUMBO_FIELDS_BUCKET": missing,
        "SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR": str(tmp_path / "worker-cache"),
    }
    execution = starter.start_workflow(
        swf_domain, wf.BigResultInTime, {"args": [SIZE], "kwargs": {}}, task_list=task_list
    )
    with wf.decider_thread(decider), wf.worker_process(swf_domain, activity_list, worker_env):
        wf.wait_closed(swf_domain, execution, timeout=30)
    events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    started, failed = first(events, "ActivityTaskStarted"), first(events, "ActivityTaskFailed")
    assert attributes(failed)["reason"].startswith(
        f"JumboFieldNotStored: activity '{MAKE}': the result cannot be stored in S3 bucket '{missing}': NoSuchBucket: "
    ), attributes(failed)["reason"]
    assert (failed["eventTimestamp"] - started["eventTimestamp"]).total_seconds() < 3  # no waiting on it


def test_a_bucket_that_does_not_exist_fails_the_task_in_the_same_words_on_both_hosts(swf_domain, monkeypatch):
    """A local run named no activity, and ended its reason with botocore's line (client.py, line ...)."""
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", missing)
    input = {"args": [SIZE], "kwargs": {}}
    local = LocalExecution(wf.BigActivityResult, input).execute()
    on_swf = run_standalone(swf_domain, wf.BigActivityResult, input, progress=None, timeout=30)

    reasons = [
        attributes(first(run.events, "ActivityTaskFailed"))["reason"]
        for run in (local, on_swf)  # the same task, its same reason
    ]
    make = "tests.fixtures.jumbo_workflows.make_blob_or_fail"
    assert reasons[0] == reasons[1]  # cut to SWF's 256 characters alike, ending " ..." (the worker cut it bare)
    assert reasons[0].startswith(
        f"JumboFieldNotStored: activity '{make}': the result cannot be stored in S3 bucket '{missing}': NoSuchBucket"
    )
    assert (local.status, local.reason) == (on_swf.status, on_swf.reason)


def test_an_s3_that_answered_the_jumbo_store_then_cannot_be_reached_is_said_down_not_configured_wrong(
    bucket, s3_proxy, monkeypatch
):
    """The jumbo store's own S3 client notes the endpoints that answer it, as the SWF client does: S3 that
    answered this process and is now out of reach is an outage (exit 1), not "check AWS_ENDPOINT_URL" (exit 2),
    which stays the line for an endpoint never reached."""
    from botocore.exceptions import EndpointConnectionError

    from simpleflow.cli.failures import explain
    from simpleflow.jumbo import _s3
    from simpleflow.jumbo._reference import format_reference
    from tests.moto_server import free_port

    references = []
    for key in ("first", "second"):  # written straight to the server, read through the proxy
        boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=b'"jumbo"')
        references.append(format_reference(bucket, key, 7))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    try:
        never = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", never)
        _s3.reset()
        with pytest.raises(EndpointConnectionError) as unreached:
            jumbo.decode(references[0])
        assert explain(unreached.value) == (
            f"cannot reach {never}/{bucket}/first: check AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_SWF / "
            "AWS_ENDPOINT_URL_S3) and AWS_DEFAULT_REGION, and that the service is up",
            2,
        )

        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_proxy.url)
        _s3.reset()
        assert jumbo.decode(references[0]) == '"jumbo"'  # S3 answers the jumbo store
        s3_proxy.close()  # then its address refuses connections: down
        with pytest.raises(EndpointConnectionError) as gone:
            jumbo.decode(references[1])
    finally:
        _s3.reset()
    assert explain(gone.value) == (
        f"{s3_proxy.url}/{bucket}/second stopped answering: it answered earlier in this command, then went down "
        "or out of reach",
        1,
    )
