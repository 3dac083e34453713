"""The inspection commands against the dev server, on executions run by the SWF host (standalone)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from simpleflow.command import cli
from simpleflow.swf import client, starter
from simpleflow.swf.standalone import run_standalone
from tests.fixtures.inspect_workflows import EchoWorkflow, InspectWorkflow

WORKFLOW_ID = "inspect-a"
MODULE = "tests.fixtures.inspect_workflows"
REPO_ROOT = Path(__file__).resolve().parents[2]


def simpleflow(*args: str) -> tuple[int, str, str]:
    """Run ``simpleflow ARGS`` in this process: exit code, stdout, stderr."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run(domain: str, workflow: type, payload: dict, workflow_id: str) -> str:
    outcome = run_standalone(domain, workflow, payload, workflow_id=workflow_id, progress=None, timeout=60)
    assert outcome.status == "completed", outcome
    return outcome.run_id


@pytest.fixture(scope="module")
def inspected(moto_server):
    """A domain holding two closed runs of InspectWorkflow under one workflow id, and one open execution."""
    client.reset_clients()
    domain = f"inspect-{uuid.uuid4().hex[:8]}"
    boto3.client("swf").register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    first = run(domain, InspectWorkflow, {"args": [4], "kwargs": {}}, WORKFLOW_ID)
    latest = run(domain, InspectWorkflow, {"args": [5], "kwargs": {}}, WORKFLOW_ID)
    # Nobody decides on this one: it stays open.
    opened = starter.start_workflow(domain, EchoWorkflow, {"args": ["hi"], "kwargs": {}}, workflow_id="inspect-open")
    return {"domain": domain, "first": first, "latest": latest, "open": opened["runId"]}


# workflow.list / workflow.filter


def test_list_shows_open_executions_by_default(inspected):
    code, out, _ = simpleflow("workflow.list", inspected["domain"])
    assert code == 0
    assert out.split() == ["inspect-open", "tests.inspect.echo", "OPEN"]


def test_list_closed_shows_every_run_with_headers_in_the_format_asked(inspected):
    code, out, _ = simpleflow("--header", "--format", "csv", "workflow.list", inspected["domain"], "--status", "closed")
    assert code == 0
    assert out.splitlines() == [
        "Workflow ID,Workflow Type,Status",
        "inspect-a,tests.inspect,CLOSED",
        "inspect-a,tests.inspect,CLOSED",
    ]


def test_list_follows_every_page(inspected, small_pages):
    code, out, _ = simpleflow("--format", "json", "workflow.list", inspected["domain"], "--status", "closed")
    assert code == 0
    assert len(json.loads(out)) == 2
    code, out, _ = simpleflow("workflow.tasks", inspected["domain"], WORKFLOW_ID)
    assert small_pages.page_requests > 0  # the history of the latest run took several pages
    assert len(out.splitlines()) == 3


@pytest.mark.parametrize(
    "options",
    [
        ["--workflow-type-name", "tests.inspect", "--workflow-type-version", "1"],
        ["--workflow-type-name", "tests.inspect"],  # SWF's typeFilter takes a name without a version
        ["--tag", "cli"],
        ["--workflow-id", WORKFLOW_ID],
        ["--close-status", "completed"],
    ],
)
def test_filter_by_type_tag_or_workflow_id(inspected, options):
    code, out, _ = simpleflow(
        "--format", "json", "--header", "workflow.filter", inspected["domain"], "--status", "closed", *options
    )
    assert code == 0
    runs = json.loads(out)
    assert {r["Run ID"] for r in runs} == {inspected["first"], inspected["latest"]}
    assert {(r["Workflow Type"], r["Workflow Version"], r["Close Status"], tuple(r["Tags"])) for r in runs} == {
        ("tests.inspect", "1", "COMPLETED", ("inspect", "cli"))
    }


