"""An execution's trace rebuilt from its SWF history alone (``simpleflow workflow.trace``).

The spans the live hosts emit, with the history's own timestamps: the execution (its first event to
its closing one), each decision task (started to completed, or timed out), each activity attempt
(started, or scheduled if it never started, to the event that closed it), each child workflow (started
to closed, linked to the child's own trace), and the timers and signals as events of the decision task
that first saw them. Ids are those of the live spans for the execution (``_ids``); the others are fixed
by the events (rebuilding twice gives the same spans). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simpleflow.telemetry import _names as n
from simpleflow.telemetry._ids import execution_ids, stable_span_id
from simpleflow.telemetry._records import (
    CLOSING_EVENTS,
    SpanLink,
    SpanRecord,
    activity_error_type,
    activity_outcome,
    child_outcome,
    decided_in_history,
    span_events,
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


def rebuild_trace(events: list[dict[str, Any]], ids: ExecutionIds) -> list[SpanRecord]:
    """The spans of the execution whose history is *events* (oldest first, from WorkflowExecutionStarted).

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
    by_id = {e["eventId"]: e for e in events}
    decided: dict[int, list[dict[str, Any]]] = {}  # DecisionTaskCompleted id -> events its decisions added
    for event in events:
        completed_id = _attrs(event).get("decisionTaskCompletedEventId")
        if completed_id:
            decided.setdefault(completed_id, []).append(event)

    spans: list[SpanRecord] = []
    processed = 0  # the DecisionTaskStarted of the last decision task answered (SWF's previousStartedEventId)
    attempts: dict[str, int] = {}
    scheduled: dict[int, tuple[dict[str, Any], int]] = {}  # scheduled id -> its attributes, attempt
    child_starts: dict[int, dict[str, Any]] = {}  # initiated id -> ChildWorkflowExecutionStarted
    for event in events:
        kind, a, eid = event["eventType"], _attrs(event), event["eventId"]
        when = to_ns(event.get("eventTimestamp")) or 0
        if kind in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
            start_event = by_id.get(a.get("startedEventId"))
            if start_event is None:
                continue
            started_id = start_event["eventId"]
            new = [e for e in events if processed < e["eventId"] <= started_id]
            attrs = dict(common)
            attrs[n.DECISION_EVENTS] = len(new)
            attrs[n.DECISION_STARTED_EVENT] = started_id
            attrs[n.REBUILT] = True
            error = None
            if kind == "DecisionTaskCompleted":
                attrs[n.DECISION_COUNT] = len(decided.get(eid, ()))
                attrs[n.OUTCOME] = "completed"
                processed = started_id
            else:
                attrs[n.OUTCOME] = "timed_out"
                error = "decision task timed out"
            start = to_ns(start_event.get("eventTimestamp")) or when
            span_id = stable_span_id(trace_id, "decision", started_id)
            spans.append(SpanRecord(n.DECISION_TASK, trace_id, span_id, root_id, start, when, attrs, error=error))
            spans[-1].events = span_events(new) + decided_in_history(decided.get(eid, []))
        elif kind == "ActivityTaskScheduled":
            activity_id = a.get("activityId", "")
            attempts[activity_id] = attempts.get(activity_id, 0) + 1
            scheduled[eid] = (a, attempts[activity_id])
        elif activity_outcome(kind) is not None and a.get("scheduledEventId") in scheduled:
            spans.append(_activity_span(event, scheduled[a["scheduledEventId"]], by_id, common, trace_id, root_id))
        elif kind == "ChildWorkflowExecutionStarted":
            child_starts[a.get("initiatedEventId") or 0] = event
        elif child_outcome(kind) is not None:
            start_event = child_starts.get(a.get("initiatedEventId") or 0) or by_id.get(a.get("initiatedEventId") or 0)
            spans.append(_child_span(event, start_event or event, common, trace_id, root_id))
    spans.insert(0, _execution_span(events, started, common, workflow_type, trace_id, root_id))
    return spans


def _activity_span(
    event: dict[str, Any],
    schedule: tuple[dict[str, Any], int],
    by_id: dict[int, dict[str, Any]],
    common: dict[str, Any],
    trace_id: int,
    root_id: int,
) -> SpanRecord:
    a = _attrs(event)
    attrs_scheduled, attempt = schedule
    name = (attrs_scheduled.get("activityType") or {}).get("name") or "unknown"
    start_event = by_id.get(a.get("startedEventId") or 0) or by_id[a["scheduledEventId"]]
    attrs = dict(common)
    task_list = (attrs_scheduled.get("taskList") or {}).get("name")
    if task_list:
        attrs[n.TASK_LIST] = task_list
    attrs.update({n.ACTIVITY_NAME: name, n.ACTIVITY_ID: attrs_scheduled.get("activityId", ""), n.ATTEMPT: attempt})
    attrs[n.OUTCOME] = activity_outcome(event["eventType"])
    attrs[n.REBUILT] = True
    error = activity_error_type(event)
    if error is not None:
        attrs[n.ERROR_TYPE] = error
    if a.get("startedEventId"):  # the id the worker's live span has
        span_id = stable_span_id(trace_id, "activity", a["startedEventId"])
    else:
        span_id = stable_span_id(trace_id, "activity-scheduled", a["scheduledEventId"])
    start = to_ns(start_event.get("eventTimestamp")) or 0
    end = to_ns(event.get("eventTimestamp")) or start
    return SpanRecord(n.activity_span_name(name), trace_id, span_id, root_id, start, end, attrs, error=error)


def _child_span(
    event: dict[str, Any], start_event: dict[str, Any], common: dict[str, Any], trace_id: int, root_id: int
) -> SpanRecord:
    """A child workflow in its parent's trace: from its ChildWorkflowExecutionStarted (*start_event*) to *event*."""
    a = _attrs(event)
    execution = a.get("workflowExecution") or {}
    child_type = (a.get("workflowType") or {}).get("name") or "unknown"
    attrs = dict(common)
    attrs.update({n.CHILD_WORKFLOW_ID: execution.get("workflowId", ""), n.CHILD_RUN_ID: execution.get("runId", "")})
    attrs[n.OUTCOME] = child_outcome(event["eventType"])
    attrs[n.REBUILT] = True
    links = []
    if execution.get("workflowId") and execution.get("runId"):
        child_trace, child_root = execution_ids(execution["workflowId"], execution["runId"])
        links.append(SpanLink(child_trace, child_root, {"simpleflow.link": "child"}))
    error = None if attrs[n.OUTCOME] == "completed" else f"child workflow {attrs[n.OUTCOME]}"
    span_id = stable_span_id(trace_id, "child", a.get("initiatedEventId"))
    start = to_ns(start_event.get("eventTimestamp")) or 0
    end = to_ns(event.get("eventTimestamp")) or start
    return SpanRecord(n.child_span_name(child_type), trace_id, span_id, root_id, start, end, attrs, [], links, error)


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
