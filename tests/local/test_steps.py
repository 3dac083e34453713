"""Steps (simpleflow.step) and the S3 helpers (simpleflow.storage), locally against the dev server's S3."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest

from simpleflow import Workflow, storage
from simpleflow.canvas import Group
from simpleflow.local import LocalExecution
from simpleflow.step import utils
from simpleflow.step.submittable import Step
from tests.fixtures.step_workflows import StepFeaturesWorkflow, double


@pytest.fixture
def step_bucket(moto_server, monkeypatch):
    """A fresh bucket the steps of this test go to (STEP_BUCKET)."""
    name = f"steps-{uuid.uuid4().hex[:10]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("STEP_BUCKET", name)
    return name


def _keys(bucket: str) -> list[str]:
    return sorted(o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket).get("Contents", []))


def _run(workflow, workflow_id, **kwargs):
    done = LocalExecution(workflow, {"args": [], "kwargs": kwargs}, workflow_id=workflow_id).execute()
    assert done.status == "completed", done.reason
    return done


def _step_markers(events) -> list[dict]:
    attrs = [e.get("markerRecordedEventAttributes") for e in events if e["eventType"] == "MarkerRecorded"]
    return [json.loads(a["details"]) for a in attrs if a["markerName"] == "log.step"]


def _signals(events) -> list[str]:
    return [
        e["workflowExecutionSignaledEventAttributes"]["signalName"]
        for e in events
        if e["eventType"] == "WorkflowExecutionSignaled"
    ]


# --- which steps run ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "patterns", "forced"),
    [
        ("a.b.c", ["a"], True),
        ("a.b.c", ["a.b"], True),
        ("a.b.c", ["a.b.c"], True),
        ("a.b.c", ["*"], True),
        ("a.bc", ["a.b"], False),  # a parent is a whole dotted part, not a prefix of characters
        ("a", ["a.b"], False),
        ("b", [], False),
    ],
)
def test_forcing_a_name_forces_it_and_everything_under_it(name, patterns, forced):
    assert utils.should_force_step(name, patterns) is forced


def test_forcing_wins_over_skipping_and_done_steps_are_skipped_otherwise():
    assert utils.step_will_run("a.b", ["a"], ["*"], ["a.b"]) is True
    assert utils.step_will_run("a.b", [], ["a"], []) is False
    assert utils.step_will_run("a.b", [], [], ["a.b"]) is False
    assert utils.step_will_run("a.b", [], [], ["a"]) is True  # only the exact name counts as done
    assert utils.step_will_run("a.b", [], ["*"], [], force=True) is True


def test_reasons_are_gathered_from_every_pattern_covering_the_step():
    reasons = {"a": {"two", "one"}, "a.b": {"three"}, "c": {"no"}}
    assert utils.get_step_force_reasons("a.b.c", reasons) == ["one", "two", "three"]


# --- the example, run after run ----------------------------------------------------------------


def test_a_step_done_by_an_execution_is_skipped_by_the_next_one_with_the_same_id(step_bucket):
    from examples.steps import PipelineWorkflow

    first = _run(PipelineWorkflow, "nightly")
    assert first.result == dict.fromkeys(["extract", "load", "transform.clean", "transform.enrich"], "played")
    prefix = "nightly/steps/"
    assert _keys(step_bucket) == [prefix + n for n in ("extract", "load", "transform.clean", "transform.enrich")]
    content = json.loads(boto3.client("s3").get_object(Bucket=step_bucket, Key=prefix + "load")["Body"].read())
    assert content == {"run_id": first.run_id, "workflow_id": "nightly", "version": "1.0"}
    statuses = [(m["step"], m["status"]) for m in _step_markers(first.events)]
    assert statuses[:2] == [("extract", "scheduled"), ("extract", "completed")]

    second = _run(PipelineWorkflow, "nightly")
    assert set(second.result.values()) == {"skipped"}
    assert all(m["reasons"] == ["Step was already played"] and not m["forced"] for m in _step_markers(second.events))
    activities = [
        e["activityTaskScheduledEventAttributes"]["activityType"]["name"]
        for e in second.events
        if e["eventType"] == "ActivityTaskScheduled"
    ]
    assert activities == ["simpleflow.step.tasks.GetStepsDoneTask"]  # listed once, nothing else runs

    other = _run(PipelineWorkflow, "another-id")  # another workflow id has steps of its own
    assert set(other.result.values()) == {"played"}


def test_forcing_a_parent_replays_its_children_with_the_reason_in_the_markers(step_bucket):
    from examples.steps import PipelineWorkflow

    _run(PipelineWorkflow, "wf")
    again = _run(PipelineWorkflow, "wf", force_steps=["transform"])
    assert again.result == {
        "extract": "skipped",
        "transform.clean": "played",
        "transform.enrich": "played",
        "load": "skipped",
    }
    clean = [m for m in _step_markers(again.events) if m["step"] == "transform.clean"]
    assert clean[0] == {"step": "transform.clean", "status": "scheduled", "forced": True, "reasons": ["asked at start"]}


def test_skipping_everything_but_forcing_one_step(step_bucket):
    from examples.steps import PipelineWorkflow

    done = _run(PipelineWorkflow, "fresh", skip_steps=["*"], force_steps=["load"])
    assert done.result == {
        "extract": "skipped",
        "transform.clean": "skipped",
        "transform.enrich": "skipped",
        "load": "played",
    }
    skipped = [m for m in _step_markers(done.events) if m["step"] == "extract"]
    assert skipped == [{"step": "extract", "status": "skipped", "forced": True, "reasons": ["asked at start"]}]
    assert _keys(step_bucket) == ["fresh/steps/load"]


def test_a_played_step_forces_the_steps_it_names(step_bucket):
    from examples.steps import PipelineWorkflow

    _run(PipelineWorkflow, "deps")
    again = _run(PipelineWorkflow, "deps", force_steps=["extract"])
    assert again.result["transform.clean"] == again.result["transform.enrich"] == "played"
    assert again.result["load"] == "skipped"
    enrich = [m for m in _step_markers(again.events) if m["step"] == "transform.enrich"][0]
    assert enrich["forced"] and enrich["reasons"] == ["Dep of extract"]


def test_a_step_with_emit_signal_sends_step_name_whether_played_or_skipped(step_bucket):
    from examples.steps import PipelineWorkflow

    assert _signals(_run(PipelineWorkflow, "sig").events) == ["step.load"]
    assert _signals(_run(PipelineWorkflow, "sig").events) == ["step.load"]


# --- alternatives, canvases and failures -----------------------------------------------------


def test_a_skipped_step_runs_its_alternative_and_steps_nest_in_groups(step_bucket):
    first = _run(StepFeaturesWorkflow, "features")
    steps_done, (scheduled, played, marked_done, completed) = first.result["first"]
    assert (steps_done, played, marked_done) == ([], [2], None)
    assert (scheduled["status"], completed["status"]) == ("scheduled", "completed")
    assert "features/steps/grouped.a" in _keys(step_bucket) and "features/steps/grouped.b" in _keys(step_bucket)
    second = _run(StepFeaturesWorkflow, "features")
    steps_done, (alternative_result, skipped) = second.result["first"]
    assert (steps_done, alternative_result, skipped["status"]) == (
        ["first", "grouped.a", "grouped.b", "signalled"],
        [-1],
        "skipped",
    )
    assert _signals(first.events) == [] and _signals(second.events) == ["DONE"]
    names = [
        e["activityTaskScheduledEventAttributes"]["activityType"]["name"]
        for e in second.events
        if e["eventType"] == "ActivityTaskScheduled"
    ]
    assert "tests.fixtures.step_workflows.alternative" in names
    assert "tests.fixtures.step_workflows.double" not in names


def test_a_failure_inside_a_step_leaves_it_undone_and_bubbles_only_when_asked(step_bucket):
    quiet = _run(StepFeaturesWorkflow, "fails", bubbles=False)
    assert quiet.result["failing_exception"] is None
    assert "fails/steps/failing" not in _keys(step_bucket)  # not marked done: the next run tries again
    loud = _run(StepFeaturesWorkflow, "fails", bubbles=True)
    assert "broken 4" in loud.result["failing_exception"]
    failing = [m for m in _step_markers(loud.events) if m["step"] == "failing"]
    assert [m["status"] for m in failing] == ["scheduled"]


# --- simpleflow.storage ----------------------------------------------------------------------


def test_storage_pushes_pulls_and_lists_contents_and_files(step_bucket, tmp_path):
    storage.push_content(step_bucket, "dir/a.txt", "héllo", content_type="text/plain")
    source = tmp_path / "b.bin"
    source.write_bytes(b"\x00\x01")
    storage.push(step_bucket, "dir/b.bin", str(source))
    storage.push_content(step_bucket, "other/c", "c")
    assert storage.pull_content(step_bucket, "dir/a.txt") == "héllo"
    storage.pull(step_bucket, "dir/b.bin", str(tmp_path / "copy.bin"))
    assert (tmp_path / "copy.bin").read_bytes() == b"\x00\x01"
    assert [o.key for o in storage.list_keys(step_bucket, "dir/")] == ["dir/a.txt", "dir/b.bin"]
    assert len(storage.list_keys(step_bucket)) == 3
    head = boto3.client("s3").head_object(Bucket=step_bucket, Key="dir/a.txt")
    assert head["ContentType"] == "text/plain"


def test_storage_accepts_host_slash_bucket_and_uses_the_configured_endpoint(step_bucket):
    storage.push_content(f"s3-eu-west-1.amazonaws.com/{step_bucket}", "k", "v")
    assert storage.pull_content(step_bucket, "k") == "v"
    with pytest.raises(ValueError, match="one slash at most"):
        storage.sanitize_bucket_and_host("host/bucket/extra")


def test_storage_asks_for_server_side_encryption_when_set(step_bucket, monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_S3_SSE", "true")
    storage.push_content(step_bucket, "secret", "x")
    assert boto3.client("s3").head_object(Bucket=step_bucket, Key="secret")["ServerSideEncryption"] == "AES256"


def test_a_host_that_is_not_aws_is_refused_without_a_configured_endpoint(monkeypatch):
    for name in storage.ENDPOINT_ENVS:
        monkeypatch.delenv(name, raising=False)
    for host in ("example.com", "qa-attacker-amazonaws.com", "x.com#.amazonaws.com", "x.com?.amazonaws.com", ""):
        with pytest.raises(ValueError, match=r"should be an \*\.amazonaws\.com name"):
            storage.sanitize_bucket_and_host(f"{host}/bucket")
    assert storage.sanitize_bucket_and_host("s3-eu-west-1.amazonaws.com/b") == ("b", "s3-eu-west-1.amazonaws.com")
    assert storage.sanitize_bucket_and_host("amazonaws.com/b") == ("b", "amazonaws.com")


def test_the_step_activities_touch_only_the_workers_step_bucket(step_bucket):
    """Their bucket comes from the task's input: another one (any the worker's credentials reach) is refused."""
    from simpleflow.step.tasks import GetStepsDoneTask, MarkStepDoneTask

    other = f"other-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=other)
    s3.put_object(Bucket=other, Key="tool", Body=b"the real tool")
    for task in (MarkStepDoneTask(other, "", "tool"), GetStepsDoneTask(other, "")):
        with pytest.raises(ValueError, match=f"step bucket '{other}' is not this worker's STEP_BUCKET"):
            task.execute()
    assert s3.get_object(Bucket=other, Key="tool")["Body"].read() == b"the real tool"
    MarkStepDoneTask(f"s3.amazonaws.com/{step_bucket}", "w/steps/", "done").execute()  # the mixin's host/bucket form
    assert GetStepsDoneTask(step_bucket, "w/steps/").execute() == ["done"]


def test_the_step_activities_refuse_the_workers_bucket_name_behind_another_host(step_bucket):
    """The host is where the worker sends requests signed with its credentials: the task's input cannot choose it."""
    from simpleflow.step.tasks import GetStepsDoneTask, MarkStepDoneTask

    for location in (f"qa-attacker-amazonaws.com/{step_bucket}", f"s3-eu-west-1.amazonaws.com/{step_bucket}"):
        for task in (MarkStepDoneTask(location, "w/steps/", "planted"), GetStepsDoneTask(location, "w/steps/")):
            with pytest.raises(ValueError, match=f"step bucket '{location}' is not this worker's STEP_BUCKET"):
                task.execute()
    assert _keys(step_bucket) == []  # the configured endpoint would have taken it to this very bucket