def test_filter_drops_executions_that_do_not_match(inspected):
    domain = inspected["domain"]
    assert simpleflow("workflow.filter", domain, "--status", "closed", "--tag", "nope")[1].strip() == ""
    code, out, _ = simpleflow(
        "workflow.filter", domain, "--workflow-type-name", "tests.inspect", "--workflow-type-version", "1"
    )
    assert (code, out.strip()) == (0, "")  # the only open execution is of another type
    code, out, _ = simpleflow("workflow.filter", domain, "--status", "closed", "--close-status", "failed")
    assert (code, out.strip()) == (0, "")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--workflow-type-version", "1"], "version filters only with its workflow type name"),
        (["--close-status", "completed"], "add --status closed"),
    ],
)
def test_filter_refuses_impossible_filters_in_one_line(inspected, args, message):
    code, _, err = simpleflow("workflow.filter", inspected["domain"], *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


# workflow.info / tasks / profile


def test_info_without_run_id_describes_the_latest_run(inspected):
    code, out, _ = simpleflow("--format", "json", "--header", "workflow.info", inspected["domain"], WORKFLOW_ID)
    assert code == 0
    (info,) = json.loads(out)
    assert info["run_id"] == inspected["latest"]
    assert (info["domain"], info["workflow_type.name"], info["workflow_type.version"]) == (
        inspected["domain"],
        "tests.inspect",
        "1",
    )
    assert info["workflow_id"] == WORKFLOW_ID
    assert info["tag_list"] == "inspect,cli"
    assert info["task_list"].startswith("standalone-")
    assert info["input"]["args"] == [5]
    assert 0 < info["execution_time"] < 60


def test_info_of_a_given_run(inspected):
    code, out, _ = simpleflow(
        "--format", "json", "--header", "workflow.info", inspected["domain"], WORKFLOW_ID, inspected["first"]
    )
    assert code == 0
    assert json.loads(out)[0]["input"]["args"] == [4]


def test_tasks_lists_each_task_most_recent_first(inspected):
    code, out, _ = simpleflow("--format", "json", "--header", "workflow.tasks", inspected["domain"], WORKFLOW_ID)
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == ["Tasks", "Last State", "Last State Time", "Scheduled Time", "Id"]
    # The name first, as simpleflow 0.36.0 shows it; the id last.
    assert [(r["Tasks"], r["Last State"], r["Id"]) for r in rows] == [
        ("inspect.triple", "completed", "activity-inspect.triple-1"),
        ("inspect.refuse", "failed", "activity-inspect.refuse-1"),
        ("inspect.add", "completed", "activity-inspect.add-1"),
    ]
    code, out, _ = simpleflow("workflow.tasks", inspected["domain"], WORKFLOW_ID, "--nb-tasks", "1")
    assert out.split()[0] == "inspect.triple" and len(out.splitlines()) == 1


def test_profile_rows_and_svg_timeline(inspected, tmp_path):
    svg = tmp_path / "timeline.svg"
    code, out, _ = simpleflow(
        "--format", "json", "--header", "workflow.profile", inspected["domain"], WORKFLOW_ID, "--svg", str(svg)
    )
    assert code == 0
    rows = json.loads(out)
    assert {r["Task"] for r in rows} == {
        "activity-inspect.add-1",
        "activity-inspect.refuse-1",
        "activity-inspect.triple-1",
    }
    assert all(r["Time Running"] is not None and 0 <= r["Percentage of total time"] <= 100 for r in rows)
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = "".join(root.itertext())
    assert all(task in text for task in ("activity-inspect.add-1", "activity-inspect.triple-1"))


def test_a_profile_svg_that_cannot_be_written_is_one_line_as_a_trace_output_is(inspected, tmp_path):
    svg = tmp_path / "nowhere" / "timeline.svg"
    code, out, err = simpleflow("workflow.profile", inspected["domain"], WORKFLOW_ID, "--svg", str(svg))
    assert (code, out, err) == (2, "", f"simpleflow: error: --svg {svg}: cannot write it: No such file or directory\n")


# workflow.history


def test_history_times_are_epoch_seconds_and_iso_in_the_output_formats_as_documented(inspected):
    _, default, _ = simpleflow("workflow.history", inspected["domain"], WORKFLOW_ID)
    _, events, _ = simpleflow("workflow.history", WORKFLOW_ID, "--domain", inspected["domain"], "-o", "events")
    assert isinstance(json.loads(default)["events"][0]["eventTimestamp"], float)
    stamp = json.loads(events)[0]["eventTimestamp"]
    assert stamp.endswith("Z") and datetime.fromisoformat(stamp[:-1]).year > 2000  # docs/inspecting.md


def test_history_replays_with_no_mismatch(inspected, tmp_path):
    code, out, _ = simpleflow("workflow.history", inspected["domain"], WORKFLOW_ID)
    assert code == 0
    events = json.loads(out)["events"]
    assert events[0]["eventType"] == "WorkflowExecutionStarted"
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted"
    assert all(isinstance(e["eventTimestamp"], float) for e in events)
    path = tmp_path / "history.json"
    path.write_text(out)
    code, decisions, err = simpleflow("workflow.replay", f"{MODULE}.InspectWorkflow", str(path))
    assert (code, err) == (0, "")
    assert json.loads(decisions) == [
        {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": '{"value":18}'},
        }
    ]


def test_history_of_other_code_is_a_mismatch(inspected, tmp_path):
    # The check above is not vacuous: the same history against a workflow that schedules other tasks fails.
    path = tmp_path / "history.json"
    path.write_text(simpleflow("workflow.history", inspected["domain"], WORKFLOW_ID)[1])
    code, _, err = simpleflow("workflow.replay", f"{MODULE}.EchoWorkflow", str(path))
    assert code == 1
    assert "history does not fit the code" in err


def test_history_names_its_execution_so_its_trace_needs_no_ids(inspected, tmp_path):
    out = simpleflow("workflow.history", inspected["domain"], WORKFLOW_ID, inspected["first"])[1]
    document = json.loads(out)
    assert (document["domain"], document["workflowId"], document["runId"]) == (
        inspected["domain"],
        WORKFLOW_ID,
        inspected["first"],
    )
    path = tmp_path / "history.json"
    path.write_text(out)
    code, spans, err = simpleflow("workflow.trace", "--history", str(path), "--output", "-")
    assert (code, err) == (0, "")
    spans = json.loads(spans)["resourceSpans"][0]["scopeSpans"][0]["spans"]
    assert spans and all(_attribute(span, "simpleflow.domain") == inspected["domain"] for span in spans)
    del document["domain"]  # a file written before workflow.history named the domain: its spans have none
    path.write_text(json.dumps(document))
    code, spans, err = simpleflow("workflow.trace", "--history", str(path), "--output", "-")
    assert (code, err) == (0, "")
    spans = json.loads(spans)["resourceSpans"][0]["scopeSpans"][0]["spans"]
    assert spans and not any(_attribute(span, "simpleflow.domain") for span in spans)


def _attribute(span: dict, key: str) -> str | None:
    """A string attribute of an OTLP/JSON span."""
    return next((a["value"]["stringValue"] for a in span.get("attributes", ()) if a["key"] == key), None)


def test_history_follows_every_page(inspected, small_pages):
    direct = client.get_history(inspected["domain"], WORKFLOW_ID, inspected["first"])
    before = small_pages.page_requests
    out = simpleflow("workflow.history", inspected["domain"], WORKFLOW_ID, inspected["first"])[1]
    assert [e["eventId"] for e in json.loads(out)["events"]] == [e["eventId"] for e in direct]
    assert small_pages.page_requests - before >= len(direct) // small_pages.size - 1


def test_history_holds_jumbo_fields_as_their_text(moto_server, monkeypatch, tmp_path):
    domain = f"inspect-{uuid.uuid4().hex[:8]}"
    boto3.client("swf").register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    bucket = f"jumbo-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", bucket)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    text = "y" * 40_000  # over SWF's 32,768 characters for an input
    run(domain, EchoWorkflow, {"args": [text], "kwargs": {}}, "inspect-jumbo")
    raw = json.dumps(
        client.get_history(domain, "inspect-jumbo", client.latest_run_id(domain, "inspect-jumbo")), default=str
    )
    assert "simpleflow+s3://" in raw  # the fields really went to S3
    code, out, _ = simpleflow("workflow.history", domain, "inspect-jumbo")
    assert code == 0 and "simpleflow+s3://" not in out
    started, scheduled = (
        e for e in json.loads(out)["events"] if e["eventType"] in ("WorkflowExecutionStarted", "ActivityTaskScheduled")
    )
    assert json.loads(started["workflowExecutionStartedEventAttributes"]["input"])["args"] == [text]
    assert json.loads(scheduled["activityTaskScheduledEventAttributes"]["input"])["args"] == [text]
    path = tmp_path / "history.json"
    path.write_text(out)
    assert simpleflow("workflow.replay", f"{MODULE}.EchoWorkflow", str(path))[0] == 0


