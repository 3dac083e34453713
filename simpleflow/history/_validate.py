"""What makes a list of events an SWF history, and the one line that names the first thing that does not.

The fold (``History.extend``) checks every event as it folds it in, at no extra pass: ids that follow one
another, attributes that are objects, text fields that are strings, no event after the one that closed
the run. When an event fails a check (or breaks a handler), ``diagnose`` reads the events again to name
the first problem in one line; a history that folds without error costs nothing more. ``validate_events``
is the same check as a pass of its own, for events nothing folds.
"""

from __future__ import annotations

from typing import Any

from simpleflow.exceptions import UsageError
from simpleflow.history._shapes import CLOSING_EVENTS

# Attributes SWF always gives as strings: the free-text fields (where a jumbo field reference may be)
# and the ids and names the engine matches on.
TEXT_ATTRIBUTES = frozenset(
    ("input", "result", "reason", "details", "control", "executionContext", "cause")
    + ("activityId", "timerId", "markerName", "signalName", "workflowId", "runId")
)

# The text attributes SWF defines for the events that make most of a history: the fold checks only these
# there (an attribute SWF does not define for the type is read by nothing). Every other type has all of
# its attributes checked.
HOT_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "DecisionTaskScheduled": (),
    "DecisionTaskStarted": (),
    "DecisionTaskCompleted": ("executionContext",),
    "ActivityTaskScheduled": ("activityId", "input", "control"),
    "ActivityTaskStarted": (),
    "ActivityTaskCompleted": ("result",),
}

# Attributes SWF gives as structures (``ActivityType``, ``TaskList``, ``WorkflowExecution``...): readers look
# inside them. The fold does not check them (it breaks on one that is not an object, and ``diagnose`` names it);
# ``validate_events``, for events nothing folds, does.
OBJECT_ATTRIBUTES = frozenset(
    {
        "activityType",
        "workflowType",
        "taskList",
        "workflowExecution",
        "externalWorkflowExecution",
        "parentWorkflowExecution",
    }
)

# The attributes SWF always gives (its API reference marks them "Required: Yes") that the fold reads without a
# default, and inside the type attributes, the name, a string. The fold does not check them: it breaks on a
# missing one, and ``diagnose`` names it.
_TYPED = ("activityType", "workflowType")
REQUIRED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "ActivityTaskScheduled": ("activityId", "activityType"),
    "ScheduleActivityTaskFailed": ("activityId",),
    "TimerStarted": ("timerId",),
    "TimerFired": ("timerId",),
    "TimerCanceled": ("timerId",),
    "StartTimerFailed": ("timerId",),
    "MarkerRecorded": ("markerName",),
    "RecordMarkerFailed": ("markerName",),
    "WorkflowExecutionSignaled": ("signalName",),
    "SignalExternalWorkflowExecutionInitiated": ("signalName",),
    "StartChildWorkflowExecutionInitiated": ("workflowId", "workflowType"),
    "StartChildWorkflowExecutionFailed": ("workflowId", "workflowType"),
}

NO_EVENTS = 'the history holds no events: expected {"events": [...]} as workflow.history writes'


class MalformedHistory(UsageError):
    """A list of events that is not an SWF history; the message names the first problem."""


def attributes_name(event_type: str) -> str:
    return event_type[0].lower() + event_type[1:] + "EventAttributes"


