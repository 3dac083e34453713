"""Spans as plain records, and what a decision task's new events say (timers, signals, failures).

Shared by the live spans (``_live``) and the traces rebuilt from a history (``_rebuild``), so that both
read SWF's events the same way. Pure: no OpenTelemetry import, no clock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from simpleflow.telemetry import _names as n

__all__ = [
    "SpanEvent",
    "SpanLink",
    "SpanRecord",
    "child_outcome",
    "closing_outcome",
    "span_events",
    "task_error_type",
    "to_ns",
]


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(slots=True)
class SpanEvent:
    name: str
    time_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SpanLink:
    trace_id: int
    span_id: int
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SpanRecord:
    """One span, whole: what ``_emit`` hands to a tracer and ``_otlp_json`` writes."""

    name: str
    trace_id: int
    span_id: int
    parent_span_id: int | None
    start_ns: int
    end_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)
    events: list[SpanEvent] = field(default_factory=list)
    links: list[SpanLink] = field(default_factory=list)
    error: str | None = None  # the status description of a span that ended in error


def to_ns(timestamp: Any) -> int | None:
    """Nanoseconds since the epoch of an event's timestamp (a datetime, epoch seconds, or ISO text)."""
    if timestamp is None:
        return None
    # To the microsecond (SWF stamps events to the millisecond): a float times 1e9 would drift by ~100 ns.
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=timezone.utc)
        return (timestamp - _EPOCH) // timedelta(microseconds=1) * 1000
    if isinstance(timestamp, (int, float)):
        return round(timestamp * 1_000_000) * 1000
    if isinstance(timestamp, str):
        try:
            return to_ns(float(timestamp))
        except ValueError:
            return to_ns(datetime.fromisoformat(timestamp.replace("Z", "+00:00")))
    return None


def _attrs(event: dict[str, Any]) -> dict[str, Any]:
    kind = event["eventType"]
    return event.get(kind[:1].lower() + kind[1:] + "EventAttributes") or {}


def span_events(events: list[dict[str, Any]]) -> list[SpanEvent]:
    """What happened to the execution among *events* (a decision task's new events): timers that fired,
    signals received; as span events of the decision task that first saw them, at the events' times."""
    out = []
    for event in events:
        kind = event["eventType"]
        a = _attrs(event)
        when = to_ns(event.get("eventTimestamp")) or 0
        if kind == "TimerFired":
            out.append(SpanEvent(n.TIMER_FIRED, when, {n.TIMER_ID: a.get("timerId", "")}))
        elif kind == "WorkflowExecutionSignaled":
            out.append(SpanEvent(n.SIGNAL_RECEIVED, when, {n.SIGNAL_NAME: a.get("signalName", "")}))
    return out


def decided_events(decisions: list[dict[str, Any]], when: int) -> list[SpanEvent]:
    """What a decision task decided of timers and signals (timers started or canceled, signals sent), as
    span events of that task at *when*. (A history says it with the events those decisions added.)"""
    out = []
    for decision in decisions:
        kind = decision.get("decisionType", "")
        a = decision.get(kind[:1].lower() + kind[1:] + "DecisionAttributes") or {}
        if kind == "StartTimer":
            attrs: dict[str, Any] = {n.TIMER_ID: a.get("timerId", "")}
            seconds = str(a.get("startToFireTimeout", "")).strip()
            if seconds.isdigit():  # SWF's is a whole number of seconds, as text: a number here
                attrs[n.TIMER_SECONDS] = int(seconds)
            out.append(SpanEvent(n.TIMER_STARTED, when, attrs))
        elif kind == "CancelTimer":
            out.append(SpanEvent(n.TIMER_CANCELED, when, {n.TIMER_ID: a.get("timerId", "")}))
        elif kind == "SignalExternalWorkflowExecution":
            attrs = {n.SIGNAL_NAME: a.get("signalName", ""), n.SIGNAL_TARGET: a.get("workflowId", "")}
            out.append(SpanEvent(n.SIGNAL_SENT, when, attrs))
    return out


_DECIDED = {"TimerStarted": "StartTimer", "TimerCanceled": "CancelTimer"}
_DECIDED["SignalExternalWorkflowExecutionInitiated"] = "SignalExternalWorkflowExecution"


