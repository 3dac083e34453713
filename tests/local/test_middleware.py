"""Middleware in the local host: called around each activity, in order, with the activity's context."""

from __future__ import annotations

import pytest

from simpleflow.exceptions import UsageError
from simpleflow.local import LocalExecution
from simpleflow.local.executor import Executor, WorkflowFailed
from simpleflow.runtime import middleware
from tests.fixtures import middleware_functions as mwf
from tests.fixtures import pipeline_workflows as pw

MW = "tests.fixtures.middleware_functions"


def _interleaved(workdir) -> list[str]:
    """Middleware calls and activity runs, in the order they happened."""
    lines = [f"{e['when']} {e['activity_id']}" for e in mwf.entries(workdir)]
    return lines


def test_pre_and_post_middlewares_run_around_every_activity_in_the_order_given(tmp_path):
    mws = middleware.load([f"{MW}.before", f"{MW}.before_again"], [f"{MW}.after"])
    result = LocalExecution(pw.PipelineWorkflow, {"args": [str(tmp_path)], "kwargs": {}}, middlewares=mws).execute()
    assert (result.status, result.result) == ("completed", [33, {"label": "v3", "value": 3}])
    ids = [
        "activity-tests.pipeline.step-1",
        "activity-tests.pipeline.step-2",
        next(e["activity_id"] for e in mwf.entries(tmp_path) if "summary" in e["activity_id"]),
        "activity-tests.pipeline.fragile-1",
        "activity-tests.pipeline.step-3",
    ]
    expected = [line for task_id in ids for line in (f"pre {task_id}", f"pre2 {task_id}", f"post {task_id}")]
    assert _interleaved(tmp_path) == expected
    posts = {e["activity_id"]: e["result"] for e in mwf.entries(tmp_path) if e["when"] == "post"}
    assert posts["activity-tests.pipeline.step-3"] == 33
    assert posts[ids[2]] == {"label": "v3", "value": 3}


def test_pre_middleware_receives_the_context_the_activity_gets(tmp_path):
    mws = middleware.load([f"{MW}.before"])
    execution = LocalExecution(
        pw.PipelineWorkflow, {"args": [str(tmp_path)], "kwargs": {}}, middlewares=mws, workflow_id="wf-mw"
    )
    execution.execute()
    first = mwf.entries(tmp_path)[0]
    assert first == {
        "when": "pre",
        "name": "tests.pipeline.step",
        "version": "e2e",
        "activity_id": "activity-tests.pipeline.step-1",
        "workflow_id": "wf-mw",
        "domain_name": "local",
        "activity_task_list": pw.TASK_LIST,
    }


def test_a_failing_activity_gets_no_post_middleware_call(tmp_path):
    (tmp_path / "broken").touch()
    mws = middleware.load([f"{MW}.before"], [f"{MW}.after"])
    result = LocalExecution(pw.PipelineWorkflow, {"args": [str(tmp_path)], "kwargs": {}}, middlewares=mws).execute()
    assert result.status == "failed"
    calls = _interleaved(tmp_path)
    assert "pre activity-tests.pipeline.fragile-1" in calls
    assert "post activity-tests.pipeline.fragile-1" not in calls


def test_a_pre_middleware_that_raises_fails_the_task_before_the_activity_runs(tmp_path):
    mws = middleware.load([f"{MW}.refuse_fragile"])
    result = LocalExecution(pw.PipelineWorkflow, {"args": [str(tmp_path)], "kwargs": {}}, middlewares=mws).execute()
    assert result.status == "failed"
    assert "PermissionError: middleware refuses fragile" in result.reason
    assert pw.runs(tmp_path) == ["step 1", "step 2", "summary"]  # fragile itself never ran


def test_executor_takes_simpleflows_pre_post_dict_of_paths(tmp_path):
    executor = Executor(pw.PipelineWorkflow, middlewares={"pre": [f"{MW}.before"], "post": [f"{MW}.after"]})
    assert executor.run({"args": [str(tmp_path)]})[0] == 33
    assert len(mwf.entries(tmp_path)) == 10
    (tmp_path / "broken").touch()
    with pytest.raises(WorkflowFailed):
        executor.run({"args": [str(tmp_path)]})


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("nodots", "is not a dotted path"),
        ("tests.fixtures.no_such_module.f", "no module named 'tests.fixtures.no_such_module'"),
        (f"{MW}.missing", "has no attribute 'missing'"),
        (f"{MW}.json", "is not a function"),
    ],
)
def test_a_middleware_path_that_does_not_resolve_is_a_one_line_usage_error(path, message):
    with pytest.raises(UsageError, match=message) as caught:
        middleware.load([path])
    assert "\n" not in str(caught.value)


def test_a_middleware_that_cannot_take_its_call_is_refused_at_once_in_one_line():
    """It failed every task, each with a TypeError pointing at simpleflow's middleware module."""
    with pytest.raises(UsageError) as caught:
        middleware.load([f"{MW}.takes_nothing"])
    assert str(caught.value) == (
        f"--middleware-pre-execution '{MW}.takes_nothing' cannot be called as func(context): too many positional "
        "arguments"
    )
    with pytest.raises(UsageError, match=r"cannot be called as func\(context, result=result\): .*'result'"):
        middleware.load(post=[f"{MW}.no_result"])
    with pytest.raises(UsageError, match=r"middlewares\['post'\] .*no_result' cannot be called as"):
        Executor(pw.PipelineWorkflow, middlewares={"post": [f"{MW}.no_result"]})
    assert middleware.load([f"{MW}.no_result", f"{MW}.before"], [f"{MW}.after"])  # what the docs show


def test_child_workflows_of_a_local_run_share_its_middlewares(tmp_path):
    mws = middleware.load([f"{MW}.before"])
    parent = LocalExecution(
        pw.PipelineParent, {"args": [str(tmp_path)], "kwargs": {}}, middlewares=mws, workflow_id="parent"
    )
    result = parent.execute()
    assert result.result[0] == 33
    calls = mwf.entries(tmp_path)
    assert len(calls) == 5
    assert {c["workflow_id"] for c in calls} != {"parent"}  # the child's activities, with the child's context
