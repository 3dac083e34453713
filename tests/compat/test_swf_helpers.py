"""simpleflow.swf.helpers against the test SWF server: the original's calls, our inspection underneath."""

from __future__ import annotations

import json
import uuid

import pytest

from simpleflow.history import History
from simpleflow.swf import client, helpers, starter
from simpleflow.swf.standalone import run_standalone
from tests.fixtures import compat_workflows as cw

DOUBLE = "tests.fixtures.compat_activities.double"


@pytest.fixture(scope="module")
def finished(moto_server):
    """A closed execution of PriorityWorkflow (three activities) in a domain of its own."""
    import boto3

    domain = f"helpers-{uuid.uuid4().hex[:8]}"
    boto3.client("swf").register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    workflow_id = f"helpers-{uuid.uuid4().hex[:8]}"
    outcome = run_standalone(domain, cw.PriorityWorkflow, {"args": [1]}, workflow_id=workflow_id, progress=None)
    assert outcome.status == "completed", outcome.reason
    return domain, workflow_id, outcome.run_id


def test_get_workflow_execution_describes_the_latest_run_or_gives_none(finished):
    domain, workflow_id, run_id = finished
    execution = helpers.get_workflow_execution(domain, workflow_id)
    assert (execution.run_id, execution.status, execution.close_status) == (run_id, "CLOSED", "COMPLETED")
    assert execution.workflow_type == ("compat-priority", "1") and execution.task_list
    assert execution.history()[-1]["eventType"] == "WorkflowExecutionCompleted"
    assert helpers.get_workflow_execution(domain, workflow_id, run_id).run_id == run_id
    assert helpers.get_workflow_execution(domain, "no-such-workflow") is None
    assert helpers.get_workflow_execution(domain, workflow_id, "no-such-run") is None


def test_show_functions_give_the_cli_s_tables(finished):
    domain, workflow_id, run_id = finished
    header, rows = helpers.show_workflow_info(domain, workflow_id)
    assert header[:3] == ["domain", "workflow_type.name", "workflow_type.version"] and rows[0][0] == domain
    header, rows = helpers.show_workflow_status(domain, workflow_id, run_id)
    assert header == ["Tasks", "Last State", "Last State Time", "Scheduled Time"]
    assert sorted(row[1] for row in rows) == ["completed"] * 3
    header, rows = helpers.show_workflow_profile(domain, workflow_id, nb_tasks=2)
    assert header[0] == "Task" and len(rows) == 2


def test_an_unknown_workflow_prints_not_found_and_exits_1(finished, capsys):
    domain, _, _ = finished
    with pytest.raises(SystemExit) as exited:
        helpers.show_workflow_info(domain, "missing-workflow")
    assert exited.value.code == 1
    assert capsys.readouterr().out == "Workflow missing-workflow not found\n"
    with pytest.raises(SystemExit):
        helpers.show_workflow_status(domain, "missing-workflow", "some-run")
    assert capsys.readouterr().out == "Execution missing-workflow some-run not found\n"


def test_list_and_filter_find_the_execution(finished):
    domain, workflow_id, run_id = finished
    header, rows = helpers.list_workflow_executions(domain, status="CLOSED")
    assert header == ["Workflow ID", "Workflow Type", "Status"] and [workflow_id, "compat-priority", "CLOSED"] in rows
    assert helpers.list_workflow_executions(domain)[1] == []  # open ones: none
    header, rows = helpers.filter_workflow_executions(domain, "CLOSED", None, workflow_id, None, None)
    assert [row[header.index("Run ID")] for row in rows] == [run_id]
    with pytest.raises(ValueError, match="Unknown status"):
        helpers.list_workflow_executions(domain, status="RUNNING")


def test_get_task_gives_one_row_with_or_without_details(finished):
    domain, workflow_id, _ = finished
    header, [row] = helpers.get_task(domain, workflow_id, f"activity-{DOUBLE}-1", details=True)
    assert header == ["type", "id", "name", "version", "state", "timestamp", "input", "result", "reason", "details"]
    found = dict(zip(header, row))
    assert (found["name"], found["state"], found["input"]["args"], found["result"]) == (DOUBLE, "completed", [1], "2")
    assert len(helpers.get_task(domain, workflow_id, f"activity-{DOUBLE}-1", details=False)[0]) == 9


def test_find_activity_gives_the_declared_activity_its_arguments_and_context(finished):
    domain, workflow_id, run_id = finished
    history = History(client.get_history(domain, workflow_id, run_id))
    record = history.activities[f"activity-{DOUBLE}-2"].as_dict()  # simpleflow's shape
    act, args, kwargs, meta, found = helpers.find_activity(history, scheduled_id=record["scheduled_id"])
    assert repr(act).startswith(f"Activity(name={DOUBLE},") and found == record
    assert (args, meta) == ([2], {})
    assert kwargs == {
        "context": {"name": DOUBLE, "version": None, "activity_id": record["id"], "input": {"args": [2], "kwargs": {}}}
    }
    assert act.execute(*args) == 4
    assert helpers.find_activity(history, activity_id=record["id"], input={"args": [5]})[1] == [5]
    with pytest.raises(ValueError, match="Couldn't find activity"):
        helpers.find_activity(history, scheduled_id=10_000)


class _History:
    activities = {
        "x": {"id": "activity-os.system-1", "name": "os.system", "scheduled_id": 5, "input": {"args": ["id"]}}
    }


def test_find_activity_never_returns_a_callable_that_is_not_a_declared_activity():
    with pytest.raises(ValueError, match="'os.system' is not an activity"):
        helpers.find_activity(_History(), scheduled_id=5)


def test_swf_identity_is_json_with_extra_keys_and_ignores_a_malformed_setting(monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_IDENTITY", '{"version":"1.2.3","hostname":"bar.example.com","user":null}')
    identity = json.loads(helpers.swf_identity())
    assert (identity["hostname"], identity["version"], "user" in identity) == ("bar.example.com", "1.2.3", False)
    monkeypatch.setenv("SIMPLEFLOW_IDENTITY", "not a json string")
    identity = json.loads(helpers.swf_identity())
    assert set(identity) == {"hostname", "pid", "user", "exe"} and "version" not in identity


def test_a_started_execution_is_open(swf_domain):
    started = starter.start_workflow(swf_domain, cw.EchoWorkflow, {"args": [1]}, workflow_id=f"open-{uuid.uuid4().hex}")
    execution = helpers.get_workflow_execution(swf_domain, started["workflowId"])
    assert (execution.status, execution.run_id) == (helpers.WorkflowExecution.STATUS_OPEN, started["runId"])
