"""Jumbo fields end to end: real HTTP to the dev server's SWF and S3, no stubs.

- a 1 MB activity result crosses ``standalone`` and feeds the next activity;
- a decider replaying a history that holds a jumbo field fetches the object once;
- an oversize field without a bucket is a clear error (worker, ``workflow.start``, ``--local``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

from simpleflow import format, jumbo
from simpleflow.jumbo import _cache
from simpleflow.swf import client, starter
from simpleflow.swf.decider import Decider, RunCache
from simpleflow.swf.standalone import run_standalone
from tests.fixtures import jumbo_workflows as wf

ROOT = Path(__file__).resolve().parents[2]
MB = 1_000_000
BUCKET_ENV = "SIMPLEFLOW_JUMBO_FIELDS_BUCKET"


@pytest.fixture
def bucket(moto_server, monkeypatch, tmp_path):
    """A fresh bucket on the dev server as the jumbo-field store (prefix "e2e"), a fresh cache directory."""
    name = f"e2e-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv(BUCKET_ENV, f"{name}/e2e")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    for variable in (
        "SIMPLEFLOW_JUMBO_FIELDS_CACHE",
        "SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE",
        "SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE",
    ):
        monkeypatch.delenv(variable, raising=False)
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


@pytest.fixture
def no_bucket(moto_server, monkeypatch, tmp_path):
    monkeypatch.delenv(BUCKET_ENV, raising=False)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    yield
    jumbo.close_caches()


def attributes(event: dict) -> dict:
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def of_type(events: list[dict], event_type: str) -> list[dict]:
    return [attributes(e) for e in events if e["eventType"] == event_type]


def reference_key(reference: str) -> str:
    """The S3 key a ``simpleflow+s3://bucket/key size`` reference names."""
    location = reference[len(jumbo.PREFIX) :].split(" ", 1)[0]
    return location.split("/", 1)[1]


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simpleflow.command", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env if env is not None else dict(os.environ),
    )


# -- a 1 MB result through standalone ------------------------------------------------------


def test_one_megabyte_result_crosses_standalone_and_feeds_the_next_activity(swf_domain, bucket):
    outcome = run_standalone(swf_domain, wf.BigResultFeedsNext, {"args": [MB], "kwargs": {}}, progress=None, timeout=40)

    assert outcome.status == "completed", (outcome.reason, outcome.details)
    expected = wf.digest(wf.blob(MB))
    assert outcome.result == {
        "checked": {"size": MB, "sha256": expected, "exact": True},  # what the second activity received
        "decider_size": MB,
        "decider_sha256": expected,
    }
    # SWF holds references only: the result of the first activity and the input of the second.
    events = client.get_history(swf_domain, outcome.workflow_id, outcome.run_id)
    big_result = of_type(events, "ActivityTaskCompleted")[0]["result"]
    assert big_result.startswith(f"simpleflow+s3://{bucket}/e2e/")
    assert big_result.endswith(f" {len(json.dumps(wf.blob(MB)))}")
    check_input = of_type(events, "ActivityTaskScheduled")[1]["input"]
    assert jumbo.is_jumbo(check_input)
    assert all(
        len(a.get("input") or "") <= 32768 and len(a.get("result") or "") <= 32768 for a in map(attributes, events)
    )
    stored = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="e2e/")["Contents"]
    assert sorted(o["Key"] for o in stored) == sorted([reference_key(big_result), reference_key(check_input)])
    assert all(o["Size"] > MB for o in stored)


# -- the decider fetches each object once ----------------------------------------------------


