"""The decisions an execution took, read back from its history, and the decisions code takes, in one shape.

SWF records each decision as the event it led to, tied to its decision task by
``decisionTaskCompletedEventId``: ``ActivityTaskScheduled`` (or ``ScheduleActivityTaskFailed``) for a
``ScheduleActivityTask``, ``TimerStarted`` for a ``StartTimer``... ``Decision`` is one of them, by type, the id
SWF knows it by and its activity or workflow type name; ``decisions_in`` reads them all from a history and
``decision_of`` reads one the engine returns, so the two compare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simpleflow import constants
from simpleflow.history import CLOSING_DECISIONS, attributes, decision_attributes

# Event type -> (the decision it records, the attribute holding its id).
_RECORDED_BY: dict[str, tuple[str, str | None]] = {
    "ActivityTaskScheduled": ("ScheduleActivityTask", "activityId"),
    "ScheduleActivityTaskFailed": ("ScheduleActivityTask", "activityId"),
    "ActivityTaskCancelRequested": ("RequestCancelActivityTask", "activityId"),
    "RequestCancelActivityTaskFailed": ("RequestCancelActivityTask", "activityId"),
    "TimerStarted": ("StartTimer", "timerId"),
    "StartTimerFailed": ("StartTimer", "timerId"),
    "TimerCanceled": ("CancelTimer", "timerId"),
    "CancelTimerFailed": ("CancelTimer", "timerId"),
    "MarkerRecorded": ("RecordMarker", "markerName"),
    "RecordMarkerFailed": ("RecordMarker", "markerName"),
    "StartChildWorkflowExecutionInitiated": ("StartChildWorkflowExecution", "workflowId"),
    "StartChildWorkflowExecutionFailed": ("StartChildWorkflowExecution", "workflowId"),
    "SignalExternalWorkflowExecutionInitiated": ("SignalExternalWorkflowExecution", "signalName"),
    "SignalExternalWorkflowExecutionFailed": ("SignalExternalWorkflowExecution", "signalName"),
    "RequestCancelExternalWorkflowExecutionInitiated": ("RequestCancelExternalWorkflowExecution", "workflowId"),
    "RequestCancelExternalWorkflowExecutionFailed": ("RequestCancelExternalWorkflowExecution", "workflowId"),
    "WorkflowExecutionCompleted": ("CompleteWorkflowExecution", None),
    "CompleteWorkflowExecutionFailed": ("CompleteWorkflowExecution", None),
    "WorkflowExecutionFailed": ("FailWorkflowExecution", None),
    "FailWorkflowExecutionFailed": ("FailWorkflowExecution", None),
    "WorkflowExecutionCanceled": ("CancelWorkflowExecution", None),
    "CancelWorkflowExecutionFailed": ("CancelWorkflowExecution", None),
    "WorkflowExecutionContinuedAsNew": ("ContinueAsNewWorkflowExecution", None),
    "ContinueAsNewWorkflowExecutionFailed": ("ContinueAsNewWorkflowExecution", None),
}
# A refusal that follows its own initiated event is the same decision, not another.
_FOLLOWS_INITIATED = frozenset(
    {
        "StartChildWorkflowExecutionFailed",
        "SignalExternalWorkflowExecutionFailed",
        "RequestCancelExternalWorkflowExecutionFailed",
    }
)
# Decision type -> the attribute holding its id.
_ID_OF = {decision: key for decision, key in _RECORDED_BY.values()}


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision: its SWF type, the id SWF knows it by, the activity or workflow type it names.

    Attributes:
        type: ``ScheduleActivityTask``, ``StartTimer``, ``CompleteWorkflowExecution``...
        id: the activity id, timer id, marker name, child workflow id, signal name (None when it closes the run).
        name: the activity or workflow type's name, when it has one.
        decision_task: which decision task took it (1 for the first; 0 when not read from a history).
        event_id: the event that records it (0 when not read from a history).
        attributes: the decision's attributes (from a history: its event's).
    """

    type: str
    id: str | None
    name: str | None = None
    decision_task: int = field(default=0, compare=False)
    event_id: int = field(default=0, compare=False)
    attributes: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def closes_run(self) -> bool:
        return self.type in CLOSING_DECISIONS

    @property
    def is_bookkeeping(self) -> bool:
        """simpleflow's own: a wake-up or retry timer, a marker of its own (patches, ``@cached``, repairs)."""
        if self.type in ("StartTimer", "CancelTimer"):
            return (self.id or "").startswith(
                (constants.WAKE_UP_TIMER, constants.RETRY_TIMER_PREFIX, constants.RETRY_POLICY_TIMER_PREFIX)
            )
        return self.type == "RecordMarker" and (self.id or "").startswith("simpleflow.")

    def describe(self) -> str:
        """``ScheduleActivityTask activity-charge-1 (billing.charge)``, ``CompleteWorkflowExecution``."""
        text = self.type if self.id is None else f"{self.type} {self.id}"
        return f"{text} ({self.name})" if self.name else text


def _type_name(attrs: dict[str, Any]) -> str | None:
    kind = attrs.get("activityType") or attrs.get("workflowType")
    return kind.get("name") if isinstance(kind, dict) else None


def decisions_in(events: list[dict[str, Any]]) -> list[Decision]:
    """The decisions a history records, in the order they were taken (bookkeeping ones included)."""
    found: list[Decision] = []
    task = 0
    tasks: dict[int, int] = {}  # DecisionTaskCompleted event id -> its number
    for event in events:
        if event["eventType"] == "DecisionTaskCompleted":
            task += 1
            tasks[event["eventId"]] = task
            continue
        # (a history file may hold anything there: what is no event id names no decision task)
        decision = _recorded(event, lambda completed: tasks.get(completed, 0) if type(completed) is int else 0)
        if decision is not None:
            found.append(decision)
    return found


def last_decision(events: list[dict[str, Any]], *, numbered: bool = True) -> Decision | None:
    """The last decision a history records (``decisions_in(events)[-1]``, without reading the others).

    Without *numbered*, its ``decision_task`` is 0: numbering it reads the history from its first event.
    """

    def number(completed: int) -> int:
        if not numbered:
            return 0
        task = 0
        for event in events:
            if event["eventType"] == "DecisionTaskCompleted":
                task += 1
                if event["eventId"] == completed:
                    return task
        return 0

    for event in reversed(events):
        decision = _recorded(event, number)
        if decision is not None:
            return decision
    return None


def _recorded(event: dict[str, Any], number: Callable[[int], int]) -> Decision | None:
    """The decision *event* records (None if none); *number* gives a DecisionTaskCompleted event's task number."""
    recorded = _RECORDED_BY.get(event["eventType"])
    if recorded is None:
        return None
    attrs = attributes(event)
    if event["eventType"] in _FOLLOWS_INITIATED and attrs.get("initiatedEventId"):
        return None
    completed = attrs.get("decisionTaskCompletedEventId")
    if completed is None:  # closed by SWF itself (a timeout, a termination), not by a decision
        return None
    decision_type, id_key = recorded
    decision_id = attrs.get(id_key) if id_key else None
    return Decision(decision_type, decision_id, _type_name(attrs), number(completed), event["eventId"], attrs)


def decision_of(decision: dict[str, Any]) -> Decision:
    """A decision as the engine returns it (SWF's RespondDecisionTaskCompleted shape)."""
    decision_type = decision["decisionType"]
    attrs = decision_attributes(decision)
    id_key = _ID_OF.get(decision_type)
    return Decision(decision_type, attrs.get(id_key) if id_key else None, _type_name(attrs), attributes=attrs)
