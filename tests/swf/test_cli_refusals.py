"""What the SWF commands refuse before anything starts, against the dev server: an option that only
``--local`` uses, a --record path that cannot be written, a workflow id already in use."""

from __future__ import annotations

import json
import os

import boto3
import pytest

from tests.swf_e2e_helpers import simpleflow_here, usage_line

BASIC = ("examples.basic.BasicWorkflow", "--input", "[1, 5]")


def _open_executions(domain: str) -> list[str]:
    found = boto3.client("swf").list_open_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})[
        "executionInfos"
    ]
    return [info["execution"]["workflowId"] for info in found]


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (
            ("--signal", "foo=1"),
            "--signal applies with --local only (on SWF: workflow.signal, once the execution started)",
        ),
        (("--real-time",), "--real-time applies with --local only (on SWF, timers always take real time)"),
        (("--workers", "3"), "--workers applies with --local only (on SWF: worker.start -N, or standalone -W)"),
        (("--workers", "1"), "--workers applies with --local only (on SWF: worker.start -N, or standalone -W)"),
    ],
)
def test_an_option_only_local_uses_is_refused_on_swf_before_the_start(swf_domain, options, line):
    given = usage_line("workflow.start", "--domain", swf_domain, *BASIC, *options)
    assert given == f"simpleflow: error: {line}"
    assert _open_executions(swf_domain) == []


def test_schedule_for_is_refused_on_swf_before_the_schedule_starts(swf_domain):
    line = usage_line("schedule.create", "n", "--cron", "0 0 1 1 *", *BASIC, "--domain", swf_domain, "--for", "60")
    assert line == "simpleflow: error: --for applies with --local only (on SWF, a schedule runs until schedule.delete)"
    assert _open_executions(swf_domain) == []


def test_standalone_refuses_a_record_path_it_cannot_write_before_the_execution_starts(swf_domain, tmp_path):
    missing = tmp_path / "nonexistent" / "x.json"
    line = usage_line("standalone", "--domain", swf_domain, *BASIC, "--record", str(missing))
    assert line == f"simpleflow: error: --record: {missing}: no folder {missing.parent}"
    assert _open_executions(swf_domain) == []


def test_standalone_prints_its_result_when_the_history_cannot_be_written_at_the_end(swf_domain, tmp_path):
    spoiled = tmp_path / "record.json"
    done = simpleflow_here(
        "standalone",
        "--domain",
        swf_domain,
        "tests.fixtures.record_workflows.SpoilRecordWorkflow",
        "--input",
        json.dumps([str(spoiled)]),
        "--record",
        str(spoiled),
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout.splitlines()[-1] == '"folder made"'
    assert done.stderr.splitlines()[-1] == (
        f"simpleflow: error: --record {spoiled}: cannot write the history: Is a directory"
    )


@pytest.mark.parametrize("command", ["workflow.start", "standalone"])
def test_a_workflow_id_already_open_is_a_usage_error_naming_the_id_and_the_domain(swf_domain, command):
    first = simpleflow_here("workflow.start", "--domain", swf_domain, *BASIC, "--workflow-id", "dup1")
    assert first.returncode == 0, first.stderr
    line = usage_line(command, "--domain", swf_domain, *BASIC, "--workflow-id", "dup1")
    assert line == (
        f"simpleflow: error: an execution with workflow id 'dup1' is already open in domain '{swf_domain}': "
        "pick another --workflow-id, or terminate it"
    )
    assert _open_executions(swf_domain) == ["dup1"]  # the first one, left as it was


def test_an_oversize_input_is_refused_up_front_with_the_same_line_locally_and_on_swf(swf_domain, monkeypatch):
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)
    big = json.dumps(["x" * 40_000])
    on_swf = usage_line("workflow.start", "--domain", swf_domain, "examples.basic.BasicWorkflow", "--input", big)
    assert on_swf.startswith("simpleflow: error: input is 40") and "over SWF's limit of 32768" in on_swf
    assert usage_line("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", big) == on_swf
    assert _open_executions(swf_domain) == []
    spec = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "dag_specs", "diamond.yaml")
    big = json.dumps({"x": 1, "pad": "x" * 40_000})
    on_swf = usage_line("dag.start", "--domain", swf_domain, spec, "--input", big)
    assert "over SWF's limit of 32768" in on_swf
    assert usage_line("dag.run", "--local", spec, "--input", big) == on_swf


@pytest.mark.parametrize(
    ("tags", "line"),
    [
        ("a,b,c,d,e,f", "--tags: 6 tags, SWF takes 5 at most"),
        ("a," + "x" * 300, f"--tags: a tag of 300 characters ({'x' * 20}...), SWF takes 256 at most"),
    ],
)
def test_tags_swf_refuses_are_refused_up_front_with_the_same_line_locally_and_on_swf(swf_domain, tags, line):
    """The local host ran with them, where SWF refused the start."""
    on_swf = usage_line("workflow.start", "--domain", swf_domain, *BASIC, "--tags", tags)
    assert on_swf == f"simpleflow: error: {line}"
    assert usage_line("workflow.start", "--local", *BASIC, "--tags", tags) == on_swf
    assert usage_line("standalone", "--domain", swf_domain, *BASIC, "--tags", tags) == on_swf
    assert _open_executions(swf_domain) == []
