"""``Run``, what a test reads of a finished execution: its result, or why it failed and where."""

from __future__ import annotations

import inspect

import pytest

from simpleflow.exceptions import WorkflowFailed
from simpleflow.testing import WorkflowEnv
from tests.testing import workflows as wf


@pytest.fixture
def env():
    with WorkflowEnv() as environment:
        yield environment


def test_a_failed_run_names_the_workflows_line_that_raised_and_the_tasks_that_failed(env):
    env.override(wf.risky, RuntimeError("db down"))
    run = env.run(wf.Careless, 1)
    with pytest.raises(WorkflowFailed) as caught:
        _ = run.result
    line = inspect.getsourcelines(wf.Careless.run)[1] + 1
    assert str(caught.value) == (
        "Cannot replay the workflow: TypeError('NoneType' object is not subscriptable) "
        f"(tests/testing/workflows.py, line {line}, in run)"
    )
    assert caught.value.reason == run.reason  # the reason as the history has it, the line apart
    assert caught.value.where == f"tests/testing/workflows.py, line {line}, in run"
    [note] = caught.value.__notes__
    assert note.startswith("task activity-tests.testing.workflows.risky-1 failed: RuntimeError: db down (")


def test_each_child_run_tells_the_time_it_took(env):
    run = env.run(wf.Sleepers)
    assert run.result == [2, 3]
    assert [round(child.elapsed / 3600, 1) for child in run.children] == [2.0, 3.0]
    assert round(run.elapsed / 3600, 1) == 3.0


def test_a_tasks_record_keeps_the_historys_text_and_gives_its_input_and_result_decoded(env):
    big = "x" * 40_000
    env.override(wf.fetch, lambda key: {"key": key, "big": big})
    run = env.run(wf.Parent, ["a", "b"])
    [first, timer, second] = run.tasks
    assert (first.kind, timer.id, second.kind) == ("child_workflow", "pause", "child_workflow")
    assert (first.args, first.kwargs, first.value) == (["a"], {}, {"key": "a", "big": big})
    activity = run.children[0].task("activity-tests.testing.workflows.fetch-1")
    assert activity.result.startswith("simpleflow+s3://")  # as the history has it: a jumbo field's reference
    assert (activity.args, activity.kwargs, activity.value) == (["a"], {}, {"key": "a", "big": big})
    assert [call.result for call in env.calls(wf.fetch)] == [first.value, second.value]


def test_a_tasks_values_are_read_from_an_environment_used_without_with():
    env = WorkflowEnv()
    env.override(wf.risky, lambda n: "y" * 40_000)
    [task] = env.run(wf.Tolerant, 1).tasks
    assert task.value == "y" * 40_000  # its jumbo field read from the env's store, its settings put back after
