"""simpleflow.metrology: steps timed and counted, written to the metrology bucket, gathered once closed."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import quote_plus

import boto3
import pytest

from simpleflow import metrology, settings, storage
from simpleflow.local import LocalExecution
from tests.fixtures.metrology_workflows import MyMetrologyTask, MyWorkflow


def test_the_settings_defaults_are_the_original_s(monkeypatch):
    for name in ("METROLOGY_BUCKET", "METROLOGY_PATH_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    assert (settings.METROLOGY_BUCKET, settings.METROLOGY_PATH_PREFIX) == ("metrology_bucket", None)


def test_a_step_is_timed_and_its_rates_computed():
    task = MyMetrologyTask.callable(3)  # the class itself (calling the activity would run it)
    with task.step("work") as step:
        step.read.records = 100
        step.write.bytes = 1024 * 1024
        time.sleep(0.05)
    stats = task.get_stats()["steps"][0]
    assert stats["name"] == "work" and 0.05 <= stats["time_total"] < 1
    assert stats["read"]["records"] == 100 and 100 <= stats["read"]["rec_s"] <= 2000
    assert stats["write"]["mb_s"] == round(1 / stats["time_total"], 2) and stats["write"]["rec_s"] is None
    assert not task.can_upload()  # no context: nowhere to write, nothing written
    task.upload_stats()


@pytest.fixture
def metrology_bucket(moto_server, monkeypatch):
    name = f"metrology-{uuid.uuid4().hex[:10]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("METROLOGY_BUCKET", name)
    monkeypatch.setenv("METROLOGY_PATH_PREFIX", "runs")
    return name


def test_a_workflow_s_activities_write_their_statistics_and_the_workflow_gathers_them(metrology_bucket):
    execution = LocalExecution(MyWorkflow, {"args": [1], "kwargs": {}})
    result = execution.execute()
    assert (result.status, result.result) == ("completed", 1)
    started = result.events[0]
    workflow_id = execution.run.info.workflow_id
    run_id = execution.run.info.run_id
    base = f"runs/{quote_plus(workflow_id)}/{quote_plus(run_id)}"
    activity_id = next(
        e["activityTaskScheduledEventAttributes"]["activityId"]
        for e in result.events
        if e["eventType"] == "ActivityTaskScheduled"
    )
    own = json.loads(storage.pull_content(metrology_bucket, f"{base}/activity.{activity_id}.json"))
    assert own["meta"] == "foo bar"
    assert (own["steps"][0]["name"], own["steps"][0]["read"]["records"], own["steps"][0]["metadata"]) == (
        "Step1",
        1,
        {"num": 1},
    )
    gathered = json.loads(storage.pull_content(metrology_bucket, f"{base}/metrology.json"))
    [[task_id, record]] = gathered
    assert task_id == activity_id and record["metrology"] == own
    assert started["eventType"] == "WorkflowExecutionStarted"


def test_metrology_names_are_the_original_s():
    assert {"MetrologyTask", "MetrologyWorkflow", "Step", "StepExecution", "StepIO"} <= set(dir(metrology))
