"""``@cached`` end to end: each call runs once per execution however many replays, locally and on SWF.

Calls are counted in a file (``tests.fixtures.jumbo_workflows.bump``): SWF deciders may be other processes.
SWF and S3 are the dev server's, over real HTTP.
"""

from __future__ import annotations

import copy
import uuid

import boto3
import pytest

from simpleflow import cached, format, jumbo
from simpleflow.engine import ExecutionInfo, WorkflowRun
from simpleflow.local import LocalExecution
from simpleflow.local.executor import Executor
from simpleflow.swf import client, starter
from simpleflow.swf.decider import Decider, RunCache
from simpleflow.swf.standalone import run_standalone
from tests.fixtures import jumbo_workflows as wf

BUCKET_ENV = "SIMPLEFLOW_JUMBO_FIELDS_BUCKET"
MARKER = "simpleflow.cached:tests.fixtures.jumbo_workflows."
BIG = 50_000  # over SWF's 32,768 characters for marker details


@pytest.fixture
def counter(tmp_path):
    return str(tmp_path / "calls.txt")


@pytest.fixture
def bucket(moto_server, monkeypatch, tmp_path):
    """A fresh bucket on the dev server as the jumbo-field store (prefix "cached"), a fresh cache directory."""
    name = f"cached-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv(BUCKET_ENV, f"{name}/cached")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


def attributes(event: dict) -> dict:
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def markers(events: list[dict]) -> dict[str, str]:
    """Details of the @cached markers, by marker name."""
    return {
        a["markerName"]: a.get("details")
        for a in (attributes(e) for e in events if e["eventType"] == "MarkerRecorded")
        if a["markerName"].startswith("simpleflow.cached:")
    }


def bucket_objects(bucket: str) -> dict[str, bytes]:
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def check_chain_result(result: dict, n: int) -> None:
    token = result["token"]
    assert len(token) == 32
    assert result["echoes"] == [token] * n  # the activities, fed by earlier replays, saw the same token
    assert result["again"] != token  # the second call is a call of its own


def check_stores_result(result: dict, n: int = 3) -> None:
    assert result["big_size"] == BIG and result["big_exact"] is True
    assert len(result["small"]["token"]) == 32
    assert {"alpha", "beta"} < set(result["tags"]) and len(result["tags"]) == 3
    # Every activity, scheduled by a different replay, got the same values.
    assert result["echoed"] == [[result["big_token"], result["small"]["token"], result["tags"]]] * n
    second_big, second_small, second_tags = result["second_calls"]
    assert second_big != result["big_token"] and second_small != result["small"]["token"]
    assert second_tags != result["tags"]


def replay_at_every_decision(workflow_class: type, events: list[dict]) -> list[list[dict]]:
    """Full replays, by a fresh engine each, of the history up to each of its decision tasks.

    The first decision task is left out (no call is recorded yet: it computes them, as it
    did the first time); the whole history, but for its closing event, is replayed last.
    """
    starts = [i for i, e in enumerate(events) if e["eventType"] == "DecisionTaskStarted"][1:-1]
    prefixes = [events[: i + 1] for i in starts] + [events[:-1]]
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted"
    answers = []
    for prefix in prefixes:
        run = WorkflowRun(workflow_class, ExecutionInfo(domain="local", workflow_id="replay", run_id="replay"))
        try:
            answers.append(run.advance(jumbo.decode_events(copy.deepcopy(prefix))))
        finally:
            run.close()
    return answers


# -- outside a workflow ----------------------------------------------------------------------


def test_outside_a_workflow_the_function_is_simply_called(counter):
    assert wf.new_token(counter) != wf.new_token(counter)
    assert wf.calls(counter) == 2
    assert wf.tag_set(counter) != wf.tag_set(counter)  # the serializer is not involved either


def test_store_must_be_history_or_s3():
    with pytest.raises(ValueError, match="store"):
        cached(store="redis")


# -- the local host ----------------------------------------------------------------------------


