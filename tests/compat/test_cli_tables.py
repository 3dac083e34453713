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
from tests.fixtures.inspect_workflows import EchoWorkflow

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
    out = simpleflow("--header", "--format", "csv", "workflow.filter", terminated["domain"], "-s", "closed")
    assert next(csv.reader(io.StringIO(out))) == FILTER_COLUMNS_0_36


def test_filter_rows_read_by_position_as_0_36_s(terminated):
    (row,) = json.loads(simpleflow("--format", "json", "workflow.filter", terminated["domain"], "-s", "closed"))
    assert len(row) == 17
    assert row[:5] == ["tables", "tests.inspect.echo", "1", terminated["run_id"], "CLOSED"]
    assert row[6] == "TERMINATED"  # Close Status, seventh: a script reading it by position
    assert row[12] == ["a", "b"]  # Tags, the list SWF gives, as 0.36.0 printed it
    assert row[9] is False and row[16] is False  # Cancel Requested, twice
    # Not in SWF's list call: empty, as in 0.36.0.
    assert [row[5], row[10], row[11], row[13], row[14], row[15]] == [None] * 6


def test_filter_prettyjson_keys_are_0_36_s(terminated):
    out = simpleflow("--format", "prettyjson", "workflow.filter", terminated["domain"], "-s", "closed")
    (record,) = json.loads(out)
    assert list(record) == list(dict.fromkeys(FILTER_COLUMNS_0_36))
    assert (record["Close Status"], record["Tags"]) == ("TERMINATED", ["a", "b"])
