"""Metric points under their documented names, with low-cardinality attributes only."""

from __future__ import annotations

import threading
import uuid

import boto3

from simpleflow import jumbo
from simpleflow.local.host import LocalExecution
from simpleflow.swf.poller import PollLoop
from simpleflow.telemetry import names as n
from tests.fixtures import telemetry_workflows as tw
from tests.fixtures.metrology_workflows import MyMetrologyTask
from tests.telemetry.helpers import run_on_swf, swf_hosts

EXECUTION_KEYS = {n.DOMAIN, n.TASK_LIST, n.WORKFLOW_TYPE}  # never a workflow id, run id or task id


def keys(points) -> set[frozenset]:
    return {frozenset(point.attributes) for point in points}


def test_a_local_run_records_decision_activity_failure_and_retry_points(otel):
    LocalExecution(tw.ParentWorkflow, {"args": [1]}).execute()
    points = otel.points()

    durations = points[n.M_DECISION_DURATION]
    assert keys(durations) == {frozenset(EXECUTION_KEYS | {n.DECISION_REPLAY})}
    replays = {(p.attributes[n.WORKFLOW_TYPE], p.attributes[n.DECISION_REPLAY]): p.count for p in durations}
    assert replays[("telemetry_parent", "full")] == 1 and replays[("telemetry_parent", "resumed")] >= 4
    assert keys(points[n.M_DECISION_EVENTS]) == {frozenset(EXECUTION_KEYS)}
    attempts = {
        (p.attributes[n.ACTIVITY_NAME], p.attributes[n.OUTCOME]): p.count for p in points[n.M_ACTIVITY_DURATION]
    }
    assert attempts == {
        ("tests.telemetry.add", "completed"): 2,  # the parent's and the child's
        ("tests.telemetry.flaky", "failed"): 1,
        ("tests.telemetry.flaky", "completed"): 1,
    }
    assert keys(points[n.M_ACTIVITY_DURATION]) == {frozenset({n.DOMAIN, n.TASK_LIST, n.ACTIVITY_NAME, n.OUTCOME})}
    [failure] = points[n.M_TASK_FAILURES]
    assert dict(failure.attributes) == {
        n.DOMAIN: "local",
        n.TASK_LIST: "telemetry",
        n.WORKFLOW_TYPE: "telemetry_parent",
        n.ACTIVITY_NAME: "tests.telemetry.flaky",
        n.TASK_KIND: "activity",
        n.ERROR_TYPE: "ValueError",
    }
    assert failure.value == 1
    [retry] = points[n.M_TASK_RETRIES]
    assert (retry.attributes[n.ACTIVITY_NAME], retry.value) == ("tests.telemetry.flaky", 1)
    assert sum(p.count for p in points[n.M_SCHEDULE_TO_START]) == 4


def test_a_child_workflow_failed_and_retried_is_counted_under_its_type_and_error(otel):
    LocalExecution(tw.RetriedChildParentWorkflow, {"args": [1]}).execute()  # the child fails twice
    points = otel.points()
    child = {n.ACTIVITY_NAME: "tests.fixtures.telemetry_workflows.RefusingChildWorkflow", n.TASK_KIND: "child_workflow"}
    child.update({n.DOMAIN: "local", n.TASK_LIST: "telemetry", n.WORKFLOW_TYPE: "telemetry_retried_child_parent"})
    failures = [
        (dict(p.attributes), p.value) for p in points[n.M_TASK_FAILURES] if p.attributes[n.TASK_KIND] != "activity"
    ]
    assert failures == [({**child, n.ERROR_TYPE: "ValueError"}, 2)]
    retries = [
        (dict(p.attributes), p.value) for p in points[n.M_TASK_RETRIES] if p.attributes[n.TASK_KIND] != "activity"
    ]
    assert retries == [(child, 1)]


def test_an_swf_decider_records_its_run_cache(otel, swf_domain):
    with swf_hosts(swf_domain):
        run_on_swf(swf_domain, tw.ParentWorkflow, [1])
        points = otel.points()  # the gauge is read while the decider's cache lives
    cache_keys = {n.DOMAIN: swf_domain, n.TASK_LIST: tw.TASK_LIST}
    [misses] = points[n.M_CACHE_MISSES]
    [hits] = points[n.M_CACHE_HITS]
    assert dict(misses.attributes) == dict(hits.attributes) == cache_keys
    assert misses.value == 2  # the first decision task of the parent and of the child
    assert hits.value >= 4
    [held] = points[n.M_CACHE_BYTES]
    assert dict(held.attributes) == cache_keys and held.value > 0


def test_failed_polls_are_counted_by_poller_and_error_type(otel):
    stop = threading.Event()
    calls = []

    def poll() -> bool:
        calls.append(1)
        if len(calls) == 2:
            stop.set()
        raise ConnectionError("endpoint down")

    loop = PollLoop(poll, stop, name="worker some-list")
    loop.backoff.base = loop.backoff.cap = 0.01
    loop.run()
    [errors] = otel.points()[n.M_POLL_ERRORS]
    assert dict(errors.attributes) == {n.POLLER: "worker", n.TASK_LIST: "some-list", n.ERROR_TYPE: "ConnectionError"}
    assert errors.value == len(calls) == 2


def test_jumbo_fields_written_and_read_are_counted_with_their_bytes(otel, moto_server, monkeypatch, tmp_path):
    bucket = f"otel-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", bucket)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    text = "x" * 40_000
    reference = jumbo.encode(text, "result")
    assert jumbo.decode(reference) == text  # from the cache the write filled
    jumbo.close_caches()
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE", "false")
    assert jumbo.decode(reference) == text  # from S3
    jumbo.close_caches()
    points = otel.points()
    assert [p.value for p in points[n.M_JUMBO_WRITES]] == [1]
    assert {p.attributes[n.JUMBO_SOURCE]: p.value for p in points[n.M_JUMBO_READS]} == {"cache": 1, "s3": 1}
    assert {p.attributes[n.DIRECTION]: p.value for p in points[n.M_JUMBO_BYTES]} == {"write": 40_000, "read": 40_000}


def test_metrology_steps_go_to_the_metrics(otel):
    task = MyMetrologyTask.callable(7)
    task.context = {"name": "tests.fixtures.metrology_workflows.MyMetrologyTask"}
    task.execute()
    task.record_metrics()
    points = otel.points()
    [duration] = points[n.M_STEP_DURATION]
    assert dict(duration.attributes) == {n.ACTIVITY_NAME: task.context["name"], n.STEP: "Step1"}
    [records] = points[n.M_STEP_RECORDS]
    assert (records.attributes[n.DIRECTION], records.value) == ("read", 7)
    [written] = points[n.M_STEP_BYTES]
    assert (written.attributes[n.DIRECTION], written.value) == ("write", 2 * 1024 * 1024)
