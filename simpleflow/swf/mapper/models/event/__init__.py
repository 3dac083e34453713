"""History events: ``Event`` and its subclasses per kind, ``EventFactory``, and their compiled versions."""

from simpleflow.swf.mapper.models.event.base import Event
from simpleflow.swf.mapper.models.event.compiler import CompiledEvent
from simpleflow.swf.mapper.models.event.factory import CompiledEventFactory, EventFactory
from simpleflow.swf.mapper.models.event.marker import MarkerEvent
from simpleflow.swf.mapper.models.event.task import ActivityTaskEvent, DecisionTaskEvent
from simpleflow.swf.mapper.models.event.timer import TimerEvent
from simpleflow.swf.mapper.models.event.workflow import ChildWorkflowExecutionEvent, WorkflowExecutionEvent

__all__ = [
    "ActivityTaskEvent",
    "ChildWorkflowExecutionEvent",
    "CompiledEvent",
    "CompiledEventFactory",
    "DecisionTaskEvent",
    "Event",
    "EventFactory",
    "MarkerEvent",
    "TimerEvent",
    "WorkflowExecutionEvent",
]
