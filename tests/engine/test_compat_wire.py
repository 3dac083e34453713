"""simpleflow's wire format at the engine level: child workflows, priorities, failures, retries.

An execution started the way simpleflow starts it is fed to our decider as a history here, for its
exact decisions; the same children run end to end on the dev server in tests/swf/test_children.py.
"""

from __future__ import annotations

import json
import sys
import zlib

import pytest

from simpleflow import Workflow, activity
from simpleflow.engine import ExecutionInfo, replay
from simpleflow.swf.decider import Decider
from simpleflow.swf.task import WorkflowTask
from tests.fixtures import compat_workflows as cw
from tests.history_builder import HistoryBuilder

INFO = ExecutionInfo(domain="d", workflow_id="wf-id", run_id="run-id")
RUN_HASH = f"{zlib.adler32(b'run-id') & 0xFFFFFFFF:x}"
CHILD_TYPE = "tests.fixtures.compat_workflows.ChildWithoutId"
ONE = {"args": [1], "kwargs": {}}  # the input of a task given 1


def decisions_of(decisions, kind):
    key = kind[0].lower() + kind[1:] + "DecisionAttributes"
    return [d[key] for d in decisions if d["decisionType"] == kind]


def test_children_start_under_the_class_type_name_with_a_plain_input_and_generated_or_chosen_ids():
    b = HistoryBuilder(input={"args": [3], "kwargs": {}})
    b.decision_started()
    starts = decisions_of(replay(cw.ParentWorkflow, b.events, INFO), "StartChildWorkflowExecution")
    assert [s["workflowId"] for s in starts] == [f"workflow-compat-child-wf-id--{RUN_HASH}--1", "compat-named-child"]
    assert {s["workflowType"]["name"] for s in starts} == {CHILD_TYPE}
    assert {s["workflowType"]["version"] for s in starts} == {"3"}
    assert [json.loads(s["input"]) for s in starts] == [
        {"args": [3], "kwargs": {}},
        {"args": [4], "kwargs": {"workflow_name": "compat-named-child"}},
    ]


def test_a_child_started_the_original_way_is_decided_by_a_decider_not_given_its_class():
    child = HistoryBuilder(
        workflow_name=CHILD_TYPE, version="3", input={"args": [3], "kwargs": {}}, workflow_id="some-child"
    )
    child.decision_started()
    started = child.attributes(1)
    decider = Decider("d", "compat-decisions", [cw.ParentWorkflow])
    assert decider.workflow_class(started) is cw.ChildWithoutId
    scheduled = decisions_of(replay(cw.ChildWithoutId, child.events, INFO), "ScheduleActivityTask")
    assert [(s["activityType"]["name"], json.loads(s["input"])) for s in scheduled] == [
        ("tests.fixtures.compat_activities.double", {"args": [3], "kwargs": {}})
    ]


@pytest.mark.parametrize("type_name", ["os.system", "tests.fixtures.compat_activities.double", "no.such.Module"])
def test_a_decider_never_takes_a_type_name_that_is_not_a_workflow_class(type_name):
    started = HistoryBuilder(workflow_name=type_name, input={"args": [], "kwargs": {}}).attributes(1)
    assert Decider("d", "compat-decisions", []).workflow_class(started) is None  # any package, no Workflow


@pytest.mark.parametrize("path", ["tests.fixtures.exits_on_import.W", "tests.fixtures.__main__.W"])
def test_a_class_path_naming_a_module_that_exits_or_a_script_leaves_the_decider_running(path):
    started = HistoryBuilder(workflow_name="t", input={"args": [], "kwargs": {}, "__extra": {"class": path}})
    assert Decider("d", "compat-decisions", [cw.ParentWorkflow]).workflow_class(started.attributes(1)) is None
    assert "tests.fixtures.__main__" not in sys.modules  # a __main__ is never imported, not even to fail


@pytest.mark.parametrize("by", ["type name", "class path"])
def test_a_decider_imports_no_workflow_outside_the_packages_of_the_workflows_it_serves(by):
    path = "examples.basic.BasicWorkflow"  # a Workflow subclass, importable, but not in package "tests"
    extra = {"__extra": {"class": path}} if by == "class path" else {}
    started = HistoryBuilder(workflow_name=path if by == "type name" else "t", input={"args": [], **extra})
    assert Decider("d", "compat-decisions", [cw.ParentWorkflow]).workflow_class(started.attributes(1)) is None
    served_beside = Decider("d", "compat-decisions", [cw.ParentWorkflow, _examples_workflow()])
    assert served_beside.workflow_class(started.attributes(1)).__name__ == "BasicWorkflow"
    serving_nothing = Decider("d", "compat-decisions", [])  # simpleflow's form: any package on its path
    assert serving_nothing.workflow_class(started.attributes(1)).__name__ == "BasicWorkflow"


