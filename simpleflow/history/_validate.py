"""Checking that a file's events look like an SWF history before anything folds them."""

from __future__ import annotations

from typing import Any

from simpleflow.exceptions import UsageError

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
