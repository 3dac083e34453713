"""``standalone --repair`` on the dev server: a new execution runs only what the failed one did not finish."""

from __future__ import annotations

import json

import pytest

from simpleflow.engine import REPAIR_MARKER_PREFIX as MARKER_PREFIX
from simpleflow.swf import client
from tests.fixtures import pipeline_workflows as pw
from tests.swf_e2e_helpers import attributes, simpleflow

PIPELINE = "tests.fixtures.pipeline_workflows.PipelineWorkflow"
EXPECTED = [33, {"label": "v3", "value": 3}]


def _standalone(domain, *args):
    return simpleflow("standalone", "--domain", domain, PIPELINE, *args, timeout=120)


def _latest_run(domain, workflow_id):
    return client.latest_run_id(domain, workflow_id)


def _failed_execution(domain, workdir, workflow_id):
    (workdir / "broken").touch()
    done = _standalone(domain, "--workflow-id", workflow_id, "--input", json.dumps([str(workdir)]))
    assert done.returncode == 1, done.stderr
    assert "fragile: the input is broken" in done.stderr
    runs = pw.runs(workdir)
    # summary and fragile are scheduled together: a worker with several polls runs them at once, in any order.
    assert runs[:2] == ["step 1", "step 2"] and sorted(runs[2:]) == ["fragile", "summary"]
    (workdir / "broken").unlink()
    (workdir / "runs.log").unlink()


def _completed_activities(domain, workflow_id, run_id):
    """The ids of the activities the run's history records as completed."""
    events = client.get_history(domain, workflow_id, run_id)
    scheduled = {e["eventId"]: attributes(e)["activityId"] for e in events if e["eventType"] == "ActivityTaskScheduled"}
    return {scheduled[attributes(e)["scheduledEventId"]] for e in events if e["eventType"] == "ActivityTaskCompleted"}


def test_repair_reruns_only_the_failed_and_never_run_activities(swf_domain, tmp_path):
    _failed_execution(swf_domain, tmp_path, "pipeline")
    failed_run = _latest_run(swf_domain, "pipeline")
    # summary runs beside fragile: when fragile's failure closed the run first, summary's completion was
    # refused (the run was closed), and the repair runs it again.
    summary_done = any("summary" in i for i in _completed_activities(swf_domain, "pipeline", failed_run))
    # No --input: the repaired execution's own input; no --workflow-id: its workflow id.
    done = _standalone(swf_domain, "--repair", "pipeline")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == EXPECTED
    runs = pw.runs(tmp_path)
    assert [r for r in runs if r != "summary"] == ["fragile", "step 3"]
    assert runs.count("summary") == (0 if summary_done else 1)

    new_run = _latest_run(swf_domain, "pipeline")
    assert new_run != failed_run
    events = client.get_history(swf_domain, "pipeline", new_run)
    markers = [attributes(e) for e in events if e["eventType"] == "MarkerRecorded"]
    assert [m["markerName"] for m in markers][:2] == [
        f"{MARKER_PREFIX}activity-tests.pipeline.step-1",
        f"{MARKER_PREFIX}activity-tests.pipeline.step-2",
    ]
    assert all(json.loads(m["details"])["run_id"] == failed_run for m in markers)
    scheduled = [attributes(e)["activityId"] for e in events if e["eventType"] == "ActivityTaskScheduled"]
    assert [i for i in scheduled if "summary" not in i] == [
        "activity-tests.pipeline.fragile-1",
        "activity-tests.pipeline.step-3",
    ]
    assert len(scheduled) == (2 if summary_done else 3)

    # The new history replays on its own: the earlier one is not needed again.
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"events": events}, default=str))
    replayed = simpleflow("workflow.replay", PIPELINE, str(history))
    assert replayed.returncode == 0, replayed.stderr


def test_force_activities_reruns_the_completed_activities_it_matches(swf_domain, tmp_path):
    _failed_execution(swf_domain, tmp_path, "pipeline-forced")
    run_id = _latest_run(swf_domain, "pipeline-forced")
    done = _standalone(swf_domain, "--repair", f"pipeline-forced {run_id}", "--force-activities", r"step-1$|summary")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == EXPECTED
    assert sorted(pw.runs(tmp_path)) == sorted(["step 1", "summary", "fragile", "step 3"])


def test_repairing_an_open_execution_under_its_own_id_is_refused(swf_domain, decider_list):
    from tests.swf_e2e_helpers import start_workflow

    workflow_id, run_id = start_workflow(swf_domain, PIPELINE, decider_list, ["/nonexistent"])  # no decider: open
    done = _standalone(swf_domain, "--repair", workflow_id)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"simpleflow: error: execution {workflow_id!r} run {run_id!r} is still open: terminate it first, "
        "or give the repair another --workflow-id"
    )


