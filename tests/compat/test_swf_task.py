"""simpleflow.swf.task: ActivityTask.execute, WorkflowTask's task list and casts, NonPythonicActivityTask on SWF."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest

from simpleflow import Workflow, activity, task
from simpleflow.swf import client, starter
from simpleflow.swf.decider import Decider
from simpleflow.swf.task import ActivityTask, NonPythonicActivityTask, WorkflowTask
from tests.fixtures import compat_tasks


@activity.with_attributes()
def show_context_func():
    return show_context_func.context


@activity.with_attributes()
class ShowContextCls:
    def execute(self):
        return self.context


@activity.with_attributes()
def add(a, b=0):
    return a + b


def test_execute_runs_the_activity_here_with_the_task_s_context():
    assert ActivityTask(show_context_func).execute() is None
    assert ActivityTask(ShowContextCls).execute() is None
    ctx = {"foo": "bar"}
    assert ActivityTask(show_context_func, context=ctx).execute() == ctx
    assert show_context_func.context == ctx
    assert ActivityTask(ShowContextCls, context=ctx).execute() == ctx
    assert ShowContextCls.context is None  # the instance got it, not the class
    assert ActivityTask(add, 2, b=3).execute() == 5


def test_from_generic_task_casts_and_keeps_the_arguments():
    generic = task.ActivityTask(add, 4, b=1, context={"c": 1})
    cast = ActivityTask.from_generic_task(generic)
    assert (cast.args, cast.context, cast.execute()) == ((4,), {"c": 1}, 5)
    assert NonPythonicActivityTask.from_generic_task(task.ActivityTask(add, a=1)).get_input() == {"a": 1}


class PlainWorkflow(Workflow):
    name = "plain_workflow"

    def run(self, *args, **kwargs):
        pass


class TaskListWorkflow(Workflow):
    name = "task_list_workflow"
    task_list = "from_attribute"

    def run(self, *args, **kwargs):
        pass


class GetTaskListWorkflow(Workflow):
    name = "get_task_list_workflow"

    @staticmethod
    def get_task_list(workflow, *args, **kwargs):
        return f"from_get_task_list-{len(args)}"

    def run(self, *args, **kwargs):
        pass


def test_a_workflow_task_s_task_list_explicit_then_get_task_list_then_attribute():
    assert WorkflowTask(None, PlainWorkflow).task_list is None
    assert WorkflowTask(None, TaskListWorkflow).task_list == "from_attribute"
    assert WorkflowTask(None, GetTaskListWorkflow, 1, 2).task_list == "from_get_task_list-2"
    assert WorkflowTask(None, GetTaskListWorkflow, workflow_task_list="explicit").task_list == "explicit"
    assert WorkflowTask(None, TaskListWorkflow, workflow_task_list="explicit").task_list == "explicit"


def test_from_generic_task_keeps_the_explicit_task_list():
    cast = WorkflowTask.from_generic_task(task.WorkflowTask(None, GetTaskListWorkflow, workflow_task_list="explicit"))
    assert isinstance(cast, WorkflowTask) and cast.task_list == "explicit"
    assert WorkflowTask.from_generic_task(task.ChildWorkflowTask(GetTaskListWorkflow, 7)).task_list == (
        "from_get_task_list-1"
    )


def test_non_pythonic_refuses_positional_and_keyword_arguments_together():
    with pytest.raises(ValueError, match="both"):
        NonPythonicActivityTask(add, 1, b=2)


def test_a_worker_in_another_language_gets_plain_inputs_and_its_results_complete_the_workflow(swf_domain):
    decider = Decider(swf_domain, "non-pythonic-decisions", [compat_tasks.NonPythonicWorkflow])
    started = starter.start_workflow(
        swf_domain,
        compat_tasks.NonPythonicWorkflow,
        {"args": [1, 2], "kwargs": {}},
        workflow_id=f"np-{uuid.uuid4().hex[:8]}",
    )
    swf = boto3.client("swf")
    assert decider.poll_once()
    inputs = {}
    for _ in range(2):  # the worker "in another language": plain boto3
        polled = swf.poll_for_activity_task(domain=swf_domain, taskList={"name": compat_tasks.OTHER_LANGUAGE})
        value = json.loads(polled["input"])
        inputs[polled["activityType"]["name"].rsplit(".", 1)[1]] = value
        result = value["a"] + value["b"] if isinstance(value, dict) else sum(value)
        swf.respond_activity_task_completed(taskToken=polled["taskToken"], result=json.dumps(result))
    while decider.poll_once():
        info = swf.describe_workflow_execution(domain=swf_domain, execution=started)["executionInfo"]
        if info["executionStatus"] == "CLOSED":
            break
    assert inputs == {"go_add": {"a": 1, "b": 2, "meta": {"runtime": "go"}}, "go_sum": [1, 2]}
    events = client.get_history(swf_domain, started["workflowId"], started["runId"])
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted"
    assert json.loads(events[-1]["workflowExecutionCompletedEventAttributes"]["result"]) == [3, 3]
