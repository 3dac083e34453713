"""A schedule on the local host: a month of a daily schedule in well under a second of virtual time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow.schedule._workflow import ScheduleWorkflow

# A child's closing event -> how its run ended, and the attribute that says why.
_CLOSED = {
    "ChildWorkflowExecutionCompleted": ("completed", None),
    "ChildWorkflowExecutionFailed": ("failed", "reason"),
    "ChildWorkflowExecutionTimedOut": ("timed_out", "timeoutType"),
    "ChildWorkflowExecutionCanceled": ("canceled", None),
    "ChildWorkflowExecutionTerminated": ("terminated", None),
    "StartChildWorkflowExecutionFailed": ("not started", "cause"),
}


@dataclass(frozen=True, slots=True)
class Fire:
    """One execution a schedule started, and how it ended (``open`` while it had not when the schedule stopped)."""

    workflow_id: str
    status: str = "open"
    reason: str | None = None


def run_local(input: dict[str, Any], seconds: float, signals: list[tuple[float, str, Any]] = ()) -> list[str]:
    """Run the schedule for *seconds* of virtual time; the workflow ids of the executions it started, in order."""
    return [fire.workflow_id for fire in run_local_fires(input, seconds, signals)]


def run_local_fires(
    input: dict[str, Any],
    seconds: float,
    signals: list[tuple[float, str, Any]] = (),
    on_start: Callable[[str], None] | None = None,
) -> list[Fire]:
    """Run the schedule for *seconds* of virtual time; each execution it started and how it ended, in order.

    *on_start* is called with each one's workflow id as the schedule starts it (an interrupt keeps them).
    """
    from simpleflow.history import attributes
    from simpleflow.local import LocalExecution

    workflow_id = f"schedule-{input['args'][0]['name']}"
    execution = LocalExecution(
        ScheduleWorkflow, input, workflow_id=workflow_id, signals=list(signals), cancel_at=seconds
    )
    if on_start is not None:
        execution.family.on_child_initiated = lambda parent, child: on_start(child) if parent == workflow_id else None
    result = execution.execute()
    fires: list[Fire] = []
    while result is not None:  # the schedule continues as new: its runs, last first
        started: dict[int, str] = {}
        ended: dict[str, Fire] = {}
        for event in result.events:
            attrs = attributes(event)
            if event["eventType"] == "StartChildWorkflowExecutionInitiated":
                started[event["eventId"]] = attrs["workflowId"]
            elif event["eventType"] in _CLOSED:
                workflow_id = started.get(attrs.get("initiatedEventId"), "")
                status, why = _CLOSED[event["eventType"]]
                ended[workflow_id] = Fire(workflow_id, status, attrs.get(why) if why else None)
        fires[:0] = [ended.get(workflow_id, Fire(workflow_id)) for workflow_id in started.values()]
        result = result.previous
    return fires
