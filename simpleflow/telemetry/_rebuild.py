"""An execution's trace rebuilt from its SWF history alone (``simpleflow workflow.trace``).

The spans the live hosts emit, with the history's own timestamps: the execution (its first event to
its closing one), each decision task (started to completed, or timed out), each activity attempt
(started, or scheduled if it never started, to the event that closed it), each child workflow (started
to closed, linked to the child's own trace), and the timers and signals as events of the decision task
that first saw them; what the history leaves open ends at its last event. Ids are those of the live
spans for the execution (``_ids``); the others are fixed by the events (rebuilding twice gives the same
spans). Pure.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow.telemetry import _names as n
from simpleflow.telemetry._ids import execution_ids, stable_span_id
from simpleflow.telemetry._records import (
    CLOSING_EVENTS,
    SpanLink,
    SpanRecord,
    activity_outcome,
    child_outcome,
    decided_in_history,
    span_events,
    task_error_type,
    to_ns,
)

__all__ = ["ExecutionIds", "rebuild_trace"]


@dataclass(slots=True, frozen=True)
class ExecutionIds:
    """Which execution a history is: SWF's events do not name their own execution."""

    workflow_id: str
    run_id: str
    domain: str | None = None


def _attrs(event: dict[str, Any]) -> dict[str, Any]:
    kind = event["eventType"]
    return event.get(kind[:1].lower() + kind[1:] + "EventAttributes") or {}


