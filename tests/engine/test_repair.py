"""Repair in the engine (through the local host): reuse what the earlier execution completed, replay
the new history without the earlier one."""

from __future__ import annotations

import re

import pytest

from simpleflow.engine import ExecutionInfo, replay
from simpleflow.engine._repair import MARKER_PREFIX, RepairSource, marker_name, source_from_events
from simpleflow.local import LocalExecution
from simpleflow.local.replay import check_history
from tests.fixtures import pipeline_workflows as pw

STEP_1, STEP_2, FRAGILE, STEP_3 = (
    "activity-tests.pipeline.step-1",
    "activity-tests.pipeline.step-2",
    "activity-tests.pipeline.fragile-1",
    "activity-tests.pipeline.step-3",
)
EXPECTED = [33, {"label": "v3", "value": 3}]


def _run(workdir, repair=None):
    return LocalExecution(pw.PipelineWorkflow, {"args": [str(workdir)], "kwargs": {}}, repair=repair).execute()


def _failed_once(workdir):
    """The pipeline failed at fragile (step 3 never ran); the log emptied, broken removed."""
    (workdir / "broken").touch()
    failed = _run(workdir)
    assert failed.status == "failed"
    assert pw.runs(workdir) == ["step 1", "step 2", "summary", "fragile"]
    (workdir / "broken").unlink()
    (workdir / "runs.log").unlink()
    return failed


def _source(result, force=None) -> RepairSource:
    return source_from_events(result.events, result.workflow_id, result.run_id, force)


def _scheduled(events) -> list[str]:
    return [
        e["activityTaskScheduledEventAttributes"]["activityId"]
        for e in events
        if e["eventType"] == "ActivityTaskScheduled"
    ]


def _reused(events) -> list[str]:
    return [
        e["markerRecordedEventAttributes"]["markerName"][len(MARKER_PREFIX) :]
        for e in events
        if e["eventType"] == "MarkerRecorded"
    ]


def test_repair_runs_only_the_failed_and_never_run_tasks_and_gives_the_full_result(tmp_path):
    failed = _failed_once(tmp_path)
    repaired = _run(tmp_path, _source(failed))
    assert (repaired.status, repaired.result) == ("completed", EXPECTED)
    assert pw.runs(tmp_path) == ["fragile", "step 3"]
    assert _scheduled(repaired.events) == [FRAGILE, STEP_3]
    assert _reused(repaired.events)[:2] == [STEP_1, STEP_2] and len(_reused(repaired.events)) == 3


def test_the_source_holds_only_completed_activities_with_their_results(tmp_path):
    source = _source(_failed_once(tmp_path))
    assert source.results[STEP_1] == ("tests.pipeline.step", "1")
    assert source.results[STEP_2] == ("tests.pipeline.step", "3")
    assert FRAGILE not in source.results and STEP_3 not in source.results
    assert source.input is not None and str(tmp_path) in source.input


def test_force_activities_runs_the_matching_completed_tasks_again(tmp_path):
    failed = _failed_once(tmp_path)
    repaired = _run(tmp_path, _source(failed, force=r"step-[12]$"))
    assert repaired.result == EXPECTED
    assert pw.runs(tmp_path) == ["step 1", "step 2", "fragile", "step 3"]
    assert _reused(repaired.events) == [next(i for i in _source(failed).results if "summary" in i)]


def test_a_completed_id_of_another_activity_is_not_reused():
    source = RepairSource("wf", "run", {STEP_1: ("tests.pipeline.other", "1")})
    assert source.result_text(STEP_1, "tests.pipeline.step") == (False, None)
    assert source.result_text(STEP_1, "tests.pipeline.other") == (True, "1")
    forced = RepairSource("wf", "run", {STEP_1: ("tests.pipeline.step", "1")}, re.compile("step-1"))
    assert forced.result_text(STEP_1, "tests.pipeline.step") == (False, None)


def test_replays_of_a_repaired_history_need_no_repair_source(tmp_path):
    source = _source(_failed_once(tmp_path))
    events = _run(tmp_path, source).events
    starts = [i for i, e in enumerate(events) if e["eventType"] == "DecisionTaskStarted"]
    first, later = starts[0], starts[1:]
    # At the first decision the source decides (the markers are not recorded yet) ...
    with_source = replay(pw.PipelineWorkflow, events[: first + 1], ExecutionInfo(repair=source))
    without = replay(pw.PipelineWorkflow, events[: first + 1])
    assert [d["decisionType"] for d in with_source].count("RecordMarker") == 3
    assert "RecordMarker" not in [d["decisionType"] for d in without]
    # ... afterwards the new history alone gives the decisions the source would.
    for i in later:
        prefix = events[: i + 1]
        assert replay(pw.PipelineWorkflow, prefix) == replay(pw.PipelineWorkflow, prefix, ExecutionInfo(repair=source))
    decisions, mismatches = check_history(pw.PipelineWorkflow, events)
    assert mismatches == []