def test_cached_runs_once_per_call_locally_and_replays_never_call_it_again(counter):
    n = 6
    result = LocalExecution(wf.CachedChain, {"args": [counter, n], "kwargs": {}}).execute()

    assert result.status == "completed", result.reason
    check_chain_result(result.result, n)
    assert wf.calls(counter, "token") == 2
    names = markers(result.events)
    assert sorted(names) == [MARKER + "new_token:1", MARKER + "new_token:2"]
    assert format.loads(names[MARKER + "new_token:1"]) == result.result["token"]

    # Full replays from the first event, one per decision task of the history: none calls it.
    answers = replay_at_every_decision(wf.CachedChain, result.events)
    assert len(answers) >= n
    assert wf.calls(counter) == 2
    last = answers[-1]
    assert [d["decisionType"] for d in last] == ["CompleteWorkflowExecution"]
    assert format.loads(last[0]["completeWorkflowExecutionDecisionAttributes"]["result"]) == result.result


def test_cached_with_the_local_executor(counter):
    result = Executor(wf.CachedChain).run([counter, 3])

    check_chain_result(result, 3)
    assert wf.calls(counter) == 2


def test_cached_stores_locally_big_value_through_jumbo_fields_s3_store_and_serializer(bucket, counter):
    result = LocalExecution(wf.CachedStores, {"args": [counter, BIG], "kwargs": {}}).execute()

    assert result.status == "completed", (result.reason, result.details)
    check_stores_result(result.result)
    assert [wf.calls(counter, label) for label in ("big", "s3", "set")] == [2, 2, 2]
    # In S3: the two big values (over the marker limit) and the two small values of store="s3".
    stored = list(bucket_objects(bucket).values())
    assert len(stored) == 4
    small = sorted(format.loads(data.decode())["token"] for data in stored if len(data) < 100)
    assert small == sorted([result.result["small"]["token"], result.result["second_calls"][1]])
    assert sum(1 for data in stored if len(data) > BIG) == 2
    assert wf.calls(counter) == 6
    answers = replay_at_every_decision(wf.CachedStores, result.events)
    assert wf.calls(counter) == 6
    assert format.loads(answers[-1][0]["completeWorkflowExecutionDecisionAttributes"]["result"]) == result.result


UNRECORDABLE = {
    "bytes": "TypeError(@cached tests.fixtures.jumbo_workflows.as_bytes: the serializer gave bytes, not text)",
    "surrogates": "ValueError(@cached tests.fixtures.jumbo_workflows.as_surrogates: the serializer gave text that "
    "is not UTF-8 (surrogates not allowed at character 128): encode binary data, as base64 for example)",
}


@pytest.mark.parametrize("n", [1, 200], ids=["small", "over the marker limit"])
@pytest.mark.parametrize("kind", ["bytes", "surrogates"])
def test_a_serializer_giving_what_no_marker_holds_fails_the_run_alike_on_both_hosts(swf_domain, bucket, kind, n):
    """A local run kept the bytes and completed, while SWF's deciders failed at every decision task for ever."""
    local = LocalExecution(wf.CachedUnrecordable, {"args": [kind, n], "kwargs": {}}).execute()
    on_swf = run_standalone(
        swf_domain, wf.CachedUnrecordable, {"args": [kind, n], "kwargs": {}}, progress=None, timeout=30
    )

    assert (local.status, local.reason) == ("failed", f"Cannot replay the workflow: {UNRECORDABLE[kind]}")
    assert (on_swf.status, on_swf.reason) == (local.status, local.reason)
    assert bucket_objects(bucket) == {}


def test_store_s3_without_a_bucket_fails_the_run_saying_what_to_set_on_both_hosts(swf_domain, counter, monkeypatch):
    """It said 'marker_details is 28 characters, over SWF's limit of 32768', after calling the function."""
    monkeypatch.delenv(BUCKET_ENV, raising=False)
    local = LocalExecution(wf.CachedInS3, {"args": [counter], "kwargs": {}}).execute()
    on_swf = run_standalone(swf_domain, wf.CachedInS3, {"args": [counter], "kwargs": {}}, progress=None, timeout=30)

    assert (local.status, local.reason) == (
        "failed",
        "Cannot replay the workflow: ValueError(@cached tests.fixtures.jumbo_workflows.small_in_s3: store='s3' "
        f"writes its values to S3: set {BUCKET_ENV}=bucket[/prefix])",
    )
    assert (on_swf.status, on_swf.reason) == (local.status, local.reason)
    assert wf.calls(counter) == 0


# -- SWF -------------------------------------------------------------------------------------------


