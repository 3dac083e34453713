"""Patching and the workflow's status on the dev server (markers and executionContext).

A deploy in the middle of an execution: an old decider takes the first decisions, a decider with the
patched code the rest. The old execution keeps the old path, a new one takes the new path and records
the marker, each with the result and task ids the local host gives. The status a workflow sets travels
in each decision's executionContext: ``workflow.info`` and ``workflow.list --status-field`` show it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from simpleflow.engine import PATCH_MARKER_PREFIX
from simpleflow.local import LocalExecution
from simpleflow.local.replay import check_history
from simpleflow.swf import client, starter
from simpleflow.swf.decider import Decider
from simpleflow.swf.worker import run_worker
from tests.fixtures import patch_workflows as pw
from tests.swf_e2e_helpers import attributes, simpleflow

MARKER = PATCH_MARKER_PREFIX + pw.CHANGE
DEADLINE = 30.0


def _input(x):
    return {"args": [x], "kwargs": {}}


@contextmanager
def _worker(domain: str, task_list: str) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(domain, task_list),
        kwargs={"modules": ["tests.fixtures.patch_workflows"], "stop_event": stop},
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


def _history(domain, execution):
    return client.get_history(domain, execution["workflowId"], execution["runId"])


def _decide_until(decider: Decider, domain: str, execution: dict, done) -> list[dict]:
    """Let *decider* answer decision tasks until ``done(events)``."""
    deadline = time.monotonic() + DEADLINE
    while True:
        events = _history(domain, execution)
        if done(events):
            return events
        assert time.monotonic() < deadline, [e["eventType"] for e in events]
        if not decider.poll_once():
            time.sleep(0.05)


def _scheduled(events):
    return [attributes(e)["activityId"] for e in events if e["eventType"] == "ActivityTaskScheduled"]


def _markers(events):
    return [attributes(e)["markerName"] for e in events if e["eventType"] == "MarkerRecorded"]


def _closed(events):
    return events[-1]["eventType"] == "WorkflowExecutionCompleted"


def _result(events):
    return json.loads(attributes(events[-1])["result"])


@pytest.fixture
def task_list():
    return f"patch-{uuid.uuid4().hex[:8]}"


def test_a_deploy_mid_execution_keeps_the_old_path_and_new_executions_take_the_new_one(swf_domain, task_list):
    old = starter.start_workflow(swf_domain, pw.BeforeWorkflow, _input(1), task_list=task_list)
    before = Decider(swf_domain, task_list, [pw.BeforeWorkflow], activity_task_list=task_list)
    patched = Decider(swf_domain, task_list, [pw.PatchedWorkflow], activity_task_list=task_list)
    with _worker(swf_domain, task_list):
        _decide_until(before, swf_domain, old, lambda events: pw.OLD in _scheduled(events))
        # Deployed: the patched decider (a cache of its own, so it replays the old history in full).
        old_events = _decide_until(patched, swf_domain, old, _closed)
        new = starter.start_workflow(swf_domain, pw.PatchedWorkflow, _input(1), task_list=task_list)
        new_events = _decide_until(patched, swf_domain, new, _closed)

    local_old = LocalExecution(pw.BeforeWorkflow, _input(1)).execute()
    local_new = LocalExecution(pw.PatchedWorkflow, _input(1)).execute()
    assert _result(old_events) == local_old.result == 22
    assert _scheduled(old_events) == _scheduled(local_old.events) == [pw.FIRST, pw.OLD, pw.LAST]
    assert _markers(old_events) == []
    assert _result(new_events) == local_new.result == 202
    assert _scheduled(new_events) == _scheduled(local_new.events) == [pw.FIRST, pw.NEW, pw.LAST]
    assert _markers(new_events) == _markers(local_new.events) == [MARKER]


def test_the_status_travels_in_each_decision_and_workflow_info_and_list_show_it(swf_domain, task_list, tmp_path):
    execution = starter.start_workflow(swf_domain, pw.StatusWorkflow, _input(1), task_list=task_list)
    decider = Decider(swf_domain, task_list, [pw.StatusWorkflow], activity_task_list=task_list)
    with _worker(swf_domain, task_list):
        events = _decide_until(decider, swf_domain, execution, _closed)

    local = LocalExecution(pw.StatusWorkflow, _input(1))
    outcome = local.execute()
    contexts = [attributes(e).get("executionContext") for e in events if e["eventType"] == "DecisionTaskCompleted"]
    assert contexts == [
        attributes(e).get("executionContext") for e in outcome.events if e["eventType"] == "DecisionTaskCompleted"
    ]
    assert contexts == [
        '{"done":0,"step":"first"}',
        '{"done":1,"step":"last","value":2}',
        '{"done":2,"step":null,"value":4}',
    ]
    assert local.status == {"done": 2, "step": None, "value": 4}

    described = client.swf_client().describe_workflow_execution(domain=swf_domain, execution=execution)
    assert described["latestExecutionContext"] == contexts[-1]
    info = simpleflow("--format", "json", "--header", "workflow.info", swf_domain, execution["workflowId"])
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)[0]["latest_execution_context"] == local.status
    listed = simpleflow(
        "--format", "json", "--header", "workflow.list", swf_domain, "--status", "closed", "--status-field"
    )
    assert listed.returncode == 0, listed.stderr
    rows = [r for r in json.loads(listed.stdout) if r["Workflow ID"] == execution["workflowId"]]
    assert rows == [
        {
            "Workflow ID": execution["workflowId"],
            "Workflow Type": "tests.patch.status",
            "Status": "CLOSED",
            "Latest Execution Context": local.status,
        }
    ]
    plain = simpleflow("--format", "json", "--header", "workflow.list", swf_domain, "--status", "closed")
    assert "Latest Execution Context" not in json.loads(plain.stdout)[0]


def test_a_decider_that_deprecates_the_patch_too_soon_leaves_an_old_execution_unanswered(swf_domain, task_list, caplog):
    execution = starter.start_workflow(swf_domain, pw.BeforeWorkflow, _input(1), task_list=task_list)
    before = Decider(swf_domain, task_list, [pw.BeforeWorkflow], activity_task_list=task_list, sticky_timeout=0)
    deprecated = Decider(swf_domain, task_list, [pw.DeprecatedWorkflow], activity_task_list=task_list, sticky_timeout=0)
    with _worker(swf_domain, task_list):
        _decide_until(before, swf_domain, execution, lambda events: pw.OLD in _scheduled(events))
        # The old step done, the next decision task goes to the decider deployed with deprecate_patch.
        _decide_until(
            deprecated, swf_domain, execution, lambda events: events[-1]["eventType"] == "DecisionTaskStarted"
        )
    events = _history(swf_domain, execution)
    first = check_history(pw.DeprecatedWorkflow, events)[1][0]
    refusals = [r.getMessage() for r in caplog.records if "does not fit its history" in r.getMessage()]
    client.swf_client().terminate_workflow_execution(
        domain=swf_domain, workflowId=execution["workflowId"], runId=execution["runId"]
    )
    assert first.startswith(f"patch marker {MARKER!r} is missing: the history went past deprecate_patch(")
    wid, rid = execution["workflowId"], execution["runId"]
    assert refusals == [
        f"execution {wid} (run {rid}): the workflow code does not fit its history: {first} (and 1 more); decision "
        "task left unanswered until code that fits is deployed (SIMPLEFLOW_ON_NONDETERMINISM=fail fails it)"
    ]
    assert _scheduled(events) == [pw.FIRST, pw.OLD]  # the new step was never scheduled
    assert [e["eventType"] for e in events].count("DecisionTaskCompleted") == 2  # the old decider's answers only
