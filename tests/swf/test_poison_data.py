"""Data that can never be used fails its execution or its task once, with a reason naming the field and the problem.

Against the test server's SWF and S3: an execution input nested 3,000 deep, an activity result (from a
worker that is not ours) nested as deep, jumbo field references to objects that are not UTF-8, and activity
inputs of both kinds sent by a decider that is not ours. Before, the decider raised on each of them and left
the decision task to time out and come back for ever, and the worker logged a traceback and let the task
time out.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import boto3
import pytest

from simpleflow import jumbo
from simpleflow.swf import client
from simpleflow.swf.decider import Decider, RunCache
from simpleflow.swf.worker import Worker
from tests.fixtures import jumbo_workflows as wf
from tests.swf_e2e_helpers import attributes, simpleflow_here

DEEP = "[" * 3000 + "]" * 3000
NOT_UTF8 = b'["caf\xe9"]'  # Latin-1, as a file written by another tool might be
ECHO = "tests.fixtures.jumbo_workflows.echo"


@pytest.fixture
def bucket(moto_server, monkeypatch, tmp_path):
    name = f"poison-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


def put_reference(bucket: str, body: bytes) -> str:
    """A jumbo field reference to a new object holding *body*; its size as the reference says it."""
    key = f"poison/{uuid.uuid4()}"
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body)
    return f"{jumbo.PREFIX}{bucket}/{key} {len(body)}"


def start(domain: str, task_list: str, input_text: str, workflow: type = wf.InputSize) -> dict[str, str]:
    """Start an execution of *workflow* with *input_text* as SWF holds it (no simpleflow encoding on the way)."""
    client.ensure_workflow_type(
        domain,
        workflow.name,
        workflow.version,
        default_task_list=task_list,
        default_execution_start_to_close_timeout="300",
        default_task_start_to_close_timeout="30",
        default_child_policy="TERMINATE",
    )
    workflow_id = f"poison-{uuid.uuid4().hex[:8]}"
    run = client.swf_client().start_workflow_execution(
        domain=domain,
        workflowId=workflow_id,
        workflowType={"name": workflow.name, "version": workflow.version},
        taskList={"name": task_list},
        input=input_text,
    )
    return {"workflowId": workflow_id, "runId": run["runId"]}


def history(domain: str, execution: dict[str, str]) -> list[dict]:
    return client.get_history(domain, execution["workflowId"], execution["runId"])


def closing(domain: str, execution: dict[str, str]) -> tuple[str, dict]:
    event = history(domain, execution)[-1]
    return event["eventType"], attributes(event)


def decide_once(domain: str, task_list: str, workflows: list[type]) -> Decider:
    decider = Decider(domain, task_list, workflows, cache=RunCache(), sticky_timeout=0)
    assert decider.poll_once(), "no decision task"
    return decider


# -- the decider ------------------------------------------------------------------------------------------


def test_an_execution_input_nested_3000_deep_fails_the_execution_at_its_first_decision(swf_domain):
    task_list = f"d-{uuid.uuid4().hex[:8]}"
    execution = start(swf_domain, task_list, '{"args": [], "kwargs": {}, "y": ' + DEEP + "}")

    decide_once(swf_domain, task_list, [wf.InputSize])

    event_type, attrs = closing(swf_domain, execution)
    assert event_type == "WorkflowExecutionFailed", (event_type, attrs)
    assert attrs["reason"] == (
        "Cannot read the history: input of event 1 (WorkflowExecutionStarted): JSON nested more than 256 levels deep"
    )
    decided = [e for e in history(swf_domain, execution) if e["eventType"] == "DecisionTaskCompleted"]
    assert len(decided) == 1


def test_an_execution_input_of_the_wrong_shape_fails_the_execution_saying_what_it_must_look_like(swf_domain):
    task_list = f"d-{uuid.uuid4().hex[:8]}"
    execution = start(swf_domain, task_list, '{"args": 5, "kwargs": {}}')

    decide_once(swf_domain, task_list, [wf.InputSize])

    event_type, attrs = closing(swf_domain, execution)
    assert event_type == "WorkflowExecutionFailed", (event_type, attrs)
    assert attrs["reason"].startswith(
        'Cannot read the history: input of event 1 (WorkflowExecutionStarted): "args" must be a list, not the '
        "number 5; the input is a JSON list of positional arguments"
    ), attrs["reason"]


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize("given", [{"args": 5, "kwargs": {}}, {"args": [nested(300)], "kwargs": {}}])
def test_the_local_host_fails_such_an_execution_with_the_reason_the_decider_gives(swf_domain, given):
    from simpleflow.local import LocalExecution

    task_list = f"d-{uuid.uuid4().hex[:8]}"
    execution = start(swf_domain, task_list, json.dumps(given))
    decide_once(swf_domain, task_list, [wf.InputSize])
    swf_type, swf_attrs = closing(swf_domain, execution)

    local = LocalExecution(wf.InputSize, given).execute()

    assert (swf_type, local.status) == ("WorkflowExecutionFailed", "failed")
    assert local.reason == swf_attrs["reason"] and local.reason.startswith("Cannot read the history: input of event 1")


def test_an_execution_input_in_a_jumbo_object_that_is_not_utf8_fails_the_execution_naming_it(swf_domain, bucket):
    task_list = f"d-{uuid.uuid4().hex[:8]}"
    reference = put_reference(bucket, NOT_UTF8)
    location = reference[len(jumbo.PREFIX) :].split(" ")[0]
    execution = start(swf_domain, task_list, reference)

    decide_once(swf_domain, task_list, [wf.InputSize])

    event_type, attrs = closing(swf_domain, execution)
    assert event_type == "WorkflowExecutionFailed", (event_type, attrs)
    assert attrs["reason"].startswith(
        f"Cannot read the history: input of event 1 (WorkflowExecutionStarted): jumbo field s3://{location} "
        "is not UTF-8 text"
    ), attrs["reason"]


@pytest.mark.parametrize("poison", ["deep", "not utf-8"])
def test_an_activity_result_that_cannot_be_read_fails_the_execution_naming_the_event(swf_domain, bucket, poison):
    """A result written by a worker that is not ours: the decider reads it once, and fails the execution."""
    task_list, activity_list = f"d-{uuid.uuid4().hex[:8]}", f"a-{uuid.uuid4().hex[:8]}"
    execution = start(swf_domain, task_list, json.dumps({"args": [3], "kwargs": {}}), wf.BigActivityInput)
    decider = Decider(swf_domain, task_list, [wf.BigActivityInput], activity_task_list=activity_list, sticky_timeout=0)
    assert decider.poll_once()  # schedules check_blob
    task = client.poll_activity_task(swf_domain, activity_list, "foreign-worker")
    result = DEEP if poison == "deep" else put_reference(bucket, NOT_UTF8)
    client.swf_client().respond_activity_task_completed(taskToken=task["taskToken"], result=result)

    assert decider.poll_once()

    event_type, attrs = closing(swf_domain, execution)
    assert event_type == "WorkflowExecutionFailed", (event_type, attrs)
    completed = next(e for e in history(swf_domain, execution) if e["eventType"] == "ActivityTaskCompleted")
    where = f"result of event {completed['eventId']} (ActivityTaskCompleted)"
    problem = "JSON nested more than 256 levels deep" if poison == "deep" else "is not UTF-8 text"
    assert attrs["reason"].startswith(f"Cannot read the history: {where}: "), attrs["reason"]
    assert problem in attrs["reason"], attrs["reason"]


# -- the worker -------------------------------------------------------------------------------------------


def foreign_schedule(domain: str, activity_list: str, input_text: str, activity: str = ECHO) -> dict[str, str]:
    """An execution whose first decision, answered by a decider that is not ours, schedules *activity* with
    *input_text* as SWF will hand it to the worker."""
    task_list = f"d-{uuid.uuid4().hex[:8]}"
    execution = start(domain, task_list, json.dumps({"args": ["x"], "kwargs": {}}))
    client.ensure_activity_type(domain, activity, "1", default_task_list=activity_list)
    task = client.poll_decision_task(domain, task_list, "foreign-decider")
    schedule = {
        "activityType": {"name": activity, "version": "1"},
        "activityId": "echo-1",
        "input": input_text,
        "taskList": {"name": activity_list},
        "scheduleToCloseTimeout": "60",
        "scheduleToStartTimeout": "60",
        "startToCloseTimeout": "60",
        "heartbeatTimeout": "60",
    }
    client.swf_client().respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[{"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": schedule}],
    )
    return execution


def run_one_task(domain: str, activity_list: str) -> tuple[dict, bool]:
    worker = Worker(domain, activity_list, heartbeat=None, modules=["tests.fixtures.jumbo_workflows"])
    worker.prepare()
    stop = threading.Event()
    timer = threading.Timer(20, stop.set)  # never wait for ever on a test failure
    timer.start()
    try:
        done = worker.run_one(stop)
    finally:
        timer.cancel()
    assert done is not None, "no activity task"
    return done


@pytest.mark.parametrize("poison", ["deep", "not utf-8"])
def test_an_activity_input_that_cannot_be_read_fails_the_task_at_once_naming_the_problem(swf_domain, bucket, poison):
    activity_list = f"a-{uuid.uuid4().hex[:8]}"
    if poison == "deep":
        input_text, reference = '{"args": [], "kwargs": {}, "deep": ' + DEEP + "}", None
    else:
        reference = put_reference(bucket, NOT_UTF8)
        input_text = reference
    execution = foreign_schedule(swf_domain, activity_list, input_text)
    began = time.monotonic()

    _, answered = run_one_task(swf_domain, activity_list)

    assert answered and time.monotonic() - began < 10
    (failed,) = [attributes(e) for e in history(swf_domain, execution) if e["eventType"] == "ActivityTaskFailed"]
    if poison == "deep":
        assert failed["reason"] == f"InvalidInput: activity '{ECHO}': input: JSON nested more than 256 levels deep"
    else:
        location = reference.split(" ")[0][len(jumbo.PREFIX) :]
        assert failed["reason"].startswith(
            f"JumboFieldUnavailable: activity '{ECHO}': its input jumbo field s3://{location} is not UTF-8 text"
        ), failed["reason"]
    assert not [e for e in history(swf_domain, execution) if e["eventType"] == "ActivityTaskTimedOut"]


@pytest.mark.parametrize("depth", [300, 3000])
def test_an_activity_result_nested_too_deep_fails_the_task_instead_of_completing_it(swf_domain, depth):
    activity_list = f"a-{uuid.uuid4().hex[:8]}"
    nest = "tests.fixtures.jumbo_workflows.nest"
    execution = foreign_schedule(swf_domain, activity_list, json.dumps({"args": [depth], "kwargs": {}}), nest)

    _, answered = run_one_task(swf_domain, activity_list)

    assert answered
    (failed,) = [attributes(e) for e in history(swf_domain, execution) if e["eventType"] == "ActivityTaskFailed"]
    assert failed["reason"] == f"InvalidResult: activity '{nest}': its result is JSON nested more than 256 levels deep"


# -- inspection -------------------------------------------------------------------------------------------


def test_workflow_history_shows_the_reference_of_an_object_that_is_not_utf8_with_a_warning(swf_domain, bucket):
    task_list = f"d-{uuid.uuid4().hex[:8]}"
    reference = put_reference(bucket, NOT_UTF8)
    execution = start(swf_domain, task_list, reference)
    jumbo.close_caches()

    done = simpleflow_here("workflow.history", swf_domain, execution["workflowId"], execution["runId"])

    assert done.returncode == 0, done.stderr
    assert reference in done.stdout