def test_a_missing_step_bucket_fails_the_task_once_in_one_line_naming_it(moto_server, monkeypatch):
    """NoSuchBucket comes again on any try: the step task fails at once (it was retried), its reason says which."""
    from simpleflow.exceptions import DataError
    from simpleflow.step.tasks import GetStepsDoneTask, MarkStepDoneTask

    missing = f"missing-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("STEP_BUCKET", missing)
    for task in (GetStepsDoneTask(missing, "w/steps/"), MarkStepDoneTask(missing, "w/steps/", "s")):
        with pytest.raises(DataError, match=f"^step bucket '{missing}': NoSuchBucket \\(create it, or set STEP_BUCKET"):
            task.execute()
    done = LocalExecution(StepFeaturesWorkflow, {"args": [], "kwargs": {}}, workflow_id="w").execute()
    assert done.status == "failed"
    assert f"DataError: step bucket 's3.amazonaws.com/{missing}': NoSuchBucket" in done.reason
    scheduled = [e for e in done.events if e["eventType"] == "ActivityTaskScheduled"]
    assert len(scheduled) == 1  # not retried


def test_a_transient_s3_fault_is_raised_as_it_is_for_the_step_tasks_retry(monkeypatch):
    from botocore.exceptions import ClientError

    from simpleflow.step.tasks import GetStepsDoneTask

    monkeypatch.setenv("STEP_BUCKET", "b")

    def slow_down(bucket, path):
        raise ClientError({"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "ListObjects")

    monkeypatch.setattr(storage, "list_keys", slow_down)
    with pytest.raises(ClientError, match="SlowDown"):
        GetStepsDoneTask("b", "w/steps/").execute()


class _NoMixin(Workflow):
    name = "no-mixin"
    version = "1"
    task_list = "steps"

    def run(self):
        return self.submit(Step("a", Group((double, 1)))).result


def test_a_step_in_a_workflow_without_the_mixin_says_so():
    """It failed with AttributeError: 'NoMixin' object has no attribute 'get_steps_done_activity'."""
    done = LocalExecution(_NoMixin, {"args": [], "kwargs": {}}).execute()
    assert done.status == "failed"
    assert "TypeError(step 'a': _NoMixin needs simpleflow.step.workflow.WorkflowStepMixin among its" in done.reason
