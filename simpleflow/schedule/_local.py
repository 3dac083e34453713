"""A schedule on the local host: a month of a daily schedule in well under a second of virtual time."""

from __future__ import annotations

from typing import Any

from simpleflow.schedule._workflow import ScheduleWorkflow


def run_local(input: dict[str, Any], seconds: float, signals: list[tuple[float, str, Any]] = ()) -> list[str]:
    """Run the schedule for *seconds* of virtual time; the workflow ids of the executions it started, in order."""
    from simpleflow.local import LocalExecution

    name = input["args"][0]["name"]
    execution = LocalExecution(
        ScheduleWorkflow, input, workflow_id=f"schedule-{name}", signals=list(signals), cancel_at=seconds
    )
    result = execution.execute()
    started = []
    while result is not None:
        started[:0] = [
            e["startChildWorkflowExecutionInitiatedEventAttributes"]["workflowId"]
            for e in result.events
            if e["eventType"] == "StartChildWorkflowExecutionInitiated"
        ]
        result = result.previous
    return started
