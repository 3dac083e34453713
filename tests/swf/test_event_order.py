"""The order of a run's events on the dev server and on the local host, for a decision that starts several things
at once. SWF records every event of a decision (ActivityTaskScheduled, TimerStarted,
StartChildWorkflowExecutionInitiated...) when its decision task completes; what it starts in another execution
(ChildWorkflowExecutionStarted, a signal's delivery) comes after, and a worker's poll starts an activity task later
still."""

from __future__ import annotations

from simpleflow.local import LocalExecution
from simpleflow.swf import client
from simpleflow.swf.starter import start_workflow
from tests.fixtures import event_order_workflows as wf
from tests.swf.test_execution_timeout import _wait_all_closed
from tests.swf.test_features import decider_and_worker

NO_INPUT = {"args": [], "kwargs": {}}


def _types(events: list[dict]) -> list[str]:
    """The event types in order, decision tasks left out: the dev server schedules one as an event calls for it,
    and a decider's poll starts it; the local host schedules it only as it gives the run its next decision task
    (after its one worker's activities)."""
    return [e["eventType"] for e in events if not e["eventType"].startswith("DecisionTask")]


def test_a_decision_with_activities_a_timer_a_child_and_a_signal_records_them_in_the_same_order_as_locally(
    fast_domain,
):
    local = LocalExecution(wf.EverythingAtOnce, NO_INPUT).execute()  # one worker
    # One activity poll at a time, as the local host's one worker.
    with decider_and_worker(fast_domain, [wf.EverythingAtOnce, wf.WaitingChild], modules=(wf.__name__,)) as task_list:
        execution = start_workflow(fast_domain, wf.EverythingAtOnce, NO_INPUT, task_list=task_list)
        _wait_all_closed(fast_domain)
    remote = client.get_history(fast_domain, execution["workflowId"], execution["runId"])
    assert local.result == [1, 2, 3, "woke"]
    assert _types(local.events) == _types(remote), _types(remote)
    assert _types(local.events) == [
        "WorkflowExecutionStarted",
        *["ActivityTaskScheduled"] * 3,
        "TimerStarted",
        "StartChildWorkflowExecutionInitiated",
        "SignalExternalWorkflowExecutionInitiated",
        # Once the whole decision is recorded, what it starts elsewhere, in its order: the child, the signal.
        "ChildWorkflowExecutionStarted",
        "WorkflowExecutionSignaled",
        "ExternalWorkflowExecutionSignaled",
        *["ActivityTaskStarted", "ActivityTaskCompleted"] * 3,  # then the worker's polls, one task at a time
        "ChildWorkflowExecutionCompleted",  # its two hours
        "TimerFired",  # four hours
        "WorkflowExecutionCompleted",
    ]
