"""SWF events in simpleflow's object shape: ``event.id``, ``.type``, ``.state``, ``.timestamp``, ``.input``...

simpleflow shows an event as its *type* (``ActivityTask``), its *state* (``scheduled``) and its
attributes in snake_case (``activity_id``, ``decision_task_completed_event_id``), with ``input`` and
``control`` decoded from JSON. ``workflow.history --output-format raw`` prints events so.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Event types whose name is not <type><State>: (type, state).
_SPECIAL = {
    "ScheduleActivityTaskFailed": ("ActivityTask", "schedule_failed"),
    "RequestCancelActivityTaskFailed": ("ActivityTask", "request_cancel_failed"),
    "StartTimerFailed": ("Timer", "start_failed"),
    "CancelTimerFailed": ("Timer", "cancel_failed"),
    "MarkerRecorded": ("Marker", "recorded"),
    "RecordMarkerFailed": ("Marker", "failed"),
    "StartChildWorkflowExecutionInitiated": ("ChildWorkflowExecution", "start_initiated"),
    "StartChildWorkflowExecutionFailed": ("ChildWorkflowExecution", "start_failed"),
    "SignalExternalWorkflowExecutionInitiated": ("ExternalWorkflowExecution", "signal_execution_initiated"),
    "SignalExternalWorkflowExecutionFailed": ("ExternalWorkflowExecution", "signal_execution_failed"),
    "RequestCancelExternalWorkflowExecutionInitiated": (
        "ExternalWorkflowExecution",
        "request_cancel_execution_initiated",
    ),
    "RequestCancelExternalWorkflowExecutionFailed": ("ExternalWorkflowExecution", "request_cancel_execution_failed"),
    "CompleteWorkflowExecutionFailed": ("WorkflowExecution", "complete_failed"),
    "FailWorkflowExecutionFailed": ("WorkflowExecution", "fail_failed"),
    "CancelWorkflowExecutionFailed": ("WorkflowExecution", "cancel_failed"),
    "ContinueAsNewWorkflowExecutionFailed": ("WorkflowExecution", "continue_as_new_failed"),
    "DecisionTaskScheduleFailed": ("DecisionTask", "schedule_failed"),
}
_PREFIXES = (
    "ChildWorkflowExecution",
    "ExternalWorkflowExecution",
    "WorkflowExecution",
    "DecisionTask",
    "ActivityTask",
    "LambdaFunction",
    "Timer",
)
_JSON_FIELDS = ("input", "control")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def type_and_state(event_type: str) -> tuple[str, str]:
    """``("ActivityTask", "scheduled")`` for ``ActivityTaskScheduled``."""
    if event_type in _SPECIAL:
        return _SPECIAL[event_type]
    for prefix in _PREFIXES:
        if event_type.startswith(prefix):
            return prefix, _snake(event_type[len(prefix) :])
    return event_type, ""


def _decoded(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class Event:
    """One history event with attribute access (``event.input``, ``event.activity_id``...)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.id = raw.get("eventId")
        self.type, self.state = type_and_state(raw.get("eventType", ""))
        self.timestamp = raw.get("eventTimestamp")
        self.input: Any = {}  # simpleflow's, for an event without input: hooks call .get on it
        self.control: Any = None
        etype = raw.get("eventType", "")
        attributes = raw.get(etype[:1].lower() + etype[1:] + "EventAttributes") or {}
        for key, value in attributes.items():
            name = _snake(key)
            setattr(self, name, _decoded(value) if name in _JSON_FIELDS else value)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.type} : {self.state} >"

    def as_dict(self) -> dict[str, Any]:
        """``id``, ``type``, ``state``, ``timestamp``, ``input``, ``control``, then the other attributes."""
        return {key: value for key, value in vars(self).items() if key != "raw"}
