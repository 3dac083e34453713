"""Child workflows: simpleflow workflow.start --local examples.child_workflow.ParentWorkflow --input '[3]'"""

from __future__ import annotations

from simpleflow import Workflow, activity
from simpleflow.canvas import Group
from simpleflow.task import ChildWorkflowTask


@activity.with_attributes(task_list="example", version="example")
def double(x):
    return x * 2


class DoubleWorkflow(Workflow):
    """A child: doubles x with an activity."""

    name = "example_double"
    version = "example"
    task_list = "example"

    def run(self, x):
        return self.submit(double, x).result


class NamedChild(Workflow):
    """A child with its own id and task list, and its parent's tags."""

    name = "example_named_child"
    version = "example"
    task_list = "example"
    tag_list = Workflow.INHERIT_TAG_LIST
    child_policy = "ABANDON"

    @staticmethod
    def get_workflow_id(cls, x):
        return f"named-child-{x}"

    @staticmethod
    def get_task_list(cls, x):
        return "example_children"

    def run(self, x):
        return self.get_run_context()["workflow_id"]


class FailingChild(Workflow):
    name = "example_failing_child"
    version = "example"
    task_list = "example"

    def run(self):
        raise RuntimeError("this child always fails")


class ParentWorkflow(Workflow):
    """Runs children in parallel; a failing child (raises_on_failure=False) leaves a failed future."""

    name = "example_parent"
    version = "example"
    task_list = "example"

    def run(self, n):
        doubled = [self.submit(DoubleWorkflow, i) for i in range(n)]
        named = self.submit(NamedChild, n)
        failing = self.submit(Group(ChildWorkflowTask(FailingChild), raises_on_failure=False))
        return {
            "doubled": [f.result for f in doubled],
            "named": named.result,
            "failing_child": failing.exception is not None,
        }