# task.info


SIMPLEFLOW_036_COLUMNS = ["type", "id", "name", "version", "state", "timestamp", "input", "result", "reason"]


def test_task_info_of_a_retried_failed_task(inspected):
    code, out, _ = simpleflow(
        "--format", "prettyjson", "task.info", inspected["domain"], WORKFLOW_ID, "activity-inspect.refuse-1"
    )
    assert code == 0
    [info] = json.loads(out)
    assert (info["state"], info["attempts"], info["reason"]) == ("failed", 2, "Refused: no 5")
    assert info["input"] == {"args": ["no 5"], "kwargs": {}}
    assert json.loads(info["details"])["error_type"] == "tests.fixtures.inspect_workflows.Refused"  # SWF's text
    assert info["result"] is None  # 0.36.0's column, empty for a failed task


def test_task_info_of_a_completed_task_in_a_given_run(inspected):
    code, out, _ = simpleflow(
        "--format",
        "json",
        "--header",
        "task.info",
        inspected["domain"],
        WORKFLOW_ID,
        "activity-inspect.triple-1",
        inspected["first"],
    )
    assert code == 0
    assert json.loads(json.loads(out)[0]["result"]) == {"value": 15}  # SWF's text, as 0.36.0 gives it


def test_task_info_prints_simpleflow_036s_row_in_every_format(inspected):
    """One row whose first columns are 0.36.0's, in its order: ``.[0].result`` and ``.[0][7]`` read the result."""
    task = (inspected["domain"], WORKFLOW_ID, "activity-inspect.triple-1")
    code, out, _ = simpleflow("--format", "json", "task.info", *task)
    [row] = json.loads(out)
    assert code == 0 and row[:5] == ["activity", task[2], "inspect.triple", "1", "completed"]
    # input, result (SWF's text, as 0.36.0 gives it), reason
    assert (row[6], json.loads(row[7]), row[8]) == ({"args": [6], "kwargs": {}}, {"value": 18}, None)
    code, out, _ = simpleflow("--format", "prettyjson", "task.info", *task, "--no-details")
    [keyed] = json.loads(out)
    assert list(keyed)[:9] == SIMPLEFLOW_036_COLUMNS and "details" not in keyed
    assert [keyed[name] for name in SIMPLEFLOW_036_COLUMNS] == row[:9]
    code, out, _ = simpleflow("--header", "--format", "csv", "task.info", *task, "--details")
    header, values = csv.reader(io.StringIO(out))
    assert header[:10] == [*SIMPLEFLOW_036_COLUMNS, "details"] and values[4] == "completed"
    code, out, _ = simpleflow("--format", "csv", "task.info", *task)
    assert next(csv.reader(io.StringIO(out))) == values  # no header line unless asked
    code, out, _ = simpleflow("--format", "human", "task.info", *task)
    assert [line.split()[0] for line in out.splitlines()[:9]] == SIMPLEFLOW_036_COLUMNS  # name/value lines
    code, out, _ = simpleflow("--format", "tabular", "task.info", *task)
    assert len(out.splitlines()) == 1 and out.split()[:5] == ["activity", task[2], "inspect.triple", "1", "completed"]


