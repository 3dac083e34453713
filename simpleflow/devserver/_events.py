"""Recording history events with SWF's attributes as given.

moto builds an event's attributes from snake_case keywords and leaves out every falsy value (so a
``startedEventId`` of 0, as SWF gives for a task that never started, cannot be said). The events this
package adds are recorded with their camelCase attributes as SWF's API reference names them; only
``None`` is left out.
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import unix_time
from moto.swf.models import history_event

from simpleflow.devserver._limit import history_full

# The event types the dev server records beyond those moto knows (moto refuses to record an unknown one).
EVENT_TYPES = (
    "TimerCanceled",
    "ActivityTaskCancelRequested",
    "ActivityTaskCanceled",
    "RequestCancelActivityTaskFailed",
    "SignalExternalWorkflowExecutionInitiated",
    "ExternalWorkflowExecutionSignaled",
    "SignalExternalWorkflowExecutionFailed",
    "RequestCancelExternalWorkflowExecutionInitiated",
    "ExternalWorkflowExecutionCancelRequested",
    "RequestCancelExternalWorkflowExecutionFailed",
    "WorkflowExecutionCancelRequested",
    "StartChildWorkflowExecutionInitiated",
    "StartChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionStarted",
    "ChildWorkflowExecutionCompleted",
    "ChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionTimedOut",
    "ChildWorkflowExecutionCanceled",
    "ChildWorkflowExecutionTerminated",
    "WorkflowExecutionContinuedAsNew",
    "ContinueAsNewWorkflowExecutionFailed",
    "CompleteWorkflowExecutionFailed",
    "FailWorkflowExecutionFailed",
    "ScheduleLambdaFunctionFailed",
)


def register_event_types() -> None:
    """Let moto's HistoryEvent take the event types above."""
    known = set(history_event.SUPPORTED_HISTORY_EVENT_TYPES)
    history_event.SUPPORTED_HISTORY_EVENT_TYPES += tuple(t for t in EVENT_TYPES if t not in known)


def record(execution: Any, event_type: str, attributes: dict[str, Any], timestamp: float | None = None) -> int:
    """Append an event to *execution*'s history; its id (0: not recorded, the history is full)."""
    if history_full(execution, event_type):
        return 0
    event = history_event.HistoryEvent(execution.next_event_id(), event_type, event_timestamp=timestamp or unix_time())
    event.event_attributes = {key: value for key, value in attributes.items() if value is not None}
    execution._events.append(event)
    return event.event_id


def ids(execution: Any) -> dict[str, str]:
    """``{"workflowId", "runId"}`` of *execution* (SWF's WorkflowExecution shape)."""
    return {"workflowId": execution.workflow_id, "runId": execution.run_id}


def workflow_type(execution: Any) -> dict[str, str]:
    return {"name": execution.workflow_type.name, "version": execution.workflow_type.version}
