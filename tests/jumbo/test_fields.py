"""Jumbo fields against the dev server's S3: encode, decode, the caches, SWF shapes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

from simpleflow import jumbo
from simpleflow.jumbo import _cache, _fields, _s3

REPO_ROOT = Path(__file__).resolve().parents[2]
MB = 1_000_000


@pytest.fixture
def bucket(moto_server, monkeypatch, tmp_path):
    """A fresh bucket on the dev server, set as the jumbo fields bucket with prefix "jumbo"."""
    name = f"jumbo-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", f"{name}/jumbo")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    for variable in ("SIMPLEFLOW_JUMBO_FIELDS_CACHE", "SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE"):
        monkeypatch.delenv(variable, raising=False)
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


def gets(requests: list[tuple[str, str]]) -> int:
    return sum(1 for operation, _ in requests if operation == "GetObject")


def big_text(size: int) -> str:
    """JSON-like text of *size* characters, with one non-ASCII character so bytes != characters."""
    head = '{"city": "Saint-Étienne", "data": "'
    return head + "x" * (size - len(head) - 2) + '"}'


def forget_memory() -> None:
    """Drop the memory cache (and reopen the disk cache), as a fresh process would."""
    jumbo.close_caches()


def cache_value_files(cache_dir: Path) -> list[Path]:
    return [path for path in cache_dir.rglob("*.val")]


def test_fields_within_their_limit_are_returned_as_is_without_s3(bucket, s3_requests):
    text = "x" * 32768
    assert jumbo.encode(text, "input") is text
    assert jumbo.encode("r" * 256, "reason") == "r" * 256
    assert jumbo.encode("h" * 2048, "heartbeat_details") == "h" * 2048
    assert jumbo.encode(None, "result") is None
    assert jumbo.decode(text) is text
    assert jumbo.decode(None) is None
    assert s3_requests == []


def test_oversize_field_without_bucket_names_field_size_limit_and_variable(monkeypatch, s3_requests):
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)
    with pytest.raises(jumbo.JumboFieldTooLarge) as caught:
        jumbo.encode("r" * 300, "reason")
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in message
    for part in ("reason", "300", "256", "SIMPLEFLOW_JUMBO_FIELDS_BUCKET"):
        assert part in message
    assert (caught.value.field, caught.value.size, caught.value.limit) == ("reason", 300, 256)
    assert s3_requests == []


def test_unknown_field_is_refused():
    with pytest.raises(ValueError, match="unknown SWF field 'inptu'"):
        jumbo.encode("x", "inptu")


def test_one_megabyte_field_round_trips_through_s3_with_its_size_in_bytes(bucket, s3_requests, monkeypatch):
    text = big_text(MB)
    reference = jumbo.encode(text, "result")

    size = len(text.encode())
    assert size == MB + 1  # the "É" is two bytes
    assert re.fullmatch(rf"simpleflow\+s3://{bucket}/jumbo/[0-9a-f-]{{36}} {size}", reference)
    assert jumbo.is_jumbo(reference) and not jumbo.is_jumbo(text) and not jumbo.is_jumbo(None)
    key = reference[len(f"simpleflow+s3://{bucket}/") :].split()[0]
    assert boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read() == text.encode()

    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE", "0")
    forget_memory()
    assert jumbo.decode(reference) == text
    assert gets(s3_requests) == 1


def test_requests_are_path_style_on_a_custom_endpoint(bucket, s3_requests, moto_server):
    jumbo.encode(big_text(40_000), "input")
    assert s3_requests and all(url.startswith(f"{moto_server.url}/{bucket}/jumbo/") for _, url in s3_requests)


@pytest.mark.parametrize(("size", "operation"), [(6 * MB, "PutObject"), (9 * MB, "CreateMultipartUpload")])
def test_multi_megabyte_fields_round_trip(bucket, s3_requests, monkeypatch, size, operation):
    text = big_text(size)
    reference = jumbo.encode(text, "input")
    assert operation in [op for op, _ in s3_requests]

    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE", "0")
    forget_memory()
    assert jumbo.decode(reference) == text
    assert gets(s3_requests) == 1


def test_field_over_the_jumbo_maximum_is_refused_before_any_upload(bucket, s3_requests, monkeypatch):
    monkeypatch.setattr(_fields, "MAX_JUMBO_SIZE", 40_000)
    with pytest.raises(jumbo.JumboFieldTooLarge, match=r"input is 50000 bytes, over the jumbo field limit of 40000"):
        jumbo.encode("x" * 50_000, "input")
    assert s3_requests == []


def test_reference_too_long_for_the_field_is_refused_before_any_upload(bucket, s3_requests, monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", f"{bucket}/{'p' * 250}")
    with pytest.raises(jumbo.JumboFieldTooLarge, match="shorten SIMPLEFLOW_JUMBO_FIELDS_BUCKET"):
        jumbo.encode("r" * 300, "reason")
    assert s3_requests == []


def test_malformed_reference_is_a_value_error():
    with pytest.raises(ValueError, match="malformed jumbo field reference"):
        jumbo.decode("simpleflow+s3://bucket-without-key 12")


@pytest.mark.parametrize(
    "size",
    ["\u00b2", "\u0661\u0662", "9" * 5000, "-1", ""],
    ids=["superscript", "arabic", "5000-digits", "minus", "none"],
)
def test_a_reference_whose_size_is_no_number_is_malformed(size):
    """A size ``str.isdigit`` took and ``int`` refused was a plain ValueError: a decider reading it failed its
    decision task at the poll, which came back for ever, instead of failing the execution once."""
    with pytest.raises(jumbo.JumboFieldInvalid, match="malformed jumbo field reference") as raised:
        jumbo.decode(f"simpleflow+s3://bucket/key {size}")
    assert raised.value.code == "Malformed"


def test_many_decodes_of_one_reference_fetch_it_from_s3_once(bucket, s3_requests, tmp_path, monkeypatch):
    text = big_text(100_000)
    reference = jumbo.encode(text, "result")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "empty-cache"))
    forget_memory()

    assert all(jumbo.decode(reference) == text for _ in range(50))
    events = [
        {"eventType": "ActivityTaskCompleted", "activityTaskCompletedEventAttributes": {"result": reference}}
        for _ in range(50)
    ]
    jumbo.decode_events(events)
    assert all(event["activityTaskCompletedEventAttributes"]["result"] == text for event in events)
    assert gets(s3_requests) == 1


def test_memory_cache_off_still_reads_s3_once_through_the_disk_cache(bucket, s3_requests, tmp_path, monkeypatch):
    reference = jumbo.encode(big_text(100_000), "result")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE", "0")
    forget_memory()
    for _ in range(5):
        jumbo.decode(reference)
    assert gets(s3_requests) == 1


def test_write_fills_the_disk_cache_that_a_new_process_reads(bucket, tmp_path):
    text = big_text(200_000)
    reference = jumbo.encode(text, "input")
    key = reference[len(f"simpleflow+s3://{bucket}/") :].split()[0]
    boto3.client("s3").delete_object(Bucket=bucket, Key=key)  # only the cache has it now

    code = "import sys; from simpleflow.jumbo import decode; sys.stdout.write(decode(sys.argv[1]))"
    child = subprocess.run(
        [sys.executable, "-c", code, reference], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert child.stdout == text


@pytest.mark.parametrize("variable", ["SIMPLEFLOW_JUMBO_FIELDS_CACHE", "SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE"])
def test_disk_cache_can_be_turned_off(bucket, s3_requests, tmp_path, monkeypatch, variable):
    """A size of 0 wrote each object to the disk cache, then evicted it: work for nothing."""
    monkeypatch.setenv(variable, "0")
    reference = jumbo.encode(big_text(100_000), "input")
    forget_memory()
    for _ in range(5):
        jumbo.decode(reference)
    assert not (tmp_path / "cache").exists()
    assert gets(s3_requests) == 1  # the memory cache still holds it


def test_bad_cache_size_is_reported_with_the_variable(bucket, monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE", "1GB")
    with pytest.raises(ValueError, match="SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE='1GB'"):
        jumbo.decode(jumbo.PREFIX + f"{bucket}/jumbo/whatever 10")


@pytest.mark.parametrize("damage", ["truncate", "same-length", "delete"])
def test_damaged_cache_file_is_fetched_again_and_repaired(bucket, s3_requests, tmp_path, damage):
    text = big_text(100_000)
    reference = jumbo.encode(text, "result")
    forget_memory()
    (value_file,) = cache_value_files(tmp_path / "cache")
    if damage == "truncate":
        value_file.write_bytes(value_file.read_bytes()[:1000])
    elif damage == "same-length":
        value_file.write_bytes(b"y" * value_file.stat().st_size)
    else:
        value_file.unlink()

    assert jumbo.decode(reference) == text
    assert gets(s3_requests) == 1
    forget_memory()
    assert jumbo.decode(reference) == text
    assert gets(s3_requests) == 1  # the entry was written back whole


def test_corrupt_cache_database_is_not_fatal(bucket, s3_requests, tmp_path):
    text = big_text(100_000)
    reference = jumbo.encode(text, "result")
    forget_memory()
    (tmp_path / "cache" / "cache.db").write_bytes(b"this is not a sqlite database" * 100)

    assert jumbo.decode(reference) == text
    assert gets(s3_requests) == 1


@pytest.mark.parametrize("key", ["../../escape", "/tmp/escape", "a/../../../escape"])
def test_s3_key_cannot_place_cache_files_outside_the_cache_dir(bucket, s3_requests, tmp_path, key):
    text = big_text(50_000)
    key = f"jumbo/{key}"  # under the jumbo fields prefix, where references are read
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=text.encode())
    before = set(tmp_path.rglob("*")) | set(Path("/tmp").glob("escape*"))

    assert jumbo.decode(f"simpleflow+s3://{bucket}/{key} {len(text.encode())}") == text

    created = (set(tmp_path.rglob("*")) | set(Path("/tmp").glob("escape*"))) - before
    cache_dir = tmp_path / "cache"
    assert created and all(path == cache_dir or cache_dir in path.parents for path in created)
    assert not any("escape" in str(path) for path in created)
    forget_memory()
    assert jumbo.decode(f"simpleflow+s3://{bucket}/{key} {len(text.encode())}") == text
    assert gets(s3_requests) == 1  # and the entry is found again under its derived key


def test_reference_giving_length_in_characters_is_served_from_the_disk_cache(bucket, s3_requests):
    # simpleflow 0.36 writes the length in characters, not bytes.
    text = big_text(50_000)
    boto3.client("s3").put_object(Bucket=bucket, Key="jumbo/peer/object", Body=text.encode())
    reference = f"simpleflow+s3://{bucket}/jumbo/peer/object {len(text)}"
    assert jumbo.decode(reference) == text
    forget_memory()
    assert jumbo.decode(reference) == text
    assert gets(s3_requests) == 1


def test_memory_lru_keeps_within_its_budget_dropping_the_least_recently_used():
    lru = _cache._MemoryLRU(budget=30)
    lru.put("a", "a" * 10, 10)
    lru.put("b", "b" * 10, 10)
    lru.put("c", "c" * 10, 10)
    assert lru.get("a") == "a" * 10  # a is now the most recently used
    lru.put("d", "d" * 10, 10)
    lru.put("huge", "h" * 31, 31)
    assert [lru.get(k) is not None for k in "abcd"] == [True, False, True, True]
    assert lru.get("huge") is None and lru.used == 30


def test_decode_events_replaces_references_in_event_attributes_in_place(bucket):
    big = {name: big_text(40_000) + name for name in ("input", "control", "result", "details", "marker", "signal")}
    reason = "boom " * 100
    ref = {name: jumbo.encode(text, "input") for name, text in big.items()}
    ref_reason = jumbo.encode(reason, "reason")
    events = [
        {"eventId": 1, "eventType": "WorkflowExecutionStarted", "workflowExecutionStartedEventAttributes": {}},
        {
            "eventId": 2,
            "eventType": "ActivityTaskScheduled",
            "activityTaskScheduledEventAttributes": {"input": ref["input"], "control": ref["control"]},
        },
        {"eventId": 3, "eventType": "ActivityTaskCompleted", "activityTaskCompletedEventAttributes": {"result": "1"}},
        {
            "eventId": 4,
            "eventType": "ActivityTaskFailed",
            "activityTaskFailedEventAttributes": {"reason": ref_reason, "details": ref["details"]},
        },
        {"eventId": 5, "eventType": "MarkerRecorded", "markerRecordedEventAttributes": {"details": ref["marker"]}},
        {"eventId": 6, "eventType": "WorkflowExecutionSignaled", "workflowExecutionSignaledEventAttributes": {}},
        {
            "eventId": 7,
            "eventType": "ChildWorkflowExecutionCompleted",
            "childWorkflowExecutionCompletedEventAttributes": {"result": ref["result"]},
        },
        {
            "eventId": 8,
            "eventType": "WorkflowExecutionSignaled",
            "workflowExecutionSignaledEventAttributes": {"input": ref["signal"], "signalName": ref["signal"]},
        },
        {"eventId": 9, "eventType": "DecisionTaskScheduled"},
    ]

    # With copy=True the events keep their references (a local history stays SWF-shaped).
    copies = jumbo.decode_events(events, copy=True)
    assert copies is not events and copies[2] is events[2]
    assert copies[1]["activityTaskScheduledEventAttributes"]["input"] == big["input"]
    assert events[1]["activityTaskScheduledEventAttributes"]["input"] == ref["input"]

    assert jumbo.decode_events(events) is events
    assert events[1]["activityTaskScheduledEventAttributes"] == {"input": big["input"], "control": big["control"]}
    assert events[2]["activityTaskCompletedEventAttributes"] == {"result": "1"}
    assert events[3]["activityTaskFailedEventAttributes"] == {"reason": reason, "details": big["details"]}
    assert events[4]["markerRecordedEventAttributes"]["details"] == big["marker"]
    assert events[6]["childWorkflowExecutionCompletedEventAttributes"]["result"] == big["result"]
    assert events[7]["workflowExecutionSignaledEventAttributes"]["input"] == big["signal"]
    # Only the free-text fields are decoded, never names or ids.
    assert events[7]["workflowExecutionSignaledEventAttributes"]["signalName"] == ref["signal"]


def test_encode_decisions_moves_only_oversize_fields_to_s3(bucket):
    big = big_text(40_000)
    decisions = [
        {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {"activityId": "a-1", "input": big, "control": "{}"},
        },
        {
            "decisionType": "FailWorkflowExecution",
            "failWorkflowExecutionDecisionAttributes": {"reason": "r" * 300, "details": big + "!"},
        },
        {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": "m", "details": big + "m"}},
        {
            "decisionType": "SignalExternalWorkflowExecution",
            "signalExternalWorkflowExecutionDecisionAttributes": {"signalName": "s", "input": big + "s"},
        },
        {"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {"result": "3"}},
        {"decisionType": "StartTimer", "startTimerDecisionAttributes": {"timerId": "t", "control": big + "t"}},
        {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": "t"}},
    ]

    assert jumbo.encode_decisions(decisions) is decisions
    schedule = decisions[0]["scheduleActivityTaskDecisionAttributes"]
    fail = decisions[1]["failWorkflowExecutionDecisionAttributes"]
    marker = decisions[2]["recordMarkerDecisionAttributes"]
    signal = decisions[3]["signalExternalWorkflowExecutionDecisionAttributes"]
    timer = decisions[5]["startTimerDecisionAttributes"]
    assert schedule["activityId"] == "a-1" and schedule["control"] == "{}"
    assert decisions[4]["completeWorkflowExecutionDecisionAttributes"] == {"result": "3"}
    encoded = [schedule["input"], fail["reason"], fail["details"], marker["details"], signal["input"], timer["control"]]
    assert all(jumbo.is_jumbo(value) and len(value) < 256 for value in encoded)
    assert [jumbo.decode(value) for value in encoded] == [big, "r" * 300, big + "!", big + "m", big + "s", big + "t"]


def test_encode_decisions_without_bucket_raises_for_the_oversize_field(monkeypatch):
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)
    decisions = [
        {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": "x" * 40_000},
        }
    ]
    with pytest.raises(jumbo.JumboFieldTooLarge, match="result is 40000 characters"):
        jumbo.encode_decisions(decisions)


def test_forked_process_builds_its_own_client_and_caches(bucket):
    text = big_text(50_000)
    reference = jumbo.encode(text, "input")
    parent_client, parent_caches = _s3.client(), _cache._current()
    boto3.client("s3").put_object(Bucket=bucket, Key="jumbo/fork/cold", Body=text.encode())

    pid = os.fork()
    if pid == 0:  # the child: report through the exit code, never return into pytest
        ok = (
            _s3.client() is not parent_client
            and _cache._current() is not parent_caches
            and jumbo.decode(reference) == text
            and jumbo.decode(f"simpleflow+s3://{bucket}/jumbo/fork/cold {len(text.encode())}") == text
        )
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _s3.client() is parent_client


def test_a_failure_stored_as_jumbo_fields_reaches_the_workflow_as_text(bucket):
    """Hosts decode the history before the engine folds it: the TaskFailed a workflow catches holds the text."""
    from simpleflow import Workflow, activity
    from simpleflow.engine import decode_events, replay
    from tests.history_builder import HistoryBuilder

    @activity.with_attributes(task_list="tl")
    def flaky():
        pass

    class CatchesFailure(Workflow):
        name = "catches"

        def run(self):
            error = self.submit(flaky).exception
            return [type(error).__name__, error.reason, error.details]

    reason, details = big_text(300), big_text(40_000)
    reason_ref, details_ref = jumbo.encode(reason, "reason"), jumbo.encode(details, "details")
    assert reason_ref.startswith("simpleflow+s3://") and details_ref.startswith("simpleflow+s3://")
    history = HistoryBuilder("catches")
    history.decision_completed(history.decision_started())
    scheduled = history.schedule_activity(f"activity-{flaky.name}-1", flaky.name)
    history.fail_activity(scheduled, reason=reason_ref)
    history.attributes(history.events[-1]["eventId"])["details"] = details_ref
    history.decision_started()
    [decision] = replay(CatchesFailure, decode_events(history.events))
    result = json.loads(decision["completeWorkflowExecutionDecisionAttributes"]["result"])
    assert result == ["TaskFailed", reason, details]


def test_a_reference_outside_the_jumbo_fields_bucket_is_not_read(bucket, s3_requests, monkeypatch):
    """A reference is data (whoever starts an execution writes its input): followed anywhere, it would read
    any object the process's credentials reach, and the web view would show it."""
    private = f"private-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=private)
    s3.put_object(Bucket=private, Key="prod/creds.json", Body=b'{"password": "x"}')
    s3.put_object(Bucket=bucket, Key="elsewhere/creds.json", Body=b'{"password": "x"}')
    for reference, location in [
        (f"simpleflow+s3://{private}/prod/creds.json 17", f"={bucket}/jumbo"),
        (f"simpleflow+s3://{bucket}/elsewhere/creds.json 17", f"={bucket}/jumbo"),  # the bucket, not the prefix
        (f"simpleflow+s3://{bucket}/jumbo-not/creds.json 17", f"={bucket}/jumbo"),
    ]:
        with pytest.raises(
            jumbo.JumboFieldInvalid, match=f"is outside SIMPLEFLOW_JUMBO_FIELDS_BUCKET{location}"
        ) as refused:
            jumbo.decode(reference)
        assert refused.value.code == "OutsideBucket"
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET")
    with pytest.raises(jumbo.JumboFieldInvalid, match="SIMPLEFLOW_JUMBO_FIELDS_BUCKET is not set"):
        jumbo.decode(f"simpleflow+s3://{bucket}/jumbo/k 10")
    assert gets(s3_requests) == 0  # refused before any request
    event = {
        "eventId": 1,
        "eventType": "WorkflowExecutionStarted",
        "workflowExecutionStartedEventAttributes": {"input": f"simpleflow+s3://{private}/prod/creds.json 17"},
    }
    (shown,) = jumbo.decode_events([event], keep_unavailable=True)  # as inspection and the web view read
    assert shown["workflowExecutionStartedEventAttributes"]["input"] == f"simpleflow+s3://{private}/prod/creds.json 17"