@pytest.mark.parametrize("mode", ["resumed runs", "full replays", "full replays, disk cache only"])
def test_decider_fetches_a_jumbo_field_from_s3_once_across_many_decision_tasks(
    swf_domain, bucket, s3_requests, tmp_path, monkeypatch, mode
):
    if mode == "full replays, disk cache only":
        monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE", "0")
        jumbo.close_caches()
    lookups: list[str] = []
    real_get = _cache.get

    def counting_get(bucket_name, key, size):
        lookups.append(key)
        return real_get(bucket_name, key, size)

    monkeypatch.setattr(_cache, "get", counting_get)
    size, n = 300_000, 10
    task_list, activity_list = f"d-{uuid.uuid4().hex[:8]}", f"a-{uuid.uuid4().hex[:8]}"
    cache = RunCache() if mode == "resumed runs" else RunCache(max_runs=0)
    decider = Decider(swf_domain, task_list, [wf.BigThenChain], activity_task_list=activity_list, cache=cache)
    # The worker has a cache of its own: what it writes to S3 is not in the decider's cache.
    worker_env = {"SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR": str(tmp_path / "worker-cache")}
    with wf.worker_process(swf_domain, activity_list, worker_env), wf.decider_thread(decider):
        execution = starter.start_workflow(
            swf_domain, wf.BigThenChain, {"args": [size, n], "kwargs": {}}, task_list=task_list
        )
        info = wf.wait_closed(swf_domain, execution)
    gets = [url for operation, url in s3_requests if operation == "GetObject"]

    assert info["closeStatus"] == "COMPLETED"
    events = client.get_history(swf_domain, **{"workflow_id": execution["workflowId"], "run_id": execution["runId"]})
    result = format.loads(of_type(events, "WorkflowExecutionCompleted")[0]["result"])
    assert result == {"size": size, "sha256": wf.digest(wf.blob(size)), "x": n}
    reference = of_type(events, "ActivityTaskCompleted")[0]["result"]
    key = reference_key(reference)
    decision_tasks = len(of_type(events, "DecisionTaskCompleted"))
    assert decision_tasks >= n + 2
    # Every decision task after the big result saw it: resumed, or replayed from the first event.
    if mode == "resumed runs":
        assert cache.hits >= n
        assert lookups.count(key) == 1
    else:
        assert cache.hits == 0 and cache.misses == decision_tasks
        assert lookups.count(key) >= n + 1
    assert len(gets) == 1, gets
    assert gets[0].endswith(key)


def drive_with_fresh_deciders(domain: str, size: int, n: int, worker_cache_dir: str, after_decision) -> tuple:
    """Run ``BigThenChain`` with a new ``Decider`` for each decision task; ``after_decision(count)`` after each.

    Returns the number of decision tasks and the closed execution's info.
    """
    task_list, activity_list = f"d-{uuid.uuid4().hex[:8]}", f"a-{uuid.uuid4().hex[:8]}"
    decisions = 0
    with wf.worker_process(domain, activity_list, {"SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR": worker_cache_dir}):
        execution = starter.start_workflow(
            domain, wf.BigThenChain, {"args": [size, n], "kwargs": {}}, task_list=task_list
        )
        target = {"workflowId": execution["workflowId"], "runId": execution["runId"]}
        for _ in range(5000):
            decider = Decider(domain, task_list, [wf.BigThenChain], activity_task_list=activity_list)
            if decider.poll_once():
                decisions += 1
                after_decision(decisions)
            info = client.swf_client().describe_workflow_execution(domain=domain, execution=target)
            if info["executionInfo"]["executionStatus"] == "CLOSED":
                return decisions, info["executionInfo"]
        raise AssertionError("execution did not close")


def test_fresh_deciders_in_one_process_fetch_the_object_once(swf_domain, bucket, s3_requests, tmp_path):
    """A decider per decision task, the memory cache dropped each time: only the disk cache is left."""
    n = 4
    decisions, info = drive_with_fresh_deciders(
        swf_domain, 100_000, n, str(tmp_path / "worker-cache"), lambda count: jumbo.close_caches()
    )

    assert info["closeStatus"] == "COMPLETED"
    assert decisions >= n + 2
    assert sum(1 for operation, _ in s3_requests if operation == "GetObject") == 1


def test_corrupt_disk_cache_entry_mid_execution_is_fetched_again(swf_domain, bucket, s3_requests, tmp_path):
    n = 4
    cache_dir = tmp_path / "cache"
    damaged = []

    def damage(count: int) -> None:
        jumbo.close_caches()
        files = [path for path in cache_dir.rglob("*.val")]
        if files and not damaged:  # once the big result is in the disk cache: flip its bytes
            for path in files:
                path.write_bytes(b"\x00garbage" + path.read_bytes()[10:])
            damaged.extend(files)

    decisions, info = drive_with_fresh_deciders(swf_domain, 100_000, n, str(tmp_path / "worker-cache"), damage)

    assert damaged, "the decider never wrote the object to its disk cache"
    assert info["closeStatus"] == "COMPLETED"
    assert decisions >= n + 2
    # Once, then once more for the damaged entry, which was repaired: the later decisions read it from disk.
    assert sum(1 for operation, _ in s3_requests if operation == "GetObject") == 2


# -- oversize fields without a bucket ----------------------------------------------------------


def assert_names_field_size_limit_and_variable(message: str, field: str, size: int) -> None:
    assert field in message, message
    assert str(size) in message, message
    assert "32768" in message, message
    assert BUCKET_ENV in message, message