def test_repairing_an_execution_of_another_workflow_type_is_refused(swf_domain, tmp_path):
    _failed_execution(swf_domain, tmp_path, "pipeline-other-type")
    done = simpleflow(
        "standalone", "--domain", swf_domain, "tests.fixtures.pipeline_workflows.WidePipelineWorkflow",
        "--repair", "pipeline-other-type", "--workflow-id", "wide", "--input", json.dumps([str(tmp_path), 3]),
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        "simpleflow: error: execution 'pipeline-other-type' is a 'tests.pipeline' workflow: "
        "a 'tests.pipeline.wide' workflow cannot repair it"
    )
    assert pw.runs(tmp_path) == []  # nothing started


def test_a_bumped_version_of_the_same_workflow_repairs_it_with_a_note(swf_domain, tmp_path):
    _failed_execution(swf_domain, tmp_path, "pipeline-bumped")
    bumped = "tests.fixtures.pipeline_workflows.BumpedPipelineWorkflow"
    done = simpleflow("standalone", "--domain", swf_domain, bumped, "--repair", "pipeline-bumped", timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == EXPECTED
    assert done.stderr.splitlines()[0] == (
        f"note: execution 'pipeline-bumped' ran version {pw.VERSION!r} of 'tests.pipeline': "
        f"the repair runs version '{pw.VERSION}-2'"
    )
    assert "step 1" not in pw.runs(tmp_path)  # the earlier version's results were reused


def test_repairing_a_run_that_continued_as_new_is_refused_naming_the_next_run(swf_domain):
    countdown = "examples.continue_as_new.CountdownWorkflow"
    done = simpleflow("standalone", "--domain", swf_domain, countdown, "--workflow-id", "countdown", "--input", "[3]")
    assert done.returncode == 0, done.stderr
    first, last = sorted(
        client.list_executions(swf_domain, "closed", started_since_days=None, workflow_id="countdown"),
        key=lambda info: info["startTimestamp"],
    )
    assert first["closeStatus"] == "CONTINUED_AS_NEW"
    old, new = first["execution"]["runId"], last["execution"]["runId"]
    done = simpleflow(
        "standalone", "--domain", swf_domain, countdown, "--repair", f"countdown {old}", "--workflow-id", "x"
    )
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr == (
        f"simpleflow: error: execution 'countdown' run {old!r} continued as new in run {new!r}: "
        f"repair that run instead (--repair 'countdown {new}')\n"
    )


def test_repairing_a_completed_execution_is_refused(swf_domain, tmp_path):
    done = _standalone(swf_domain, "--workflow-id", "pipeline-done", "--input", json.dumps([str(tmp_path)]))
    assert done.returncode == 0, done.stderr
    run_id = _latest_run(swf_domain, "pipeline-done")
    done = _standalone(swf_domain, "--repair", "pipeline-done")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"simpleflow: error: execution 'pipeline-done' run {run_id!r} completed: there is nothing to repair "
        "(--force-activities names activities to run again)"
    )
    assert _latest_run(swf_domain, "pipeline-done") == run_id  # nothing started
    # Activities forced to run again: a completed pipeline re-run in part is a repair.
    done = _standalone(swf_domain, "--repair", "pipeline-done", "--force-activities", ".")
    assert done.returncode == 0, done.stderr
    assert _latest_run(swf_domain, "pipeline-done") != run_id


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--force-activities", "x"], "--force-activities only applies with --repair"),
        (["--repair", "no-such-workflow"], "no execution with workflow id 'no-such-workflow'"),
        (["--repair", "a b c"], 'expected "WORKFLOW_ID" or "WORKFLOW_ID RUN_ID"'),
        (["--repair", "whatever", "--force-activities", "("], "is not a regular expression"),
    ],
)
def test_bad_repair_options_are_one_line_and_exit_2(swf_domain, args, message):
    done = _standalone(swf_domain, *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_the_decider_repairs_the_started_execution_not_its_children_or_next_runs():
    from simpleflow.engine import RepairSource
    from simpleflow.swf.decider import Decider

    source = RepairSource("old", "run", {})
    decider = Decider("domain", "decisions", [pw.PipelineWorkflow], repair=source)
    assert decider._repair_for({"workflowType": {"name": pw.PipelineWorkflow.name}}) is source
    assert decider._repair_for({"parentWorkflowExecution": {"workflowId": "p", "runId": "r"}}) is None
    assert decider._repair_for({"continuedExecutionRunId": "previous"}) is None
    assert Decider("domain", "decisions", [pw.PipelineWorkflow])._repair_for({}) is None