def decided_in_history(events: list[dict[str, Any]]) -> list[SpanEvent]:
    """``decided_events`` as a history records them: *events* are those a decision task's decisions added."""
    out = []
    for event in events:
        decision = _DECIDED.get(event["eventType"])
        if decision is not None:
            key = decision[:1].lower() + decision[1:] + "DecisionAttributes"
            out += decided_events(
                [{"decisionType": decision, key: _attrs(event)}], to_ns(event.get("eventTimestamp")) or 0
            )
    return out


_ACTIVITY_OUTCOMES = {
    "ActivityTaskCompleted": "completed",
    "ActivityTaskFailed": "failed",
    "ActivityTaskTimedOut": "timed_out",
    "ActivityTaskCanceled": "canceled",
}
_CHILD_OUTCOMES = {
    "ChildWorkflowExecutionCompleted": "completed",
    "ChildWorkflowExecutionFailed": "failed",
    "ChildWorkflowExecutionTimedOut": "timed_out",
    "ChildWorkflowExecutionCanceled": "canceled",
    "ChildWorkflowExecutionTerminated": "terminated",
}
_CLOSING_DECISIONS = {
    "CompleteWorkflowExecution": "completed",
    "FailWorkflowExecution": "failed",
    "CancelWorkflowExecution": "canceled",
    "ContinueAsNewWorkflowExecution": "continued_as_new",
}
CLOSING_EVENTS = {
    "WorkflowExecutionCompleted": "completed",
    "WorkflowExecutionFailed": "failed",
    "WorkflowExecutionCanceled": "canceled",
    "WorkflowExecutionContinuedAsNew": "continued_as_new",
    "WorkflowExecutionTerminated": "terminated",
    "WorkflowExecutionTimedOut": "timed_out",
}


def activity_outcome(event_type: str) -> str | None:
    """completed, failed, timed_out or canceled for an event closing an activity attempt, else None."""
    return _ACTIVITY_OUTCOMES.get(event_type)


def child_outcome(event_type: str) -> str | None:
    """How a child closed, for an event closing a child workflow, else None."""
    return _CHILD_OUTCOMES.get(event_type)


def closing_outcome(decisions: list[dict[str, Any]]) -> str | None:
    """How the execution closes when these decisions are carried out (None: it goes on)."""
    for decision in decisions:
        outcome = _CLOSING_DECISIONS.get(decision.get("decisionType", ""))
        if outcome is not None:
            return outcome
    return None


def error_type_of_failure(details: Any, reason: Any) -> str:
    """``error.type`` of a failure: the ``error_type`` simpleflow puts in its details, else the reason's head;
    ``unknown`` unless it reads as an exception's qualified name.

    A failure's details and reason are data (a child closed by another decider, a workflow's own ``fail``):
    anything else would put free text in a metric attribute, a new series per value.
    """
    if isinstance(details, dict):
        found = details.get("error_type") or details.get("error")
        if found:
            return _qualified_name(str(found))
    if isinstance(details, str) and details.startswith("{"):
        try:
            return error_type_of_failure(json.loads(details), reason)
        except ValueError:
            pass
    return _qualified_name(str(reason or "").split(":", 1)[0].strip())


_QUALIFIED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def _qualified_name(text: str) -> str:
    return text if len(text) <= 200 and _QUALIFIED_NAME.fullmatch(text) else "unknown"


def task_error_type(event: dict[str, Any]) -> str | None:
    """``error.type`` of an event closing an activity attempt or a child workflow without a result (None: it
    completed, or the event closes neither): the failure's, ``timeout.<timeoutType>``, canceled or terminated."""
    outcome = _ACTIVITY_OUTCOMES.get(event["eventType"]) or _CHILD_OUTCOMES.get(event["eventType"])
    a = _attrs(event)
    if outcome == "failed":
        return error_type_of_failure(a.get("details"), a.get("reason"))
    if outcome == "timed_out":
        return f"timeout.{a.get('timeoutType', 'UNKNOWN')}"
    return outcome if outcome in ("canceled", "terminated") else None
