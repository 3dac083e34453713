"""Print a synthetic SWF history of a bench workflow: ``gen_history.py KIND N DONE``.

KIND is ``Chain``, ``FanOut`` or ``CheckedChain`` (bench_workflows.py), N its input,
DONE how many of its activities have completed (CheckedChain: then its check fails). The events have the shapes
GetWorkflowExecutionHistory returns, activity ids are simpleflow's
(``activity-bench_workflows.inc-<k>``), and the history ends on a decision
task that has just started: the one a decider is answering. ``Chain 4000 4000``
gives 24,006 events (SWF caps a history at 25,000); the right answer to it is
CompleteWorkflowExecution with result 4000.
"""

from __future__ import annotations

import json
import sys

ACTIVITY = "bench_workflows.inc"
TASK_LIST = {"name": "bench"}
START = 1_700_000_000.0


class HistoryWriter:
    """Appends events with consecutive ids and one-second timestamps."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def add(self, event_type: str, **attributes) -> int:
        event_id = len(self.events) + 1
        key = event_type[0].lower() + event_type[1:] + "EventAttributes"
        self.events.append(
            {"eventId": event_id, "eventType": event_type, "eventTimestamp": START + event_id, key: attributes}
        )
        return event_id

    def decision_task(self, completed: bool = True) -> int:
        scheduled = self.add("DecisionTaskScheduled", taskList=TASK_LIST, startToCloseTimeout="300")
        started = self.add("DecisionTaskStarted", scheduledEventId=scheduled, identity="bench")
        if not completed:
            return started
        return self.add("DecisionTaskCompleted", scheduledEventId=scheduled, startedEventId=started)

    def schedule(self, number: int, argument: int, decision_id: int) -> int:
        return self.add(
            "ActivityTaskScheduled",
            activityType={"name": ACTIVITY, "version": "1"},
            activityId=f"activity-{ACTIVITY}-{number}",
            input=json.dumps({"args": [argument], "kwargs": {}}),
            taskList=TASK_LIST,
            decisionTaskCompletedEventId=decision_id,
            scheduleToStartTimeout="300",
            scheduleToCloseTimeout="600",
            startToCloseTimeout="300",
            heartbeatTimeout="300",
        )

    def schedule_check(self, n: int, decision_id: int) -> int:
        """The CheckedChain's check, scheduled at *decision_id* (``activity-bench_workflows.check-1``)."""
        scheduled = self.schedule(0, n, decision_id)
        attributes = self.events[-1]["activityTaskScheduledEventAttributes"]
        attributes["activityType"] = {"name": "bench_workflows.check", "version": "1"}
        attributes["activityId"] = "activity-bench_workflows.check-1"
        return scheduled

    def fail(self, scheduled_id: int) -> None:
        started = self.add("ActivityTaskStarted", scheduledEventId=scheduled_id, identity="worker")
        self.add(
            "ActivityTaskFailed", scheduledEventId=scheduled_id, startedEventId=started, reason="ValueError: refused"
        )
        self.decision_task()

    def complete(self, scheduled_id: int, result: int) -> None:
        started = self.add("ActivityTaskStarted", scheduledEventId=scheduled_id, identity="worker")
        self.add(
            "ActivityTaskCompleted", scheduledEventId=scheduled_id, startedEventId=started, result=json.dumps(result)
        )


def history(kind: str, n: int, done: int) -> dict:
    """The history of ``bench_workflows.<kind>(n)`` with *done* activities completed."""
    writer = HistoryWriter()
    writer.add(
        "WorkflowExecutionStarted",
        workflowType={"name": f"bench-{kind.lower()}", "version": "1"},
        taskList=TASK_LIST,
        input=json.dumps({"args": [n], "kwargs": {}}),
        childPolicy="TERMINATE",
        executionStartToCloseTimeout="86400",
        taskStartToCloseTimeout="300",
        parentInitiatedEventId=0,
    )
    decision_id = writer.decision_task()
    if kind in ("Chain", "CheckedChain"):
        checked = writer.schedule_check(n, decision_id) if kind == "CheckedChain" else None
        for number in range(1, done + 1):
            scheduled = writer.schedule(number, number - 1, decision_id)
            writer.complete(scheduled, number)
            decision_id = writer.decision_task()
        if checked is not None:
            writer.fail(checked)
    elif kind == "FanOut":
        scheduled_ids = [writer.schedule(number, number - 1, decision_id) for number in range(1, n + 1)]
        for number, scheduled in enumerate(scheduled_ids[:done], start=1):
            writer.complete(scheduled, number)
        writer.decision_task()
    else:
        raise SystemExit(f"unknown workflow kind {kind!r} (Chain, FanOut or CheckedChain)")
    writer.decision_task(completed=False)
    return {"events": writer.events}


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: gen_history.py KIND N DONE")
    json.dump(history(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])), sys.stdout)
