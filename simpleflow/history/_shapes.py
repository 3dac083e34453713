"""SWF's event and decision shapes, known in this one place.

A history event is ``{"eventId", "eventType", "eventTimestamp", <key>: {...}}`` where the attributes key is
the event type with its first letter lowercased and ``EventAttributes`` appended (``TimerFired`` ->
``timerFiredEventAttributes``); a decision keeps its attributes the same way under ``...DecisionAttributes``.
Below the history fold, the jumbo fields and both hosts: it imports nothing of simpleflow.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CLOSING_DECISIONS",
    "CLOSING_EVENTS",
    "WAKING_EVENTS",
    "attributes",
    "attributes_key",
    "decision_attributes",
    "decision_attributes_key",
    "latest_execution_context",
    "make_event",
    "until_closed",
]

# The events that close a run of an execution (ContinuedAsNew closes the run; the execution goes on in the next).
CLOSING_EVENTS = frozenset(
    {
        "WorkflowExecutionCompleted",
        "WorkflowExecutionFailed",
        "WorkflowExecutionCanceled",
        "WorkflowExecutionTerminated",
        "WorkflowExecutionTimedOut",
        "WorkflowExecutionContinuedAsNew",
    }
)

# The decisions that close a run (SWF requires them last in a response): it has no next decision task.
CLOSING_DECISIONS = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)

# The events after which SWF schedules a decision task (besides the execution's start): a result, a refusal
# of a decision the workflow waits on, a signal, a cancel request. A marker, a timer start or an activity
# start wakes nobody.
WAKING_EVENTS = frozenset(
    {
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "ActivityTaskTimedOut",
        "ActivityTaskCanceled",
        "ScheduleActivityTaskFailed",
        "TimerFired",
        "StartTimerFailed",
        "RecordMarkerFailed",
        "CancelTimerFailed",
        "WorkflowExecutionSignaled",
        "WorkflowExecutionCancelRequested",
        "ChildWorkflowExecutionStarted",
        "ChildWorkflowExecutionCompleted",
        "ChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionTimedOut",
        "ChildWorkflowExecutionCanceled",
        "ChildWorkflowExecutionTerminated",
        "StartChildWorkflowExecutionFailed",
        "ExternalWorkflowExecutionSignaled",
        "SignalExternalWorkflowExecutionFailed",
        "ExternalWorkflowExecutionCancelRequested",
        "RequestCancelExternalWorkflowExecutionFailed",
        "RequestCancelActivityTaskFailed",
    }
)

_EVENT_KEYS: dict[str, str] = {}
_DECISION_KEYS: dict[str, str] = {}


def _lower_first(name: str) -> str:
    return name[0].lower() + name[1:]


def attributes_key(event_type: str) -> str:
    """The key of an event type's attributes: ``ActivityTaskCompleted`` -> ``activityTaskCompletedEventAttributes``."""
    key = _EVENT_KEYS.get(event_type)
    if key is None:
        key = _EVENT_KEYS[event_type] = _lower_first(event_type) + "EventAttributes"
    return key


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    """An event's attributes (``{}`` when it has none)."""
    return event.get(attributes_key(event["eventType"])) or {}


def decision_attributes_key(decision_type: str) -> str:
    """The key of a decision type's attributes: ``StartTimer`` -> ``startTimerDecisionAttributes``."""
    key = _DECISION_KEYS.get(decision_type)
    if key is None:
        key = _DECISION_KEYS[decision_type] = _lower_first(decision_type) + "DecisionAttributes"
    return key


def decision_attributes(decision: dict[str, Any]) -> dict[str, Any]:
    """A decision's attributes (``{}`` when it has none)."""
    return decision.get(decision_attributes_key(decision["decisionType"])) or {}


def make_event(event_id: int, event_type: str, timestamp: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    """An event in the shape GetWorkflowExecutionHistory returns."""
    return {
        "eventId": event_id,
        "eventType": event_type,
        "eventTimestamp": timestamp,
        attributes_key(event_type): attrs,
    }


def latest_execution_context(events: list[dict[str, Any]]) -> str | None:
    """The executionContext of the latest DecisionTaskCompleted that gave one (SWF's latestExecutionContext)."""
    for event in reversed(events):
        if event["eventType"] == "DecisionTaskCompleted":
            context = attributes(event).get("executionContext")
            if context is not None:
                return context
    return None


def until_closed(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """*events* up to (without) the event that closed the run, if any: the history its last decider saw.

    Only the last event can close the run: SWF adds none after it (``History.extend`` refuses a history
    that has one, naming it), so the events are not read one by one.
    """
    if events and events[-1]["eventType"] in CLOSING_EVENTS:
        return events[:-1]
    return events