def test_oversize_activity_result_without_bucket_fails_the_task_saying_what_to_set(swf_domain, no_bucket):
    size = 40_000
    outcome = run_standalone(
        swf_domain, wf.BigActivityResult, {"args": [size], "kwargs": {}}, progress=None, timeout=40
    )

    assert outcome.status == "failed"
    events = client.get_history(swf_domain, outcome.workflow_id, outcome.run_id)
    failed = of_type(events, "ActivityTaskFailed")
    assert failed, [e["eventType"] for e in events]
    assert_names_field_size_limit_and_variable(failed[0]["reason"], "result", size + 2)  # the JSON string's quotes
    assert not of_type(events, "ActivityTaskCompleted")  # never a truncated payload
    assert "result" in (outcome.reason or "") and BUCKET_ENV in (outcome.reason or ""), outcome.reason


def test_oversize_workflow_result_without_bucket_fails_the_workflow_saying_what_to_set(swf_domain, no_bucket, tmp_path):
    task_list = f"d-{uuid.uuid4().hex[:8]}"
    decider = Decider(swf_domain, task_list, [wf.BigWorkflowResult])
    with wf.decider_thread(decider):
        execution = starter.start_workflow(
            swf_domain, wf.BigWorkflowResult, {"args": [40_000], "kwargs": {}}, task_list=task_list
        )
        info = wf.wait_closed(swf_domain, execution)

    assert info["closeStatus"] == "FAILED"
    events = client.get_history(swf_domain, execution["workflowId"], execution["runId"])
    reason = of_type(events, "WorkflowExecutionFailed")[0]["reason"]
    assert_names_field_size_limit_and_variable(reason, "result", 40_002)


def test_oversize_workflow_input_without_bucket_is_one_line_and_starts_nothing(swf_domain, no_bucket, tmp_path):
    text = "y" * 40_000
    input_file = tmp_path / "input.json"
    input_file.write_text(json.dumps([text]))
    env = {k: v for k, v in os.environ.items() if k != BUCKET_ENV}
    done = cli(
        "workflow.start",
        "tests.fixtures.jumbo_workflows.InputSize",
        "--domain",
        swf_domain,
        "--input-file",
        str(input_file),
        env=env,
    )

    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    message = lines[0]
    assert "input" in message and BUCKET_ENV in message and "32768" in message, message
    assert any(str(n) in message for n in range(40_000, 40_200)), message  # the payload's size
    open_runs = client.swf_client().list_open_workflow_executions(domain=swf_domain, startTimeFilter={"oldestDate": 0})[
        "executionInfos"
    ]
    assert open_runs == []


def test_oversize_workflow_input_with_bucket_starts_with_a_reference(swf_domain, bucket, tmp_path):
    text = "y" * 40_000
    input_file = tmp_path / "input.json"
    input_file.write_text(json.dumps([text]))
    done = cli(
        "workflow.start",
        "tests.fixtures.jumbo_workflows.InputSize",
        "--domain",
        swf_domain,
        "--input-file",
        str(input_file),
    )

    assert done.returncode == 0, done.stderr
    workflow_id, run_id = done.stdout.split()
    started = of_type(client.get_history(swf_domain, workflow_id, run_id), "WorkflowExecutionStarted")[0]
    assert started["input"].startswith(f"simpleflow+s3://{bucket}/e2e/")
    assert format.loads(jumbo.decode(started["input"]))["args"] == [text]


@pytest.mark.parametrize(("workflow", "field"), [("BigActivityResult", "result"), ("BigWorkflowResult", "result")])
def test_oversize_field_locally_without_bucket_exits_1_with_the_message(no_bucket, workflow, field):
    env = {k: v for k, v in os.environ.items() if k != BUCKET_ENV}
    done = cli("workflow.start", "--local", f"tests.fixtures.jumbo_workflows.{workflow}", "--input", "[40000]", env=env)

    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert_names_field_size_limit_and_variable(done.stderr, field, 40_002)


def test_big_activity_result_locally_with_bucket_goes_through_s3(bucket):
    done = cli("workflow.start", "--local", "tests.fixtures.jumbo_workflows.BigActivityResult", "--input", "[40000]")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == 40_000
    assert boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="e2e/")["KeyCount"] == 1


def test_the_jumbo_fields_example_gives_the_same_result_on_swf_as_locally(bucket, swf_domain):
    from examples.jumbo_fields import BigWorkflow
    from simpleflow.local import LocalExecution

    input = {"args": [100_000], "kwargs": {}}
    local = LocalExecution(BigWorkflow, input).execute()
    remote = run_standalone(swf_domain, BigWorkflow, input, progress=None, timeout=60)
    assert remote.status == local.status == "completed", (remote.reason, local.reason)
    assert remote.result == local.result and remote.result["characters"] == 100_000
    events = client.get_history(swf_domain, remote.workflow_id, remote.run_id)
    (made,) = [a for a in of_type(events, "ActivityTaskCompleted") if a["result"].startswith(jumbo.PREFIX)]
    assert boto3.client("s3").head_object(Bucket=bucket, Key=reference_key(made["result"]))["ContentLength"] > 32_768
