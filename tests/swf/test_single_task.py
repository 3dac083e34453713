"""``worker.start --one-task`` and ``--poll-data`` on the dev server: one task, answered, then exit."""

from __future__ import annotations

import base64
import json
import os
import time

import pytest

from simpleflow.swf import client
from tests.fixtures import middleware_functions as mwf
from tests.fixtures import pipeline_workflows as pw
from tests.process_helpers import wait_catching_sigterm
from tests.swf_e2e_helpers import (
    attributes,
    completed_result,
    simpleflow,
    simpleflow_here,
    start_decider,
    start_workflow,
    wait_closed,
)

PIPELINE = "tests.fixtures.pipeline_workflows.PipelineWorkflow"
MODULE = "tests.fixtures.pipeline_workflows"


def _poll_task(domain: str, timeout: float = 20.0) -> dict:
    """A task polled here, as a job scheduler would before handing it over."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = client.poll_activity_task(domain, pw.TASK_LIST, "test-scheduler")
        if task is not None:
            return task
    raise AssertionError("no activity task came")


def _encode(task: dict) -> str:
    return base64.b64encode(json.dumps(task).encode()).decode()


def test_one_task_workers_complete_a_workflow_one_process_per_task(swf_domain, processes, decider_list, tmp_path):
    start_decider(processes, swf_domain, decider_list, PIPELINE)
    workflow_id, run_id = start_workflow(swf_domain, PIPELINE, decider_list, [str(tmp_path)])
    for n in range(1, 6):
        done = simpleflow(
            "worker.start", "--domain", swf_domain, "--task-list", pw.TASK_LIST, "--one-task", MODULE, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert len(pw.runs(tmp_path)) == n  # exactly one task per process
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == [33, {"label": "v3", "value": 3}]


def test_poll_data_runs_the_given_task_and_answers_swf_for_it(swf_domain, processes, decider_list, tmp_path):
    start_decider(processes, swf_domain, decider_list, PIPELINE)
    workflow_id, run_id = start_workflow(swf_domain, PIPELINE, decider_list, [str(tmp_path)])
    task = _poll_task(swf_domain)
    assert task["activityId"] == "activity-tests.pipeline.step-1"
    done = simpleflow(
        "worker.start",
        "--domain",
        swf_domain,
        "--poll-data",
        _encode(task),
        "--middleware-post-execution",
        "tests.fixtures.middleware_functions.after",
        MODULE,
    )
    assert done.returncode == 0, done.stderr
    assert pw.runs(tmp_path) == ["step 1"]
    assert mwf.entries(tmp_path) == [{"when": "post", "activity_id": "activity-tests.pipeline.step-1", "result": 1}]
    events = client.get_history(swf_domain, workflow_id, run_id)
    completed = [attributes(e) for e in events if e["eventType"] == "ActivityTaskCompleted"]
    assert [c["result"] for c in completed] == ["1"]


def test_poll_data_naming_an_undeclared_function_fails_the_task_and_runs_nothing(
    swf_domain, processes, decider_list, tmp_path
):
    start_decider(processes, swf_domain, decider_list, PIPELINE)
    workflow_id, run_id = start_workflow(swf_domain, PIPELINE, decider_list, [str(tmp_path)])
    task = _poll_task(swf_domain)
    task["activityType"]["name"] = "os.system"
    task["input"] = json.dumps({"args": ["touch " + str(tmp_path / "pwned")], "kwargs": {}})
    done = simpleflow("worker.start", "--domain", swf_domain, "--poll-data", _encode(task), MODULE)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "pwned").exists() and pw.runs(tmp_path) == []
    events = client.get_history(swf_domain, workflow_id, run_id)
    failed = [attributes(e) for e in events if e["eventType"] == "ActivityTaskFailed"]
    assert len(failed) == 1 and failed[0]["reason"].startswith("ActivityNotDeclared")


def test_poll_data_with_a_token_swf_does_not_know_exits_1(swf_domain):
    task = {
        "taskToken": "not-a-token",
        "activityId": "activity-tests.pipeline.step-1",
        "activityType": {"name": "tests.pipeline.step", "version": "e2e"},
        "workflowExecution": {"workflowId": "w", "runId": "r"},
        "input": json.dumps({"args": ["/nonexistent-dir-for-test", 1, 0]}),
    }
    done = simpleflow("worker.start", "--domain", swf_domain, "--poll-data", _encode(task), MODULE)
    assert done.returncode == 1, done.stderr
    assert "SWF did not accept the answer" in done.stderr


_VALID = {
    "taskToken": "t",
    "activityId": "a",
    "activityType": {"name": "n", "version": "v"},
    "workflowExecution": {"workflowId": "w", "runId": "r"},
}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("%%%not base64%%%", "--poll-data is not valid base64"),
        (base64.b64encode(b"\xff\xfe not json").decode(), "--poll-data does not decode to JSON"),
        (_encode([1, 2]), "must hold a JSON object"),
        (_encode({k: v for k, v in _VALID.items() if k != "taskToken"}), "has no 'taskToken'"),
        (_encode(dict(_VALID, workflowExecution={"workflowId": "w"})), "has no 'workflowExecution.runId'"),
        (_encode(dict(_VALID, activityId=7)), "'activityId' must be a non-empty string"),
        (_encode(dict(_VALID, input={"args": []})), "'input' must be a str"),
        ("", "--poll-data is empty"),
        (base64.b64encode(b"[" * 3000 + b"]" * 3000).decode(), "--poll-data is JSON nested more than 256 levels deep"),
    ],
)
def test_bad_poll_data_is_one_line_and_exit_2_before_anything_runs(data, message):
    done = simpleflow_here("worker.start", "--domain", "no-such-domain", "--poll-data", data, MODULE)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_poll_data_accepts_line_wrapped_and_url_safe_base64():
    from simpleflow.swf.single_task import decode_poll_data

    text = _encode(dict(_VALID, input="?>?>" * 20))
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    assert decode_poll_data(wrapped) == dict(_VALID, input="?>?>" * 20)
    urlsafe = base64.urlsafe_b64encode(json.dumps(dict(_VALID, input="?>?>" * 20)).encode()).decode().rstrip("=")
    assert decode_poll_data(urlsafe)["input"] == "?>?>" * 20


def test_worker_needs_a_task_list_unless_given_poll_data():
    done = simpleflow_here("worker.start", "--domain", "d", MODULE)
    assert done.returncode == 2
    assert "give --task-list" in done.stderr


def test_one_task_worker_stopped_while_polling_exits_without_a_task(swf_domain, processes):
    import signal

    worker = processes.start(
        "one-task", "worker.start", "--domain", swf_domain, "--task-list", pw.TASK_LIST, "--one-task", MODULE
    )
    time.sleep(1.5)  # polling: no workflow, no task
    assert worker.poll() is None, processes.logs()
    wait_catching_sigterm(worker)  # a loaded machine may not have run the first lines yet
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0, processes.logs()


def test_an_unknown_activity_module_is_one_line_and_exit_2(swf_domain):
    done = simpleflow_here(
        "worker.start", "--domain", swf_domain, "--task-list", "t", "--one-task", "tests.no_such_module"
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"simpleflow: error: unknown module 'tests.no_such_module': it is not importable from the current directory "
        f"({os.getcwd()}) nor from sys.path; run the command from the folder that holds it\n"
    )