def _examples_workflow() -> type:
    from examples.retry_policy import RetryPolicyWorkflow

    return RetryPolicyWorkflow


@pytest.mark.parametrize("extra", [3, {"class": []}, {"class": 5}, {"class": {"a": 1}}], ids=repr)
def test_a_class_path_that_is_not_a_string_is_no_path_and_the_type_decides(extra):
    started = HistoryBuilder(workflow_name="compat-priority", input={"args": [], "kwargs": {}, "__extra": extra})
    assert Decider("d", "compat-decisions", [cw.PriorityWorkflow]).workflow_class(started.attributes(1)) is (
        cw.PriorityWorkflow
    )


class _Parent(Workflow):
    name = "compat-strict-parent"
    version = "1"
    task_list = "tl"

    def run(self):
        return self.submit(cw.ChildWithoutId, 1).result


@pytest.mark.parametrize(
    "event_type, shown",
    [("ChildWorkflowExecutionCanceled", "TaskCanceled()"), ("ChildWorkflowExecutionTerminated", "TaskTerminated()")],
)
def test_a_canceled_or_terminated_child_fails_the_parent(event_type, shown):
    b = HistoryBuilder()
    b.decision()
    child_id = f"workflow-compat-child-wf-id--{RUN_HASH}--1"
    initiated = b.start_child_workflow(child_id, CHILD_TYPE, "3", input={"args": [1], "kwargs": {}})
    b.start_child(initiated)
    b.add(
        event_type,
        workflowExecution={"workflowId": child_id, "runId": "child-run-id"},
        workflowType={"name": CHILD_TYPE, "version": "3"},
        initiatedEventId=initiated,
        startedEventId=initiated + 1,
    )
    b.decision_started()
    [failure] = decisions_of(replay(_Parent, b.events, INFO), "FailWorkflowExecution")
    assert failure["reason"] == f'Workflow execution error in workflow-compat-child: "{shown}"'


def test_a_failed_child_fails_the_parent_with_the_child_reason():
    b = HistoryBuilder()
    b.decision()
    initiated = b.start_child_workflow(f"workflow-compat-child-wf-id--{RUN_HASH}--1", CHILD_TYPE, "3", input=ONE)
    b.fail_child(initiated, reason="ValueError: no")
    b.decision_started()
    [failure] = decisions_of(replay(_Parent, b.events, INFO), "FailWorkflowExecution")
    assert failure["reason"] == 'Workflow execution error in workflow-compat-child: "ValueError: no"'


def test_a_child_failed_without_a_reason_fails_the_parent_with_none_as_the_original():
    b = HistoryBuilder()
    b.decision()
    initiated = b.start_child_workflow(f"workflow-compat-child-wf-id--{RUN_HASH}--1", CHILD_TYPE, "3", input=ONE)
    b.fail_child(initiated)
    del b.attributes(len(b.events))["reason"]  # SWF leaves out a reason the child's decider did not give
    b.decision_started()
    [failure] = decisions_of(replay(_Parent, b.events, INFO), "FailWorkflowExecution")
    assert failure["reason"] == 'Workflow execution error in workflow-compat-child: "None"'


def test_submit_priority_comes_before_the_workflow_default_and_none_sets_none():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b.decision()
    first = b.schedule_activity(
        "activity-tests.fixtures.compat_activities.double-1", "tests.fixtures.compat_activities.double", "1", ONE
    )
    b.complete_activity(first, result=2)
    second = b.schedule_activity(
        "activity-tests.fixtures.compat_activities.double-2",
        "tests.fixtures.compat_activities.double",
        "1",
        {"args": [2], "kwargs": {}},
    )
    b.complete_activity(second, result=4)
    b.decision_started()
    [third] = decisions_of(replay(cw.PriorityWorkflow, b.events, INFO), "ScheduleActivityTask")
    assert json.loads(third["input"]) == {"args": [4], "kwargs": {}}  # __priority is not an argument
    assert "taskPriority" not in third

    b0 = HistoryBuilder(input={"args": [1], "kwargs": {}})
    b0.decision_started()
    [a] = decisions_of(replay(cw.PriorityWorkflow, b0.events, INFO), "ScheduleActivityTask")
    assert (a["taskPriority"], json.loads(a["input"])) == ("9", {"args": [1], "kwargs": {}})
    b0.decision_completed(b0.events[-1]["eventId"])
    s = b0.schedule_activity(a["activityId"], "tests.fixtures.compat_activities.double", "1", ONE)
    b0.complete_activity(s, result=2)
    b0.decision_started()
    [b_] = decisions_of(replay(cw.PriorityWorkflow, b0.events, INFO), "ScheduleActivityTask")
    assert b_["taskPriority"] == "5"  # the workflow's task_priority


