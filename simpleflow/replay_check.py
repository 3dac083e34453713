"""Checking a recorded history against the current workflow code (``workflow.replay``)."""

from __future__ import annotations

from typing import Any

from simpleflow.engine import ExecutionInfo, WorkflowRun
from simpleflow.swf_events import CLOSING_EVENTS


def check_history(
    workflow_class: type, events: list[dict[str, Any]], *, workflow_id: str | None = None, run_id: str | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The decisions the code takes on *events*, and where the history does not fit the code."""
    from simpleflow import jumbo

    events = jumbo.decode_events(events)
    # A history that already closed: replay up to its last decision task, as the decider saw it.
    cut = len(events)
    for i, event in enumerate(events):
        if event["eventType"] in CLOSING_EVENTS:
            cut = i
            break
    run = WorkflowRun(workflow_class, ExecutionInfo(workflow_id=workflow_id, run_id=run_id))
    try:
        decisions = run.advance(events[:cut])
        return decisions, run.mismatches
    finally:
        run.close()
