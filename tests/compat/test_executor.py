"""What simpleflow 0.36's documentation has a workflow read of its executor: ``default_failure_handling``
(its error handling page: ``on_task_failure`` decides ``handled`` after calling it) and ``task_list``
(its task lists page: ``WorkflowTask(..., workflow_task_list=self._executor.task_list)``); and the
execution's own record the hooks' history has, ``history.workflow``."""

from __future__ import annotations

import datetime

import pytest

from simpleflow import Workflow, activity
from simpleflow.exceptions import WorkflowFailed
from simpleflow.history import History, HistoryView
from simpleflow.local import Executor, LocalExecution
from simpleflow.task import TaskFailureContext
from tests.fixtures import compat_workflows as cw
from tests.history_builder import HistoryBuilder

CALLS: list[str] = []


@activity.with_attributes(task_list="compat-tl", version="1", raises_on_failure=False)
def soft_failure(x: int) -> int:
    CALLS.append("soft")
    raise ValueError(f"soft {x}")


@activity.with_attributes(task_list="compat-tl", version="1", raises_on_failure=True, retry=1)
def hard_failure(x: int) -> int:
    CALLS.append("hard")
    raise ValueError(f"hard {x}")


class DefaultHandling(Workflow):
    name = "compat-default-handling"
    version = "1"
    task_list = "compat-decisions"
    seen: list = []

    def on_task_failure(self, failure_context: TaskFailureContext) -> TaskFailureContext:
        handled = self.executor.default_failure_handling(failure_context)
        type(self).seen.append((handled.decision, handled.future is None))
        return handled

    def run(self, which: str) -> bool:
        if which == "soft":
            return self.submit(soft_failure, 1).exception is not None
        return self.submit(hard_failure, 1).result


def test_default_failure_handling_keeps_a_failure_past_its_retries_that_does_not_raise():
    CALLS.clear()
    DefaultHandling.seen = []
    assert Executor(DefaultHandling).run({"args": ["soft"]}) is True
    assert CALLS == ["soft"]
    assert DefaultHandling.seen[-1] == (TaskFailureContext.Decision.handled, False)


def test_default_failure_handling_retries_while_retry_allows_then_raises():
    CALLS.clear()
    DefaultHandling.seen = []
    with pytest.raises(WorkflowFailed, match="hard 1"):
        Executor(DefaultHandling).run({"args": ["hard"]})
    assert CALLS == ["hard", "hard"]  # retry=1: one more attempt
    assert (TaskFailureContext.Decision.handled, True) in DefaultHandling.seen  # future None: retried


def test_the_executor_names_the_executions_decision_task_list_and_a_child_can_be_sent_there():
    assert Executor(cw.OwnTaskList).run() == "compat-elsewhere"
    assert Executor(cw.ParentRoutesChild).run() == [True, True]
    execution = LocalExecution(cw.ParentRoutesChild, {"args": [], "kwargs": {}})
    assert execution.execute().completed
    child = execution.family.members[1]
    assert child.events[0]["workflowExecutionStartedEventAttributes"]["taskList"] == {"name": "compat-decisions"}


def test_the_hooks_history_has_the_executions_own_record_as_workflow():
    b = HistoryBuilder(input={"args": [1], "kwargs": {}}, task_list="decisions", tag_list=["a=1"])
    b.decision()
    b.complete_workflow({"done": True})
    record = HistoryView(History(b.events)).workflow
    utc = datetime.timezone.utc
    assert record["state"] == "completed" and record["result"] == '{"done":true}'  # SWF's text, as simpleflow's
    assert (record["started_id"], record["completed_id"]) == (1, 5)
    assert record["started_timestamp"] == datetime.datetime.fromtimestamp(b.events[0]["eventTimestamp"], utc)
    assert record["input"] == {"args": [1], "kwargs": {}}  # the start's, decoded
    assert (record["task_list"], record["tag_list"], record["child_policy"]) == ("decisions", ["a=1"], "TERMINATE")
    assert record["workflow_type"] == {"name": "wf", "version": "1"}
    assert record["decision_task_completed_event_id"] == 4


def test_the_hooks_history_has_simpleflow_s_keys_for_the_start_timers_and_signals_sent():
    b = HistoryBuilder(input={"args": [], "kwargs": {}})
    decided = b.decision()
    b.start_timer("nap", 5)
    fired = b.fire_timer("nap")
    sent = b.add(
        "SignalExternalWorkflowExecutionInitiated",
        signalName="go",
        workflowId="other",
        input='{"args": [1]}',
        decisionTaskCompletedEventId=decided,
    )
    b.add("ExternalWorkflowExecutionSignaled", initiatedEventId=sent, workflowExecution={"workflowId": "other"})
    view = HistoryView(History(b.events))
    # None when the start leaves them out, as simpleflow's record has them (no tags here)
    absent = ("tag_list", "parent_workflow_execution", "task_priority")
    assert {key: view.workflow[key] for key in absent} == dict.fromkeys(absent)
    timer = view.timers["nap"]
    assert timer["fired_event_timestamp"] == timer["fired_timestamp"] and timer["fired_event_id"] == fired
    [signal] = view.signaled_workflows["go"]
    assert (signal["id"], signal["signal_name"], signal["state"]) == ("other", "go", "execution_signaled")


def test_an_event_without_input_has_an_empty_dict_as_simpleflow_s():
    b = HistoryBuilder()
    del b.events[0]["workflowExecutionStartedEventAttributes"]["input"]  # started without input
    b.decision()
    events = HistoryView(History(b.events)).events
    assert [event.input for event in events[:3]] == [{}, {}, {}]  # a start without input, decision events
