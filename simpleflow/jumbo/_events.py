"""Jumbo fields across SWF shapes: decode a history's events, encode a decision batch."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from simpleflow.exceptions import DataError
from simpleflow.format import MAX_JSON_DEPTH, check_nesting
from simpleflow.history import attributes_key, decision_attributes_key
from simpleflow.jumbo._fields import JumboFieldUnavailable, decode, encode
from simpleflow.jumbo._reference import PREFIX

logger = logging.getLogger(__name__)

# Event type -> the attributes that may hold a jumbo field. Other event
# types carry only ids, names, causes and timeouts.
_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "WorkflowExecutionStarted": ("input",),
    "WorkflowExecutionCompleted": ("result",),
    "WorkflowExecutionFailed": ("reason", "details"),
    "WorkflowExecutionCanceled": ("details",),
    "WorkflowExecutionContinuedAsNew": ("input",),
    "WorkflowExecutionTerminated": ("reason", "details"),
    "WorkflowExecutionSignaled": ("input",),
    "DecisionTaskCompleted": ("executionContext",),
    "ActivityTaskScheduled": ("input", "control"),
    "ActivityTaskCompleted": ("result",),
    "ActivityTaskFailed": ("reason", "details"),
    "ActivityTaskTimedOut": ("details",),
    "ActivityTaskCanceled": ("details",),
    "MarkerRecorded": ("details",),
    "TimerStarted": ("control",),
    "StartChildWorkflowExecutionInitiated": ("input", "control"),
    "StartChildWorkflowExecutionFailed": ("control",),
    "ChildWorkflowExecutionCompleted": ("result",),
    "ChildWorkflowExecutionFailed": ("reason", "details"),
    "ChildWorkflowExecutionCanceled": ("details",),
    "SignalExternalWorkflowExecutionInitiated": ("input", "control"),
    "SignalExternalWorkflowExecutionFailed": ("control",),
    "RequestCancelExternalWorkflowExecutionInitiated": ("control",),
    "RequestCancelExternalWorkflowExecutionFailed": ("control",),
    "LambdaFunctionScheduled": ("input", "control"),
    "LambdaFunctionCompleted": ("result",),
    "LambdaFunctionFailed": ("reason", "details"),
}

_EVENT_ATTRIBUTES = {event_type: (attributes_key(event_type), fields) for event_type, fields in _EVENT_FIELDS.items()}

# Decision type -> (its attributes key, ((attribute, field of FIELD_LIMITS), ...)).
_DECISION_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "ScheduleActivityTask": (("input", "input"), ("control", "control")),
    "ScheduleLambdaFunction": (("input", "input"), ("control", "control")),
    "CompleteWorkflowExecution": (("result", "result"),),
    "FailWorkflowExecution": (("reason", "reason"), ("details", "details")),
    "CancelWorkflowExecution": (("details", "details"),),
    "ContinueAsNewWorkflowExecution": (("input", "input"),),
    "RecordMarker": (("details", "marker_details"),),
    "StartTimer": (("control", "control"),),
    "StartChildWorkflowExecution": (("input", "input"), ("control", "control")),
    "SignalExternalWorkflowExecution": (("input", "signal_input"), ("control", "control")),
    "RequestCancelExternalWorkflowExecution": (("control", "control"),),
}

_DECISION_ATTRIBUTES = {
    decision_type: (decision_attributes_key(decision_type), fields)
    for decision_type, fields in _DECISION_FIELDS.items()
}


def decode_events(
    events: list[dict[str, Any]], *, copy: bool = False, keep_unavailable: bool = False
) -> list[dict[str, Any]]:
    """Replace every jumbo field reference in *events* by its text: in place, or with *copy* in copies.

    *events* are SWF history events as boto3 returns them; only the fields of
    their ``*EventAttributes`` that SWF lets hold free text are looked at.
    With *copy*, an event holding a reference is copied (with its attributes)
    and *events* are left as they are, references included. With *keep_unavailable* (to look at a
    history, not to decide on it), a reference whose object is gone or invalid stays as it is, with a
    warning; without, the JSON fields are also checked for nesting (``format.MAX_JSON_DEPTH``).

    Returns:
        *events* (in place), or a new list (with *copy*).

    Raises:
        DataError: a field can never be used (an object gone or not UTF-8, JSON nested too deep...); its
            message names the field and the event (``input of event 1 (WorkflowExecutionStarted): ...``).
    """
    if copy:
        return _decoded_copies(events, keep_unavailable)
    for event, _, attributes, name, value in _fields_to_look_at(events):
        looked = _looked_at(value, name, event, keep_unavailable)
        if looked is not value:
            attributes[name] = looked
    return events


def _decoded_copies(events: list[dict[str, Any]], keep_unavailable: bool) -> list[dict[str, Any]]:
    """``decode_events`` with *copy*: an event holding a reference is copied, with its attributes."""
    copies: dict[int, dict[str, Any]] = {}  # id of the caller's event -> its copy (the caller's stays as it is)
    for event, key, attributes, name, value in _fields_to_look_at(events):
        if not value.startswith(PREFIX):
            _looked_at(value, name, event, keep_unavailable)  # checked only
            continue
        copy = copies.get(id(event))
        if copy is None:
            copy = copies[id(event)] = dict(event, **{key: dict(attributes)})
        copy[key][name] = _looked_at(value, name, event, keep_unavailable)
    return [copies.get(id(event), event) for event in events]


def _fields_to_look_at(
    events: list[dict[str, Any]],
) -> Iterator[tuple[dict[str, Any], str, dict[str, Any], str, str]]:
    """(event, attributes key, attributes, field name, value) of each field of *events* that may be a
    reference or nest too deep: one that starts like a reference or is longer than ``MAX_JSON_DEPTH``.

    The walk of a replay and of each decision task: most events have no field to look at, and most fields
    are short texts that need no more than this glance (``_looked_at`` does the rest).
    """
    lookup = _EVENT_ATTRIBUTES.get
    for event in events:
        spec = lookup(event.get("eventType"))
        if spec is None:
            continue
        key, names = spec
        attributes = event.get(key)
        if not attributes:
            continue
        for name in names:
            value = attributes.get(name)
            if value and (value.startswith(PREFIX) or len(value) > MAX_JSON_DEPTH):
                yield event, key, attributes, name, value


def _looked_at(value: str, name: str, event: dict[str, Any], keep_unavailable: bool) -> str | None:
    """An event's field *value* that may be a reference or JSON nested too deep: decoded, and checked."""
    try:
        if value.startswith(PREFIX):
            value = _decoded(value, keep_unavailable)
        # A reason is a line of text, not JSON; fewer brackets than levels allowed need no look (nor
        # does a text shorter than that: most of them).
        if (
            not keep_unavailable
            and len(value) > MAX_JSON_DEPTH
            and name != "reason"
            and value.count("[") + value.count("{") > MAX_JSON_DEPTH
        ):
            check_nesting(value)
    except DataError as err:
        raise err.located(f"{name} of event {event.get('eventId')} ({event.get('eventType')})") from None
    return value


def _decoded(value: str, keep_unavailable: bool) -> str | None:
    try:
        return decode(value)
    except JumboFieldUnavailable as err:
        if not keep_unavailable:
            raise
        logger.warning("%s: showing its reference instead", err)
        return value


def encode_decisions(decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace, in place, every field of *decisions* over SWF's limit by a jumbo field reference.

    *decisions* are in the shape boto3's ``respond_decision_task_completed``
    takes.

    Returns:
        *decisions*, for chaining.

    Raises:
        JumboFieldTooLarge: a field is over its limit and cannot go to S3.
    """
    for decision in decisions:
        spec = _DECISION_ATTRIBUTES.get(decision.get("decisionType"))
        if spec is None:
            continue
        attributes = decision.get(spec[0])
        if not attributes:
            continue
        for name, field in spec[1]:
            value = attributes.get(name)
            if value is not None:
                attributes[name] = encode(value, field)
    return decisions
