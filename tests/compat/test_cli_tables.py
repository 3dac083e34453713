"""The inspection commands' tables as simpleflow 0.36.0's scripts read them, against the dev server."""

from __future__ import annotations

import csv
import io
import json
import uuid

import boto3
import pytest
from click.testing import CliRunner

from simpleflow.command import cli
from simpleflow.swf import client, starter
from simpleflow.swf.standalone import run_standalone
from tests.fixtures.inspect_workflows import EchoWorkflow, InspectWorkflow

#: 0.36.0's workflow.filter columns, in its order (simpleflow/swf/stats/pretty.py, list_details).
FILTER_COLUMNS_0_36 = [
    "Workflow ID",
    "Workflow Type",
    "Workflow Version",
    "Run ID",
    "Status",
    "Child Policy",
    "Close Status",
    "Start Timestamp",
    "Close Timestamp",
    "Cancel Requested",
    "Execution Timeout",
    "Input",
    "Tags",
    "Decision Tasks Timeout",
    "Parent Workflow ID",
    "Parent Run ID",
    "Cancel Requested",
]


#: workflow.filter's options that select the terminated execution only.
TERMINATED = ("-s", "closed", "--workflow-id", "tables")


def simpleflow(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def terminated(moto_server) -> dict[str, str]:
    """A domain with one execution, tagged ``a`` and ``b``, terminated at once (nobody decides on it)."""
    client.reset_clients()
    domain = f"tables-{uuid.uuid4().hex[:8]}"
    swf = boto3.client("swf")
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    started = starter.start_workflow(domain, EchoWorkflow, {"args": ["hi"]}, workflow_id="tables", tag_list=["a", "b"])
    swf.terminate_workflow_execution(domain=domain, workflowId="tables", runId=started["runId"])
    return {"domain": domain, "run_id": started["runId"]}


def test_filter_has_the_seventeen_columns_of_0_36_in_its_order(terminated):
    out = simpleflow("--header", "--format", "csv", "workflow.filter", terminated["domain"], *TERMINATED)
    assert next(csv.reader(io.StringIO(out))) == FILTER_COLUMNS_0_36


def test_filter_rows_read_by_position_as_0_36_s(terminated):
    (row,) = json.loads(simpleflow("--format", "json", "workflow.filter", terminated["domain"], *TERMINATED))
    assert len(row) == 17
    assert row[:5] == ["tables", "tests.inspect.echo", "1", terminated["run_id"], "CLOSED"]
    assert row[6] == "TERMINATED"  # Close Status, seventh: a script reading it by position
    assert row[12] == ["a", "b"]  # Tags, the list SWF gives, as 0.36.0 printed it
    assert row[9] is False and row[16] is False  # Cancel Requested, twice
    # Not in SWF's list call: empty, as in 0.36.0.
    assert [row[5], row[10], row[11], row[13], row[14], row[15]] == [None] * 6


def test_filter_gives_an_execution_without_tags_an_empty_list_as_0_36(completed):
    out = simpleflow("--format", "prettyjson", "workflow.filter", completed["domain"], "-s", "closed", "--tag", "cli")
    assert [record["Tags"] for record in json.loads(out)] == [["inspect", "cli"]]
    untagged = starter.start_workflow(completed["domain"], EchoWorkflow, {"args": ["x"]}, workflow_id="untagged")
    out = simpleflow("--format", "prettyjson", "workflow.filter", completed["domain"], "--workflow-id", "untagged")
    assert [record["Tags"] for record in json.loads(out)] == [[]]
    boto3.client("swf").terminate_workflow_execution(
        domain=completed["domain"], workflowId="untagged", runId=untagged["runId"]
    )


def test_filter_prettyjson_keys_are_0_36_s(terminated):
    out = simpleflow("--format", "prettyjson", "workflow.filter", terminated["domain"], *TERMINATED)
    (record,) = json.loads(out)
    assert list(record) == list(dict.fromkeys(FILTER_COLUMNS_0_36))
    assert (record["Close Status"], record["Tags"]) == ("TERMINATED", ["a", "b"])


@pytest.fixture(scope="module")
def completed(terminated) -> dict[str, str]:
    """A completed run of InspectWorkflow (three activities, one failing twice) in the same domain."""
    domain = terminated["domain"]
    outcome = run_standalone(domain, InspectWorkflow, {"args": [4]}, workflow_id="cooked", progress=None, timeout=60)
    assert outcome.status == "completed", outcome
    return {"domain": domain, "run_id": outcome.run_id}


def test_history_in_0_36_s_form_without_o_is_its_raw_list(completed, monkeypatch):
    domain = completed["domain"]
    raw = json.loads(simpleflow("--format", "prettyjson", "workflow.history", "cooked", "--domain", domain))
    assert isinstance(raw, list) and (raw[0]["type"], raw[0]["state"]) == ("WorkflowExecution", "started")
    assert raw == json.loads(simpleflow("workflow.history", "cooked", "--domain", completed["domain"], "-o", "raw"))
    monkeypatch.setenv("SWF_DOMAIN", completed["domain"])
    assert json.loads(simpleflow("workflow.history", "cooked")) == raw  # WORKFLOW_ID alone, the domain from $SWF_DOMAIN
    document = json.loads(simpleflow("workflow.history", completed["domain"], "cooked"))  # ours: DOMAIN WORKFLOW_ID
    assert document["runId"] == completed["run_id"] and len(document["events"]) == len(raw)


def test_cooked_history_has_0_36_s_records(completed):
    out = simpleflow("workflow.history", "cooked", "--domain", completed["domain"], "-o", "cooked")
    cooked = json.loads(out)
    assert sorted(cooked) == [
        "activities",
        "child_workflows",
        "external_workflows_signaling",
        "markers",
        "signal_lists",
        "signaled_workflows",
        "signals",
        "timers",
        "workflow",
    ]
    workflow = cooked["workflow"]
    assert (workflow["state"], workflow["started_id"], isinstance(workflow["task_list"], str)) == ("completed", 1, True)
    assert workflow["input"]["args"] == [4] and workflow["tag_list"] == ["inspect", "cli"]
    assert workflow["result"] == '{"value":15}'  # the text SWF holds, as 0.36.0 gave it
    added = cooked["activities"]["activity-inspect.add-1"]
    assert (added["state"], added["input"], added["result"]) == ("completed", {"args": [4], "kwargs": {}}, "5")
    assert cooked["external_workflows_signaling"] == {}


def test_task_info_result_and_details_are_swf_s_text_as_0_36_gives_them(completed):
    """0.36.0's scripts decode them (``jq '.[0].result | fromjson'``); the input comes decoded."""
    ids = (completed["domain"], "cooked")
    [done] = json.loads(simpleflow("--format", "prettyjson", "task.info", *ids, "activity-inspect.triple-1"))
    assert (done["input"], done["result"]) == ({"args": [5], "kwargs": {}}, '{"value":15}')
    [row] = json.loads(simpleflow("--format", "json", "task.info", *ids, "activity-inspect.refuse-1", "--details"))
    assert (row[7], row[8]) == (None, "Refused: no 4")  # result, reason
    assert isinstance(row[9], str) and json.loads(row[9])["message"] == "no 4"  # details


@pytest.mark.parametrize("command", ["workflow.tasks", "workflow.profile"])
def test_nb_tasks_0_shows_every_task_as_in_0_36(completed, command):
    every = json.loads(simpleflow("--format", "json", command, completed["domain"], "cooked"))
    assert len(every) == 3
    assert json.loads(simpleflow("--format", "json", command, completed["domain"], "cooked", "-n", "0")) == every
    assert len(json.loads(simpleflow("--format", "json", command, completed["domain"], "cooked", "-n", "2"))) == 2
    refused = CliRunner().invoke(cli, [command, completed["domain"], "cooked", "-n", "-1"])
    assert refused.exit_code == 2
