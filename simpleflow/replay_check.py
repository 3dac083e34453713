"""Checking a recorded history against the current workflow code (``workflow.replay``)."""

from __future__ import annotations

from typing import Any

from simpleflow.engine import PATCH_MARKER_PREFIX, ExecutionInfo, WorkflowRun
from simpleflow.exceptions import UsageError
from simpleflow.swf_events import until_closed

# Attributes SWF always gives as strings: the free-text fields (where a jumbo field reference may be)
# and the ids and names the engine matches on.
_TEXT_ATTRIBUTES = frozenset(
    ("input", "result", "reason", "details", "control", "executionContext", "cause")
    + ("activityId", "timerId", "markerName", "signalName", "workflowId", "runId")
)


def validate_events(events: Any) -> list[dict[str, Any]]:
    """*events* if they look like an SWF history (what ``workflow.history`` writes).

    Raises:
        UsageError: one line naming the first thing that is not an SWF event.
    """
    if not isinstance(events, list) or not events:
        raise UsageError('the history holds no events: expected {"events": [...]} as workflow.history writes')
    previous = 0
    for position, event in enumerate(events, 1):
        if not isinstance(event, dict):
            raise UsageError(f"history event #{position} is a {type(event).__name__}, not an SWF event object")
        event_id, event_type = event.get("eventId"), event.get("eventType")
        if not isinstance(event_id, int) or not isinstance(event_type, str) or not event_type:
            raise UsageError(f"history event #{position} has no eventId and eventType: {_shown(event)}")
        if event_id <= previous:
            raise UsageError(f"history event #{position}: eventId {event_id} does not follow {previous}")
        previous = event_id
        attributes = event.get(event_type[0].lower() + event_type[1:] + "EventAttributes")
        if attributes is not None and not isinstance(attributes, dict):
            raise UsageError(f"history event {event_id} ({event_type}): its attributes are not an object")
        for name, value in (attributes or {}).items():
            if name in _TEXT_ATTRIBUTES and value is not None and not isinstance(value, str):
                raise UsageError(
                    f"history event {event_id} ({event_type}): {name} is a {type(value).__name__}, not a string"
                )
    if events[0]["eventType"] != "WorkflowExecutionStarted":
        raise UsageError(f"the history starts with {events[0]['eventType']}, not WorkflowExecutionStarted")
    return events


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _closed_without_patch(decisions: list[dict[str, Any]], closed: bool) -> list[str]:
    """A closed history on which the code records a patch marker went past ``patched`` before the change."""
    if not closed:
        return []
    found = []
    for decision in decisions:
        name = (decision.get("recordMarkerDecisionAttributes") or {}).get("markerName") or ""
        if decision["decisionType"] == "RecordMarker" and name.startswith(PATCH_MARKER_PREFIX):
            change_id = name[len(PATCH_MARKER_PREFIX) :]
            found.append(
                f"patch marker {name!r} is missing: the history closed without it, so the execution went past "
                f"patched({change_id!r}) before the change (the code takes the new path there)"
            )
    return found


def check_history(
    workflow_class: type, events: list[dict[str, Any]], *, workflow_id: str | None = None, run_id: str | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The decisions the code takes on *events*, and where the history does not fit the code.

    Raises:
        UsageError: *events* are not an SWF history the engine can read.
    """
    from simpleflow import jumbo

    # A history that already closed: replay up to its last decision task, as the decider saw it.
    everything = jumbo.decode_events(validate_events(events))
    events = until_closed(everything)
    run = WorkflowRun(workflow_class, ExecutionInfo(workflow_id=workflow_id, run_id=run_id))
    try:
        try:
            decisions = run.advance(events)
        except Exception as err:  # errors in ``run`` fail the workflow inside the engine: this is the history
            raise UsageError(f"the history cannot be replayed: {type(err).__name__}: {err}") from err
        return decisions, _closed_without_patch(decisions, len(events) < len(everything)) + run.mismatches
    finally:
        run.close()
