"""One Outcome type for the local host, standalone and activity runs, with one spelling of the statuses."""

from __future__ import annotations

from simpleflow import Workflow, activity
from simpleflow.local import LocalExecution, LocalResult
from simpleflow.runtime.outcome import STATUSES, Outcome, run_activity


@activity.with_attributes(task_list="local", version="1", raises_on_failure=True)
def refuse(x):
    raise ValueError(f"no {x}")


class Refuses(Workflow):
    name = "refuses"
    version = "1"
    task_list = "local"

    def run(self):
        return self.submit(refuse, 1).result


def test_a_failed_local_execution_and_a_failed_activity_answer_the_same_type_and_spelling():
    execution = LocalExecution(Refuses, {"args": [], "kwargs": {}}).execute()
    task = run_activity(activity.find(refuse.name), '{"args": [2], "kwargs": {}}', {})
    assert type(execution) is type(task) is Outcome is LocalResult
    assert (execution.status, task.status) == ("failed", "failed")
    assert "no 1" in execution.reason and task.reason == "ValueError: no 2"
    assert execution.close_status == "FAILED" and not execution.completed


def test_statuses_are_swf_close_statuses_lowercased():
    swf_close_statuses = {"COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"}
    assert {Outcome(status).close_status for status in STATUSES} == swf_close_statuses
