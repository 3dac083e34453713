"""``EventFactory``: SWF's event dict in, the ``Event`` subclass of its type out; ``CompiledEventFactory`` likewise."""

from __future__ import annotations

from typing import Any

from simpleflow.swf.mapper.models.event.base import Event
from simpleflow.swf.mapper.models.event.compiler import CompiledEvent
from simpleflow.swf.mapper.models.event.marker import CompiledMarkerEvent, MarkerEvent
from simpleflow.swf.mapper.models.event.task import (
    ActivityTaskEvent,
    CompiledActivityTaskEvent,
    CompiledDecisionTaskEvent,
    CompiledLambdaFunctionEvent,
    DecisionTaskEvent,
    LambdaFunctionEvent,
)
from simpleflow.swf.mapper.models.event.timer import CompiledTimerEvent, TimerEvent
from simpleflow.swf.mapper.models.event.workflow import (
    ChildWorkflowExecutionEvent,
    CompiledChildWorkflowExecutionEvent,
    CompiledExternalWorkflowExecutionEvent,
    CompiledWorkflowExecutionEvent,
    ExternalWorkflowExecutionEvent,
    WorkflowExecutionEvent,
)
from simpleflow.swf.mapper.utils import camel_to_underscore

# The part of an event type's name that says its kind, in the order they are looked for
# ("ChildWorkflowExecution" before "WorkflowExecution"); the rest of the name is its state.
EVENTS: dict[str, dict[str, type]] = {
    "ActivityTask": {"event": ActivityTaskEvent, "compiled_event": CompiledActivityTaskEvent},
    "DecisionTask": {"event": DecisionTaskEvent, "compiled_event": CompiledDecisionTaskEvent},
    "ChildWorkflowExecution": {
        "event": ChildWorkflowExecutionEvent,
        "compiled_event": CompiledChildWorkflowExecutionEvent,
    },
    "Marker": {"event": MarkerEvent, "compiled_event": CompiledMarkerEvent},
    "Timer": {"event": TimerEvent, "compiled_event": CompiledTimerEvent},
    "ExternalWorkflow": {
        "event": ExternalWorkflowExecutionEvent,
        "compiled_event": CompiledExternalWorkflowExecutionEvent,
    },
    "WorkflowExecution": {"event": WorkflowExecutionEvent, "compiled_event": CompiledWorkflowExecutionEvent},
    "LambdaFunction": {"event": LambdaFunctionEvent, "compiled_event": CompiledLambdaFunctionEvent},
}


class EventFactory:
    """``EventFactory(raw_event)`` is the event: ``EventFactory({"eventType": "DecisionTaskScheduled", ...})``
    is a ``DecisionTaskEvent`` in state ``scheduled``. An event type of no known kind gives a plain ``Event``."""

    events = EVENTS

    def __new__(cls, raw_event: dict[str, Any]) -> Event:  # type: ignore[misc]
        name = raw_event["eventType"]
        kind = cls._extract_event_type(name)
        klass = cls.events[kind]["event"] if kind is not None else Event
        state = cls._extract_event_state(kind, name) if kind is not None else camel_to_underscore(name)
        return klass(raw_event["eventId"], state, raw_event["eventTimestamp"], raw_event, name=name)

    @classmethod
    def _extract_event_type(cls, event_name: str) -> str | None:
        """The kind in *event_name* (``"ChildWorkflowExecution"`` for ``StartChildWorkflowExecutionInitiated``)."""
        for kind in cls.events:
            if kind in event_name:
                return kind
        return None

    @classmethod
    def _extract_event_state(cls, event_type: str, event_name: str) -> str:
        """*event_name* without its kind, in snake_case (``"start_initiated"`` in the example above)."""
        left, _, right = event_name.partition(event_type)
        return camel_to_underscore(left + right)


_COMPILED = {entry["event"]._type: entry["compiled_event"] for entry in EVENTS.values()}


class CompiledEventFactory:
    """``CompiledEventFactory(event)``: the compiled event of *event*'s type, opened with *event*."""

    events = EVENTS

    def __new__(cls, event: Event) -> CompiledEvent:  # type: ignore[misc]
        try:
            klass = _COMPILED[event.type]
        except KeyError:
            raise TypeError(f"no compiled event for events of type {event.type!r} ({event.name})") from None
        return klass(event)
