"""Which events of a history are about the same thing: the groups ``History.compile`` checks one by one.

An activity task is one scheduling (its events name the scheduled event's id; a cancel request names
the activity id, and goes to its latest scheduling); a decision task, a Lambda function, a child
execution and a signal or cancel request sent are each named by their opening event's id; a timer by
its started event (a failed cancel by the timer id); a marker stands alone; the execution's own events
are one thing. An event whose thing cannot be found (its opening event is not in the list) opens a
group of its own, and the compiler judges whether it may.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# For each kind: the attribute naming the event that opened the thing, when the event is not an opener.
_OPENER_ATTRIBUTE = {
    "ActivityTask": "scheduled_event_id",
    "DecisionTask": "scheduled_event_id",
    "LambdaFunction": "scheduled_event_id",
    "Timer": "started_event_id",
    "ChildWorkflowExecution": "initiated_event_id",
    "ExternalWorkflowExecution": "initiated_event_id",
}
# For each kind: the states of the events that open a thing.
_OPENERS = {
    "ActivityTask": ("scheduled", "schedule_failed", "request_cancel_failed"),
    "DecisionTask": ("scheduled",),
    "LambdaFunction": ("scheduled", "schedule_failed"),
    "Timer": ("started", "start_failed"),
    "ChildWorkflowExecution": ("start_initiated",),
    "ExternalWorkflowExecution": ("signal_execution_initiated", "request_cancel_execution_initiated"),
    "Marker": ("recorded", "record_failed"),
}
# Events that name the thing by a name of the workflow's (activity id, timer id) rather than an event id.
_BY_NAME = {("ActivityTask", "cancel_requested"): "activity_id", ("Timer", "cancel_failed"): "timer_id"}
_NAMING = {("ActivityTask", "scheduled"): "activity_id", ("Timer", "started"): "timer_id"}


def group_by_thing(events: Iterable[Any]) -> list[list[Any]]:
    """*events* in groups, one per thing, in the order each thing first appears."""
    groups: dict[tuple, list[Any]] = {}
    named: dict[tuple, tuple] = {}  # ("ActivityTask", activity id) or ("Timer", timer id) -> its latest group
    for event in events:
        groups.setdefault(_key(event, named), []).append(event)
    return list(groups.values())


def _key(event: Any, named: dict[tuple, tuple]) -> tuple:
    kind, state = event.type, event.state
    own = (kind, event.id)
    if kind == "WorkflowExecution":
        return (kind,)
    name_attribute = _BY_NAME.get((kind, state))
    if name_attribute is not None:
        return named.get((kind, getattr(event, name_attribute, None)), own)
    if state in _OPENERS.get(kind, (state,)):  # an event of no known kind stands alone
        if (kind, state) in _NAMING:
            named[(kind, getattr(event, _NAMING[kind, state], None))] = own
        return own
    opener = getattr(event, _OPENER_ATTRIBUTE.get(kind, ""), None)
    return (kind, opener) if opener is not None else own