def event_problem(event: Any, position: int, previous: int) -> str | None:
    """What makes *event* (the *position*-th, after event id *previous*) not an SWF event, if anything."""
    if not isinstance(event, dict):
        return f"history event #{position} is {_a(event)}, not an SWF event object"
    event_id, event_type = event.get("eventId"), event.get("eventType")
    if type(event_id) is not int and (type(event_type) is not str or not event_type):
        return f"history event #{position} has no eventId and eventType: {_shown(event)}"
    if type(event_id) is not int:
        return f"history event #{position} has no eventId (a whole number): {_shown(event)}"
    if type(event_type) is not str or not event_type:
        return f"history event #{position} has no eventType: {_shown(event)}"
    if event_id <= previous:
        return f"history event #{position}: eventId {event_id} does not follow {previous}"
    key = attributes_name(event_type)
    attributes = event.get(key)
    if attributes is None:
        return f"history event {event_id} ({event_type}) has no {key}" if event_type in REQUIRED_ATTRIBUTES else None
    if type(attributes) is not dict:
        return f"history event {event_id} ({event_type}): its attributes are not an object"
    where = f"history event {event_id} ({event_type})"
    for name, value in attributes.items():
        if value is None:
            continue
        if type(value) is not str and name in TEXT_ATTRIBUTES:
            return f"{where}: {name} is {_a(value)}, not a string"
        if type(value) is not dict and name in OBJECT_ATTRIBUTES:
            return f"{where}: {name} is {_a(value)}, not an object"
    for name in REQUIRED_ATTRIBUTES.get(event_type, ()):
        if attributes.get(name) is None:
            return f"{where} has no {name}, which SWF always gives"
        if name in _TYPED and type(attributes[name].get("name")) is not str:
            return f"{where}: {name} has no name string"
    return None


def _a(value: Any) -> str:
    """``a list``, ``an int``: the type of *value* with its article."""
    name = type(value).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


# The events of an activity task that name its ActivityTaskScheduled event (SWF: scheduledEventId, "the ID of
# the ActivityTaskScheduled event that was recorded when this activity task was scheduled").
_NAMING_SCHEDULED = frozenset(
    {
        "ActivityTaskStarted",
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "ActivityTaskTimedOut",
        "ActivityTaskCanceled",
    }
)


def diagnose(
    events: list[Any], first_position: int = 1, previous: int = 0, closing: dict[str, Any] | None = None
) -> str | None:
    """The first problem in *events* (the first of them at *first_position*, after event id *previous*,
    after *closing*, the event that closed the run, when one did before them).

    A whole history (from its first event) is also checked for activity events naming no scheduled task:
    the fold passes over them (a compacted history no longer knows the tasks it let go), so a replay would
    blame the code for them.
    """
    scheduled: set[int] | None = set() if first_position == 1 else None
    for position, event in enumerate(events, first_position):
        problem = event_problem(event, position, previous)
        if problem is not None:
            return problem
        if closing is not None:
            return (
                f"history event #{position} ({event['eventType']}) follows event {closing['eventId']} "
                f"({closing['eventType']}), which closed the execution: SWF adds no event after it"
            )
        event_type = event["eventType"]
        if event_type in CLOSING_EVENTS:
            closing = event
        previous = event["eventId"]
        if scheduled is None:
            continue
        if event_type == "ActivityTaskScheduled":
            scheduled.add(previous)
        elif event_type in _NAMING_SCHEDULED:
            named = (event.get(attributes_name(event_type)) or {}).get("scheduledEventId")
            if named is None:
                return f"history event {previous} ({event_type}) has no scheduledEventId, which SWF always gives"
            if named not in scheduled:
                return (
                    f"history event {previous} ({event_type}): its scheduledEventId {named!r} names no "
                    "ActivityTaskScheduled event before it"
                )
    return None


def start_problem(events: Any) -> str | None:
    """What is wrong with the start of *events*, as a history file holds them (no events, another first event).

    Checked before folding: the first event must be a well-formed WorkflowExecutionStarted (a worse problem
    further on is named first, as a whole pass over the events would).
    """
    if not isinstance(events, list) or not events:
        return NO_EVENTS
    first = events[0]
    first_type = first.get("eventType") if isinstance(first, dict) else None
    if first_type == "WorkflowExecutionStarted":
        return None
    return diagnose(events) or f"the history starts with {first_type}, not WorkflowExecutionStarted"


def validate_events(events: Any) -> list[dict[str, Any]]:
    """*events* if they look like an SWF history (what ``workflow.history`` writes), in a pass of their own.

    Raises:
        MalformedHistory: one line naming the first thing that is not an SWF event.
    """
    problem = start_problem(events) or diagnose(events)
    if problem is not None:
        raise MalformedHistory(problem)
    return events


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
