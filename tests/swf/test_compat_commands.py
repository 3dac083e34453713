"""simpleflow's command forms on the dev server: what its README and scripts type works here."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

from simpleflow.swf import client
from tests.swf_e2e_helpers import (
    ROOT,
    _environ,
    attributes,
    closing,
    completed_result,
    simpleflow,
    simpleflow_here,
    wait_closed,
)

WORKFLOWS = "tests.fixtures.compat_workflows"
ACTIVITIES = "tests.fixtures.compat_activities"


def test_worker_started_without_modules_runs_declared_activities_and_refuses_any_other_callable(swf_domain, processes):
    decisions = "compat-decisions"
    processes.start("decider", "decider.start", "-d", swf_domain, "-t", decisions, "-N", "1", "-l", "INFO")
    processes.start("worker", "worker.start", "-d", swf_domain, "-t", "compat", "-N", "1", "-l", "INFO")
    done = simpleflow("workflow.start", "-d", swf_domain, f"{WORKFLOWS}.DeclaredOnlyWorkflow", "-i", "[5]")
    assert done.returncode == 0, done.stderr
    workflow_id, run_id = done.stdout.split()
    result = completed_result(wait_closed(swf_domain, workflow_id, run_id, processes))
    assert result["declared"] == 10
    assert result["context"] == {
        "x": 5,
        "activity_id": f"activity-{ACTIVITIES}.seen_context-1",
        "workflow_id": workflow_id,
    }
    assert result["refused"] == [
        "ActivityNotDeclared: 'os.system' is not an activity: only functions and classes declared with "
        "@activity.with_attributes are run",
        f"ActivityNotDeclared: '{ACTIVITIES}.plain_function' is not an activity: only functions and classes "
        "declared with @activity.with_attributes are run",
    ]


def test_standalone_prints_the_ids_first_and_the_result_last_and_the_original_inspection_forms_work(swf_domain):
    done = simpleflow(
        "standalone",
        "-d",
        swf_domain,
        "-D",
        "1",
        "-W",
        "1",
        "--tags",
        "a,b",
        f"{WORKFLOWS}.PriorityWorkflow",
        "-i",
        "[1]",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    workflow_id, run_id = lines[0].split()
    assert json.loads(lines[-1]) == 8
    events = client.get_history(swf_domain, workflow_id, run_id)
    described = client.swf_client().describe_workflow_execution(
        domain=swf_domain, execution={"workflowId": workflow_id, "runId": run_id}
    )
    assert described["executionInfo"]["tagList"] == ["a", "b"]
    priorities = [attributes(e).get("taskPriority") for e in events if e["eventType"] == "ActivityTaskScheduled"]
    assert priorities == ["9", "5", None]

    # The inspection forms in this process (python -m simpleflow, below, in a process of its own).
    ours = simpleflow_here("workflow.history", swf_domain, workflow_id)
    theirs = simpleflow_here("workflow.history", workflow_id, "--domain", swf_domain)
    assert ours.returncode == theirs.returncode == 0, theirs.stderr
    assert json.loads(ours.stdout)["events"][0]["eventId"] == 1  # ours: the document workflow.replay reads
    assert json.loads(theirs.stdout)[0]["id"] == 1  # simpleflow's form: its default, raw
    with_env = subprocess.run(
        [sys.executable, "-m", "simpleflow", "workflow.history", workflow_id, run_id, "-o", "raw"],
        env=dict(_environ(), SWF_DOMAIN=swf_domain),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert with_env.returncode == 0, with_env.stderr
    raw = json.loads(with_env.stdout)
    assert (raw[0]["type"], raw[0]["state"], raw[0]["input"]["args"]) == ("WorkflowExecution", "started", [1])
    assert [e["activity_id"] for e in raw if (e["type"], e["state"]) == ("ActivityTask", "scheduled")] == [
        f"activity-{ACTIVITIES}.double-{n}" for n in (1, 2, 3)
    ]
    listed = simpleflow_here(
        "workflow.history", workflow_id, "-d", swf_domain, "--of", "events", "--reverse-order", "true"
    )
    assert json.loads(listed.stdout)[0]["eventType"] == "WorkflowExecutionCompleted"
    cooked = json.loads(simpleflow_here("workflow.history", workflow_id, "-d", swf_domain, "-o", "cooked").stdout)
    assert sorted(cooked["activities"]) == [f"activity-{ACTIVITIES}.double-{n}" for n in (1, 2, 3)]

    rerun = simpleflow_here(
        "activity.rerun",
        "--domain",
        swf_domain,
        "--workflow-id",
        workflow_id,
        "--activity-id",
        f"activity-{ACTIVITIES}.double-2",
        "--module",  # ours requires it: 0.36.0 imported the module the history names (docs/compatibility.md)
        ACTIVITIES,
    )
    assert (rerun.returncode, rerun.stdout) == (0, "4\n"), rerun.stderr
    rerun = simpleflow_here(
        "activity.rerun",
        "--domain",
        swf_domain,
        "--workflow-id",
        workflow_id,
        "--run-id",
        run_id,
        "--scheduled-id",
        str(next(e["eventId"] for e in events if e["eventType"] == "ActivityTaskScheduled")),
        "-i",
        "[21]",
        "-m",
        ACTIVITIES,
    )
    assert (rerun.returncode, rerun.stdout) == (0, "42\n"), rerun.stderr

    listing = simpleflow_here("workflow.list", swf_domain, "-s", "closed", "-d", "1")
    assert f"{workflow_id}" in listing.stdout and listing.returncode == 0, listing.stderr
    filtered = simpleflow_here("--format", "prettyjson", "workflow.filter", swf_domain, "-s", "closed", "-d", "1")
    assert workflow_id in [row["Workflow ID"] for row in json.loads(filtered.stdout)], filtered.stdout
    tasks = simpleflow_here("--format", "tabular", "workflow.tasks", swf_domain, workflow_id, "-n", "1")
    assert tasks.returncode == 0 and len(tasks.stdout.splitlines()) == 1, tasks.stdout + tasks.stderr
    brief = simpleflow_here(
        "--format", "json", "task.info", swf_domain, workflow_id, f"activity-{ACTIVITIES}.double-1", "--no-details"
    )
    [row] = json.loads(brief.stdout)  # 0.36.0's row: type, id, name, version, state, timestamp, input, result...
    assert brief.returncode == 0 and (row[4], row[6]["args"], row[7]) == ("completed", [1], "2"), brief.stdout


def test_restart_of_an_open_run_terminates_it_and_starts_the_same_workflow_id_again(swf_domain):
    done = simpleflow(
        "workflow.start",
        "-d",
        swf_domain,
        "--task-list",
        "nobody-decides",
        f"{WORKFLOWS}.PriorityWorkflow",
        "-i",
        "[2]",
    )
    workflow_id, run_id = done.stdout.split()
    restarted = simpleflow("workflow.restart", swf_domain, workflow_id)
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stderr == f"terminated the open run {run_id} (reason workflow.restart)\n"  # it says so
    new_workflow_id, new_run_id = restarted.stdout.split()
    assert new_workflow_id == workflow_id and new_run_id != run_id
    old = client.get_history(swf_domain, workflow_id, run_id)
    assert closing(old)[0] == "WorkflowExecutionTerminated"
    assert closing(old)[1].get("reason") == "workflow.restart"
    new = client.get_history(swf_domain, workflow_id, new_run_id)[0]["workflowExecutionStartedEventAttributes"]
    assert new["input"] == old[0]["workflowExecutionStartedEventAttributes"]["input"]
    client.swf_client().terminate_workflow_execution(domain=swf_domain, workflowId=workflow_id, runId=new_run_id)


def test_filter_takes_its_dates_with_or_without_a_zone_and_a_to_date_alone(swf_domain):
    done = simpleflow(
        "workflow.start", "-d", swf_domain, "--task-list", "nobody-decides", f"{WORKFLOWS}.EchoWorkflow", "-i", "[]"
    )
    workflow_id = done.stdout.split()[0]
    now = datetime.datetime.now(datetime.timezone.utc)
    later = (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")  # no zone: UTC
    paris = datetime.timezone(datetime.timedelta(hours=2))
    earlier = (now - datetime.timedelta(hours=1)).astimezone(paris).strftime("%Y-%m-%d %H:%M:%S%z")
    before = (now - datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")

    def found(*dates: str) -> list[str]:
        done = simpleflow("--format", "prettyjson", "workflow.filter", swf_domain, "--workflow-id", workflow_id, *dates)
        assert done.returncode == 0, done.stderr
        return [row["Workflow ID"] for row in json.loads(done.stdout)]

    assert found("--from-date", earlier, "--to-date", later) == [workflow_id]
    assert found("--to-date", later) == [workflow_id]  # within the last 30 days (-d)
    assert found("--to-date", before) == []  # 0.36.0 ignored a --to-date without --from-date
    client.swf_client().terminate_workflow_execution(domain=swf_domain, workflowId=workflow_id)