def run_on_swf(domain: str, workflow_class: type, args: list, cache: RunCache, worker_cache_dir: str):
    """Run one execution with an in-process decider (*cache*) and a worker process; its raw history."""
    task_list, activity_list = f"d-{uuid.uuid4().hex[:8]}", f"a-{uuid.uuid4().hex[:8]}"
    decider = Decider(domain, task_list, [workflow_class], activity_task_list=activity_list, cache=cache)
    with (
        wf.worker_process(domain, activity_list, {"SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR": worker_cache_dir}),
        wf.decider_thread(decider),
    ):
        execution = starter.start_workflow(domain, workflow_class, {"args": args, "kwargs": {}}, task_list=task_list)
        info = wf.wait_closed(domain, execution)
    events = client.get_history(domain, execution["workflowId"], execution["runId"])
    assert info["closeStatus"] == "COMPLETED", events[-1]
    return events


def completed_result(events: list[dict]) -> dict:
    closing = [attributes(e) for e in events if e["eventType"] == "WorkflowExecutionCompleted"]
    return format.loads(jumbo.decode(closing[0]["result"]))


@pytest.mark.parametrize("mode", ["resumed runs", "full replays"])
def test_cached_runs_once_per_call_on_swf(swf_domain, counter, tmp_path, mode):
    n = 6
    cache = RunCache() if mode == "resumed runs" else RunCache(max_runs=0)
    events = run_on_swf(swf_domain, wf.CachedChain, [counter, n], cache, str(tmp_path / "worker-cache"))

    result = completed_result(events)
    check_chain_result(result, n)
    assert wf.calls(counter, "token") == 2
    decision_tasks = sum(1 for e in events if e["eventType"] == "DecisionTaskCompleted")
    assert decision_tasks >= n + 1
    if mode == "full replays":
        assert cache.hits == 0 and cache.misses == decision_tasks  # each one replayed `run` from the start
    names = markers(events)
    assert sorted(names) == [MARKER + "new_token:1", MARKER + "new_token:2"]
    assert format.loads(names[MARKER + "new_token:1"]) == result["token"]
    assert format.loads(names[MARKER + "new_token:2"]) == result["again"]


def test_cached_runs_once_with_standalone_deciders_that_keep_no_runs(swf_domain, counter, monkeypatch):
    """Two decider processes, their run caches off: every decision task is a full replay elsewhere."""
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_CACHE_RUNS", "0")
    n = 5
    outcome = run_standalone(
        swf_domain, wf.CachedChain, {"args": [counter, n], "kwargs": {}}, nb_deciders=2, progress=None, timeout=40
    )

    assert outcome.status == "completed", (outcome.reason, outcome.details)
    check_chain_result(outcome.result, n)
    assert wf.calls(counter, "token") == 2


@pytest.mark.parametrize("mode", ["resumed runs", "full replays"])
def test_cached_stores_on_swf_big_value_s3_store_and_serializer(swf_domain, bucket, counter, tmp_path, mode):
    cache = RunCache() if mode == "resumed runs" else RunCache(max_runs=0)
    events = run_on_swf(swf_domain, wf.CachedStores, [counter, BIG], cache, str(tmp_path / "worker-cache"))

    result = completed_result(events)
    check_stores_result(result)
    assert [wf.calls(counter, label) for label in ("big", "s3", "set")] == [2, 2, 2]
    names = markers(events)
    assert sorted(names) == sorted(f"{MARKER}{f}:{i}" for f in ("big_value", "small_in_s3", "tag_set") for i in (1, 2))
    prefix = f"simpleflow+s3://{bucket}/cached/"
    # A value too large for a marker went through jumbo fields...
    big = names[MARKER + "big_value:1"]
    assert big.startswith(prefix)
    assert format.loads(jumbo.decode(big))["token"] == result["big_token"]
    # ... a small one with store="s3" too ...
    small = names[MARKER + "small_in_s3:1"]
    assert small.startswith(prefix) and int(small.rsplit(" ", 1)[1]) < 100
    assert format.loads(jumbo.decode(small)) == result["small"]
    # ... and the custom serializer's text is what the history keeps.
    assert names[MARKER + "tag_set:1"] == "set:" + ",".join(result["tags"])
    assert names[MARKER + "tag_set:2"] == "set:" + ",".join(result["second_calls"][2])