# Errors: one line, exit code 2


@pytest.mark.parametrize(
    "command",
    [
        ["workflow.list"],
        ["workflow.filter"],
        ["workflow.info", "x"],
        ["workflow.tasks", "x"],
        ["workflow.profile", "x"],
        ["workflow.history", "x"],
        ["task.info", "x", "t"],
        ["activity.rerun", "x", "--activity-id", "a"],
    ],
)
def test_unknown_domain_is_one_line(moto_server, command):
    code, out, err = simpleflow(command[0], "no-such-domain", *command[1:])
    assert (code, out) == (2, "")
    assert err == (
        f"simpleflow: error: unknown domain 'no-such-domain' in region us-east-1 at {moto_server.url}: create it "
        "with 'simpleflow domain.register no-such-domain'\n"
    )


@pytest.mark.parametrize(
    "command", ["workflow.info", "workflow.tasks", "workflow.profile", "workflow.history", "workflow.trace"]
)
def test_unknown_workflow_id_or_run_is_one_line(inspected, command):
    domain = inspected["domain"]
    code, out, err = simpleflow(command, domain, "no-such-workflow")
    assert (code, out, err) == (
        2,
        "",
        f"simpleflow: error: no execution with workflow id 'no-such-workflow' in domain '{domain}'\n",
    )
    code, out, err = simpleflow(command, domain, WORKFLOW_ID, "no-such-run")
    assert (code, out, err) == (
        2,
        "",
        f"simpleflow: error: no execution '{WORKFLOW_ID}' run 'no-such-run' in domain '{domain}'\n",
    )