@activity.with_attributes(task_list="tl", version="1")
def picky(fail: bool = True) -> str:
    return "ok"


class _RetryWithNewArguments(Workflow):
    """As simpleflow's examples/failing.py: the retry runs with arguments on_task_failure chose."""

    name = "compat-retry"
    version = "1"
    task_list = "tl"

    def run(self):
        return self.submit(picky, fail=True).result

    def on_task_failure(self, failure_context):
        failure_context.a_task.kwargs = {"fail": False}
        return failure_context.decide_retry(60)


def test_a_retry_after_a_wait_takes_the_arguments_on_task_failure_set_and_a_replay_keeps_them():
    name = f"{__name__}.picky"
    b = HistoryBuilder()
    b.decision()
    scheduled = b.schedule_activity(f"activity-{name}-1", name, "1", input={"args": [], "kwargs": {"fail": True}})
    b.fail_activity(scheduled)
    b.decision_started()
    [timer] = decisions_of(replay(_RetryWithNewArguments, b.events, INFO), "StartTimer")
    assert json.loads(timer["control"]) == {"args": [], "kwargs": {"fail": False}}
    b.decision_completed(b.events[-1]["eventId"])
    b.start_timer(timer["timerId"], 60, control={"args": [], "kwargs": {"fail": False}})
    b.fire_timer(timer["timerId"])
    b.decision_started()
    [again] = decisions_of(replay(_RetryWithNewArguments, b.events, INFO), "ScheduleActivityTask")
    # The second attempt says so (``__attempt``, for the worker's log fields and spans); 0.36 workers read
    # only "args", "kwargs" and "meta".
    assert (again["activityId"], json.loads(again["input"])) == (
        f"activity-{name}-1",
        {"args": [], "kwargs": {"fail": False}, "__attempt": 2},
    )


def test_a_child_workflow_task_is_a_workflow_task_as_in_simpleflow():
    from simpleflow.task import ChildWorkflowTask

    assert isinstance(ChildWorkflowTask(cw.ChildWithoutId, 1), WorkflowTask)
    assert not isinstance(object(), WorkflowTask)


class _Looker(Workflow):
    """Reads the history its hooks get the way simpleflow's users do."""

    name = "compat-looker"
    version = "1"
    task_list = "tl"
    seen: list = []
    timers: dict = {}

    def after_replay(self, history):
        first = history.events[0]
        activities = history.activities
        _Looker.timers = history.timers
        _Looker.seen.append(
            (first.id, first.type, first.state, first.input, [(a["id"], a["input"]) for a in activities.values()])
        )

    def run(self, x):
        self.submit(self.start_timer("nap", 5, control={"why": "test"}))
        return self.submit(cw.acts.double, x).result


def test_hooks_get_events_as_objects_and_activities_with_their_input_decoded():
    _Looker.seen = []
    b = HistoryBuilder(input={"args": [2], "kwargs": {}})
    b.decision()
    b.schedule_activity(
        "activity-tests.fixtures.compat_activities.double-1",
        "tests.fixtures.compat_activities.double",
        "1",
        input={"args": [2], "kwargs": {}},
    )
    b.start_timer("nap", 5, control={"why": "test"})
    b.decision_started()
    replay(_Looker, b.events, INFO)
    timer = _Looker.timers["nap"]
    assert (timer["start_to_fire_timeout"], timer["control"]) == (5, {"why": "test"})
    assert timer["started_event_timestamp"] == timer["started_timestamp"]
    assert _Looker.seen == [
        (
            1,
            "WorkflowExecution",
            "started",
            {"args": [2], "kwargs": {}},
            [("activity-tests.fixtures.compat_activities.double-1", {"args": [2], "kwargs": {}})],
        )
    ]