def test_a_resumed_repaired_run_decides_as_full_replays_do(tmp_path):
    source = _source(_failed_once(tmp_path))
    events = _run(tmp_path, source).events
    from simpleflow.engine import WorkflowRun

    run = WorkflowRun(pw.PipelineWorkflow, ExecutionInfo(repair=source))
    fed = 0
    try:
        for i, event in enumerate(events):
            if event["eventType"] != "DecisionTaskStarted":
                continue
            resumed = run.advance(events[fed : i + 1])
            fed = i + 1
            assert resumed == replay(pw.PipelineWorkflow, events[: i + 1], ExecutionInfo(repair=source))
    finally:
        run.close()
    assert run.fallbacks == 0


def test_repairing_a_repaired_execution_still_reuses_what_the_first_run_completed(tmp_path):
    source = _source(_failed_once(tmp_path))
    (tmp_path / "broken").touch()
    second = _run(tmp_path, source)  # fragile fails again
    assert second.status == "failed"
    (tmp_path / "broken").unlink()
    (tmp_path / "runs.log").unlink()
    third = _run(tmp_path, _source(second))
    assert third.result == EXPECTED
    assert pw.runs(tmp_path) == ["fragile", "step 3"]


def test_a_repair_source_applies_to_the_root_execution_only(tmp_path):
    failed = _failed_once(tmp_path)
    parent = LocalExecution(
        pw.PipelineParent, {"args": [str(tmp_path)], "kwargs": {}}, repair=_source(failed)
    ).execute()
    assert parent.result == EXPECTED
    assert pw.runs(tmp_path) == ["step 1", "step 2", "summary", "fragile", "step 3"]  # the child ran everything


@pytest.mark.parametrize("length", [10, 238, 239, 256])
def test_marker_names_stay_within_swfs_256_characters(length):
    task_id = "a" * length
    name = marker_name(task_id)
    assert name.startswith(MARKER_PREFIX) and len(name) <= 256
    assert (name == MARKER_PREFIX + task_id) == (len(MARKER_PREFIX) + length <= 256)
    assert marker_name("b" * length) != name


def test_a_repair_reusing_more_tasks_than_one_decision_holds_records_them_over_several(tmp_path):
    (tmp_path / "broken").touch()
    failed = LocalExecution(pw.WidePipelineWorkflow, {"args": [str(tmp_path), 150], "kwargs": {}}).execute()
    assert failed.status == "failed"
    (tmp_path / "broken").unlink()
    (tmp_path / "runs.log").unlink()
    repaired = LocalExecution(
        pw.WidePipelineWorkflow, {"args": [str(tmp_path), 150], "kwargs": {}}, repair=_source(failed)
    ).execute()
    assert (repaired.status, repaired.result) == ("completed", sum(range(150)) * 10)
    assert pw.runs(tmp_path) == ["fragile"]
    assert len(set(_reused(repaired.events))) == 150
    completed = [e for e in repaired.events if e["eventType"] == "DecisionTaskCompleted"]
    assert len(completed) >= 3  # 150 markers: more than SWF's 100 decisions per answer
    decisions, mismatches = check_history(pw.WidePipelineWorkflow, repaired.events)
    assert mismatches == []


def _simulate(workflow_class, input, seed, info, fail_rate, max_rounds=300):
    """One randomized execution (tests.swf_simulator); resumed == full replay at every decision task."""
    from simpleflow.engine import WorkflowRun
    from tests.swf_simulator import SimulatedSWF

    swf = SimulatedSWF(input, seed, fail_rate=fail_rate, timeout_rate=0.05)
    resumed = WorkflowRun(workflow_class, info)
    try:
        for _ in range(max_rounds):
            if swf.closed is not None:
                break
            got = resumed.advance(swf.start_decision())
            assert got == replay(workflow_class, swf.events, info), "resumed run differs from full replay"
            swf.answer(got)
            if swf.closed is None and not swf.progress() and not got:
                break
    finally:
        resumed.close()
    return swf


@pytest.mark.parametrize("seed", range(8))
def test_randomized_repairs_resume_as_full_replays_and_never_rerun_a_completed_task(seed):
    from tests.fixtures import engine_workflows as wf

    for workflow_class, input in ((wf.Strict, [6]), (wf.Mixed, [seed, 12])):
        payload = {"args": input, "kwargs": {}}
        first = _simulate(workflow_class, payload, seed, ExecutionInfo(workflow_id="wf-id", run_id="run-id"), 0.3)
        source = source_from_events(first.events, "wf-id", "run-id")
        info = ExecutionInfo(workflow_id="wf-id", run_id="run-2", repair=source)
        second = _simulate(workflow_class, payload, seed + 100, info, 0.1)
        assert not set(_scheduled(second.events)) & set(source.results)
        assert set(_reused(second.events)) <= set(source.results)
        if second.closed == "completed":  # (a failed one stops at the failing submit: later tasks look unsubmitted)
            assert check_history(workflow_class, second.events)[1] == []


def test_without_jumbo_fields_a_result_too_large_for_a_marker_runs_again_instead():
    from simpleflow.engine._repair import fitting

    big = '"' + "x" * 32700 + '"'  # fits a result (32,768), not a marker with its provenance
    source = RepairSource("wf", "run", {STEP_1: ("tests.pipeline.step", "1"), STEP_2: ("tests.pipeline.step", big)})
    kept, dropped = fitting(source, 32768)
    assert dropped == [STEP_2]
    assert set(kept.results) == {STEP_1}
    assert fitting(kept, 32768) == (kept, [])