def _common(ids: ExecutionIds, workflow_type: str, task_list: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {n.WORKFLOW_TYPE: workflow_type, n.WORKFLOW_ID: ids.workflow_id, n.RUN_ID: ids.run_id}
    if ids.domain:
        out[n.DOMAIN] = ids.domain
    if task_list:
        out[n.TASK_LIST] = task_list
    return out


@dataclass(slots=True, frozen=True)
class _Trace:
    """What the spans of one rebuilt trace share: their attributes, ids, and where what is still open ends."""

    common: dict[str, Any]
    trace_id: int
    root_id: int
    last_ns: int  # the history's last event: the end of a span the history does not close (outcome open)


def rebuild_trace(events: list[dict[str, Any]], ids: ExecutionIds) -> list[SpanRecord]:
    """The spans of the execution whose history is *events* (oldest first, from WorkflowExecutionStarted).

    A decision task, activity attempt or child workflow the history does not close (it still runs, or the
    execution was terminated or timed out under it) ends at the last event, ``simpleflow.outcome`` ``open``.

    Raises:
        ValueError: *events* is empty or does not start with WorkflowExecutionStarted.
    """
    if not events or events[0].get("eventType") != "WorkflowExecutionStarted":
        raise ValueError("a history starts with WorkflowExecutionStarted")
    started = _attrs(events[0])
    workflow_type = (started.get("workflowType") or {}).get("name") or "unknown"
    task_list = (started.get("taskList") or {}).get("name")
    trace_id, root_id = execution_ids(ids.workflow_id, ids.run_id)
    common = _common(ids, workflow_type, task_list)
    first_ns = to_ns(events[0].get("eventTimestamp")) or 0
    trace = _Trace(common, trace_id, root_id, to_ns(events[-1].get("eventTimestamp")) or first_ns)
    by_id = {e["eventId"]: e for e in events}
    decided: dict[int, list[dict[str, Any]]] = {}  # DecisionTaskCompleted id -> events its decisions added
    for event in events:
        completed_id = _attrs(event).get("decisionTaskCompletedEventId")
        if completed_id:
            decided.setdefault(completed_id, []).append(event)

    between = _events_between(events)
    spans: list[SpanRecord] = []
    processed = 0  # the DecisionTaskStarted of the last decision task answered (SWF's previousStartedEventId)
    attempts: dict[str, int] = {}
    scheduled: dict[int, tuple[dict[str, Any], int]] = {}  # scheduled id -> its attributes, attempt (not closed)
    activity_starts: dict[int, int] = {}  # scheduled id -> its ActivityTaskStarted's id
    child_starts: dict[int, dict[str, Any]] = {}  # initiated id -> ChildWorkflowExecutionStarted (not closed)
    decision_starts: dict[int, dict[str, Any]] = {}  # DecisionTaskStarted id -> it (not answered)
    for event in events:
        kind, a, eid = event["eventType"], _attrs(event), event["eventId"]
        if kind == "DecisionTaskStarted":
            decision_starts[eid] = event
        elif kind in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
            start_event = decision_starts.pop(a.get("startedEventId"), None)
            if start_event is None:
                continue
            new = between(processed, start_event["eventId"])
            spans.append(_decision_span(start_event, event, new, decided.get(eid, []), trace))
            if kind == "DecisionTaskCompleted":
                processed = start_event["eventId"]
        elif kind == "ActivityTaskScheduled":
            activity_id = a.get("activityId", "")
            attempts[activity_id] = attempts.get(activity_id, 0) + 1
            scheduled[eid] = (a, attempts[activity_id])
        elif kind == "ActivityTaskStarted":
            activity_starts[a.get("scheduledEventId") or 0] = eid
        elif activity_outcome(kind) is not None and a.get("scheduledEventId") in scheduled:
            schedule = scheduled.pop(a["scheduledEventId"])
            spans.append(_activity_span(a["scheduledEventId"], a.get("startedEventId"), schedule, by_id, trace, event))
        elif kind == "ChildWorkflowExecutionStarted":
            child_starts[a.get("initiatedEventId") or 0] = event
        elif child_outcome(kind) is not None:
            start_event = child_starts.pop(a.get("initiatedEventId") or 0, None) or by_id.get(
                a.get("initiatedEventId") or 0
            )
            spans.append(_child_span(event, start_event or event, trace))
    for start_event in decision_starts.values():
        new = between(processed, start_event["eventId"])
        spans.append(_decision_span(start_event, None, new, [], trace))
    for scheduled_id, schedule in scheduled.items():
        spans.append(_activity_span(scheduled_id, activity_starts.get(scheduled_id), schedule, by_id, trace, None))
    spans += [_child_span(None, start_event, trace) for start_event in child_starts.values()]
    spans.insert(0, _execution_span(events, started, common, workflow_type, trace_id, root_id))
    return spans


def _decision_span(
    start_event: dict[str, Any],
    event: dict[str, Any] | None,
    new: list[dict[str, Any]],
    added: list[dict[str, Any]],
    trace: _Trace,
) -> SpanRecord:
    """A decision task from its DecisionTaskStarted (*start_event*) to *event*, which answered it or timed it
    out (None: open); *new*, the events it was given to fold in; *added*, those its decisions added."""
    started_id = start_event["eventId"]
    attrs = dict(trace.common)
    attrs[n.DECISION_EVENTS] = len(new)
    attrs[n.DECISION_STARTED_EVENT] = started_id
    attrs[n.REBUILT] = True
    error = None
    if event is None:
        attrs[n.OUTCOME] = "open"
    elif event["eventType"] == "DecisionTaskCompleted":
        attrs[n.DECISION_COUNT] = len(added)
        attrs[n.OUTCOME] = "completed"
    else:
        attrs[n.OUTCOME] = "timed_out"
        error = "decision task timed out"
    end = trace.last_ns if event is None else to_ns(event.get("eventTimestamp")) or 0
    start = to_ns(start_event.get("eventTimestamp")) or end
    span_id = stable_span_id(trace.trace_id, "decision", started_id)
    span = SpanRecord(n.DECISION_TASK, trace.trace_id, span_id, trace.root_id, start, end, attrs, error=error)
    span.events = span_events(new) + decided_in_history(added)
    return span


def _activity_span(
    scheduled_id: int,
    started_id: int | None,
    schedule: tuple[dict[str, Any], int],
    by_id: dict[int, dict[str, Any]],
    trace: _Trace,
    event: dict[str, Any] | None,
) -> SpanRecord:
    """An attempt from its ActivityTaskStarted (*started_id*; its scheduling if it never started) to *event*,
    which closed it (None: open)."""
    attrs_scheduled, attempt = schedule
    name = (attrs_scheduled.get("activityType") or {}).get("name") or "unknown"
    start_event = by_id.get(started_id or 0) or by_id[scheduled_id]
    attrs = dict(trace.common)
    task_list = (attrs_scheduled.get("taskList") or {}).get("name")
    if task_list:
        attrs[n.TASK_LIST] = task_list
    attrs.update({n.ACTIVITY_NAME: name, n.ACTIVITY_ID: attrs_scheduled.get("activityId", ""), n.ATTEMPT: attempt})
    attrs[n.OUTCOME] = "open" if event is None else activity_outcome(event["eventType"])
    attrs[n.REBUILT] = True
    error = None if event is None else task_error_type(event)
    if error is not None:
        attrs[n.ERROR_TYPE] = error
    if started_id:  # the id the worker's live span has
        span_id = stable_span_id(trace.trace_id, "activity", started_id)
    else:
        span_id = stable_span_id(trace.trace_id, "activity-scheduled", scheduled_id)
    start = to_ns(start_event.get("eventTimestamp")) or 0
    end = trace.last_ns if event is None else to_ns(event.get("eventTimestamp")) or start
    return SpanRecord(
        n.activity_span_name(name), trace.trace_id, span_id, trace.root_id, start, end, attrs, error=error
    )


def _child_span(event: dict[str, Any] | None, start_event: dict[str, Any], trace: _Trace) -> SpanRecord:
    """A child workflow in its parent's trace: from its ChildWorkflowExecutionStarted (*start_event*) to *event*,
    which closed it (None: open)."""
    a = _attrs(event if event is not None else start_event)
    execution = a.get("workflowExecution") or {}
    child_type = (a.get("workflowType") or {}).get("name") or "unknown"
    attrs = dict(trace.common)
    attrs.update({n.CHILD_WORKFLOW_ID: execution.get("workflowId", ""), n.CHILD_RUN_ID: execution.get("runId", "")})
    attrs[n.OUTCOME] = "open" if event is None else child_outcome(event["eventType"])
    attrs[n.REBUILT] = True
    links = []
    if execution.get("workflowId") and execution.get("runId"):
        child_trace, child_root = execution_ids(execution["workflowId"], execution["runId"])
        links.append(SpanLink(child_trace, child_root, {"simpleflow.link": "child"}))
    error = None if attrs[n.OUTCOME] in ("completed", "open") else f"child workflow {attrs[n.OUTCOME]}"
    span_id = stable_span_id(trace.trace_id, "child", a.get("initiatedEventId"))
    start = to_ns(start_event.get("eventTimestamp")) or 0
    end = trace.last_ns if event is None else to_ns(event.get("eventTimestamp")) or start
    name = n.child_span_name(child_type)
    return SpanRecord(name, trace.trace_id, span_id, trace.root_id, start, end, attrs, [], links, error)


def execution_links(started: dict[str, Any], workflow_id: str) -> list[SpanLink]:
    """Links of an execution's root span: to its parent's execution, and to the run it continues."""
    links = []
    parent = started.get("parentWorkflowExecution") or {}
    if parent.get("workflowId") and parent.get("runId"):
        links.append(SpanLink(*execution_ids(parent["workflowId"], parent["runId"]), {"simpleflow.link": "parent"}))
    previous = started.get("continuedExecutionRunId")
    if previous:
        links.append(SpanLink(*execution_ids(workflow_id, previous), {"simpleflow.link": "continued"}))
    return links


def parent_attributes(started: dict[str, Any]) -> dict[str, Any]:
    parent = started.get("parentWorkflowExecution") or {}
    if not parent.get("workflowId"):
        return {}
    return {n.PARENT_WORKFLOW_ID: parent["workflowId"], n.PARENT_RUN_ID: parent.get("runId", "")}


def _execution_span(
    events: list[dict[str, Any]],
    started: dict[str, Any],
    common: dict[str, Any],
    workflow_type: str,
    trace_id: int,
    root_id: int,
) -> SpanRecord:
    closing = next((e for e in events if e["eventType"] in CLOSING_EVENTS), None)
    last = closing or events[-1]
    attrs = dict(common)
    attrs.update(parent_attributes(started))
    attrs[n.OUTCOME] = CLOSING_EVENTS[closing["eventType"]] if closing else "open"
    attrs[n.REBUILT] = True
    error = None if attrs[n.OUTCOME] in ("completed", "continued_as_new", "open") else f"execution {attrs[n.OUTCOME]}"
    start = to_ns(events[0].get("eventTimestamp")) or 0
    end = to_ns(last.get("eventTimestamp")) or start
    links = execution_links(started, common[n.WORKFLOW_ID])
    span = n.execution_span_name(workflow_type)
    return SpanRecord(span, trace_id, root_id, None, start, end, attrs, [], links, error)


def _events_between(events: list[dict[str, Any]]) -> Callable[[int, int], list[dict[str, Any]]]:
    """``between(after, upto)``: the *events* whose id is in ``(after, upto]``, in their order. A slice found by
    bisection (a decision task's new events, for each decision task: a scan each was 27 s on 24,000 events) where
    the ids increase, as SWF gives them; a scan where they do not."""
    ids = [e["eventId"] for e in events]
    if all(a < b for a, b in zip(ids, ids[1:])):
        return lambda after, upto: events[bisect.bisect_right(ids, after) : bisect.bisect_right(ids, upto)]
    return lambda after, upto: [e for e in events if after < e["eventId"] <= upto]
