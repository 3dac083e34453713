"""Failures a workflow lives with: simpleflow workflow.start --local examples.failing.NotFailingWorkflow

simpleflow 0.36's ``examples/failing.py``, the same names and behaviour. ``NotFailingWorkflow`` submits, as
one group that does not raise, a child ``FailingWorkflow`` (whose ``fail_and_raise`` fails it) and
``timeout_no_raise``, which sleeps two minutes past its 10 s start-to-close timeout. SWF times that attempt
out after 10 s, and so does the local host: the group's task ends with ``TimeoutError(START_TO_CLOSE)``.
The child's failure reaches ``NotFailingWorkflow.on_task_failure``, which retries it a minute later, twice,
the second time with ``fail=False``, so that it completes; so does the workflow, in about 10 s (the minutes
of retry waits are timers: virtual time with --local).
"""

from __future__ import annotations

import time

from simpleflow import Workflow, activity, futures
from simpleflow.canvas import Group
from simpleflow.constants import MINUTE
from simpleflow.swf.task import WorkflowTask
from simpleflow.task import TaskFailureContext


@activity.with_attributes(task_list="quickstart", version="example", retry=1, raises_on_failure=False)
def fail_but_dont_raise():
    raise ValueError("this task fails, twice, and its workflow goes on")


@activity.with_attributes(task_list="quickstart", version="example", raises_on_failure=True)
def fail_and_raise():
    raise ValueError("this task fails its workflow")


@activity.with_attributes(task_list="quickstart", version="example", start_to_close_timeout=10, raises_on_failure=False)
def timeout_no_raise():
    time.sleep(120)  # SWF times the attempt out after 10 s; what it returns afterwards is dropped


class FailingWorkflow(Workflow):
    """Fails when *fail* (``fail_and_raise`` raises); completes otherwise."""

    name = "failing"
    version = "example"
    task_list = "example"
    retry = 1

    def run(self, fail=True):
        tolerated = self.submit(fail_but_dont_raise)
        if not fail:
            futures.wait(tolerated)
            return None
        fatal = self.submit(fail_and_raise)
        futures.wait(tolerated, fatal)
        raise AssertionError("fail_and_raise failed this workflow before it got here")

    def on_task_failure(self, failure_context: TaskFailureContext):
        print(f"FailingWorkflow: {failure_context.task_name} failed: {failure_context.exception!r}")
        return None  # the task's own retry and raises_on_failure decide


class NotFailingWorkflow(Workflow):
    """A failing child retried until it completes, and an activity that times out: it completes."""

    name = "basic"
    version = "example"
    task_list = "example"

    def run(self, *args, **kwargs):
        group = Group(raises_on_failure=False)
        group.append(FailingWorkflow)
        group.append(timeout_no_raise)
        futures.wait(self.submit(group))

    def on_completed(self, history):
        print("NotFailingWorkflow: completed")

    def on_failure(self, history, reason, details=None):
        print(f"NotFailingWorkflow: failed ({reason}), which it should not")

    def on_task_failure(self, failure_context: TaskFailureContext):
        child = isinstance(failure_context.a_task, WorkflowTask) and failure_context.task_name == "failing"
        if not child:
            print(f"NotFailingWorkflow: {failure_context.task_name}: {failure_context.exception!r}, left to the group")
            return None
        retries = failure_context.retry_count
        if retries >= 2:
            return None
        failure_context.decision = failure_context.Decision.retry_later
        failure_context.retry_wait_timeout = MINUTE
        if retries == 1:  # the last retry is one that succeeds
            failure_context.a_task.kwargs = {"fail": False}
        return failure_context