def test_unknown_task_is_one_line_naming_the_tasks(inspected):
    code, out, err = simpleflow("task.info", inspected["domain"], WORKFLOW_ID, "no-such-task")
    assert (code, out) == (2, "")
    assert err == (
        "simpleflow: error: no task 'no-such-task' in this history (tasks: activity-inspect.add-1, "
        "activity-inspect.refuse-1, activity-inspect.triple-1)\n"
    )


# activity.rerun


def test_rerun_runs_the_recorded_input_by_scheduled_event_id(inspected):
    events = client.get_history(inspected["domain"], WORKFLOW_ID, inspected["first"])
    scheduled = next(e["eventId"] for e in events if e["eventType"] == "ActivityTaskScheduled")
    code, out, _ = simpleflow(
        "activity.rerun",
        inspected["domain"],
        WORKFLOW_ID,
        inspected["first"],
        "--scheduled-id",
        str(scheduled),
        "--module",
        MODULE,
    )
    assert (code, out) == (0, "5\n")  # add(4)


def test_rerun_by_activity_id_with_another_input(inspected):
    code, out, _ = simpleflow(
        "activity.rerun",
        inspected["domain"],
        WORKFLOW_ID,
        "--activity-id",
        "activity-inspect.triple-1",
        "--input",
        "[7]",
        "-m",
        MODULE,
    )
    assert (code, out) == (0, '{"value": 21}\n')


def test_rerun_of_a_failing_activity_says_why_and_exits_1(inspected):
    code, out, err = simpleflow(
        "activity.rerun", inspected["domain"], WORKFLOW_ID, "--activity-id", "activity-inspect.refuse-1", "-m", MODULE
    )
    assert (code, out, err) == (1, "", "activity failed: Refused: no 5\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--activity-id", "activity-inspect.add-1", "-m", "tests.no_such_module"],
            "unknown module 'tests.no_such_module'",
        ),
        (["-m", MODULE], "choose the activity with --scheduled-id or --activity-id"),
        (["--scheduled-id", "5", "--activity-id", "a", "-m", MODULE], "choose the activity with"),
        (["--activity-id", "activity-nope", "-m", MODULE], "no activity 'activity-nope' scheduled in this history"),
        (["--scheduled-id", "999", "-m", MODULE], "no event 999 scheduled in this history"),
        (["--scheduled-id", "1", "-m", MODULE], "event 1 is a WorkflowExecutionStarted, not an ActivityTaskScheduled"),
        (["--activity-id", "activity-inspect.add-1", "-m", MODULE, "--input", "{nope"], "--input is not valid JSON"),
    ],
)
def test_rerun_refuses_in_one_line(inspected, args, message):
    code, out, err = simpleflow("activity.rerun", inspected["domain"], WORKFLOW_ID, *args)
    assert (code, out) == (2, "")
    assert err.startswith("simpleflow: error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "modules, message",
    [
        # Without --module nothing is imported on the history's word ('inspect' would be the standard library's).
        (
            [],
            "activity 'inspect.add': name the module that declares it with --module (--module inspect, if you trust "
            "it): a module a history names is not imported on its word",
        ),
        (
            ["-m", "tests.fixtures.worker_activities"],
            "activity 'inspect.add' is not declared in tests.fixtures.worker_activities: name the module that "
            "declares it with --module",
        ),
    ],
)
def test_rerun_runs_only_activities_declared_in_the_modules_given(inspected, modules, message):
    # A process of its own: this one has imported every test activity already.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "simpleflow.command",
            "activity.rerun",
            inspected["domain"],
            WORKFLOW_ID,
            "--activity-id",
            "activity-inspect.add-1",
            *modules,
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"simpleflow: error: {message}\n"


def test_rerun_gives_the_activity_its_context(inspected, monkeypatch):
    from simpleflow import activity

    seen = {}

    def add(a, b=1):
        seen.update(add.context)
        return a + b

    monkeypatch.setattr(activity.find("inspect.add"), "_callable", add)
    code, _, _ = simpleflow(
        "activity.rerun", inspected["domain"], WORKFLOW_ID, "--activity-id", "activity-inspect.add-1", "-m", MODULE
    )
    assert code == 0
    assert {k: seen[k] for k in ("name", "version", "workflow_id", "run_id", "activity_id", "domain_name")} == {
        "name": "inspect.add",
        "version": "1",
        "workflow_id": WORKFLOW_ID,
        "run_id": inspected["latest"],
        "activity_id": "activity-inspect.add-1",
        "domain_name": inspected["domain"],
    }
    assert seen["activity_task_list"].startswith("standalone-")
