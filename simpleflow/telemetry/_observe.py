"""Live observations: one decision task, one activity attempt (spans and metrics; OpenTelemetry installed).

A ``DecisionTask`` is begun by the host when the task starts (the SWF decider once polled, the local host
when it starts the task in its history) with the task's new events: those after the previous decision
task's DecisionTaskStarted, so that each event is seen by one decision task only, never again by a replay.
The host wraps the engine's work in ``replay_started``/``replay_ended`` and ends the task once answered.
Timers and signals among the new events become events of its span; child workflows that closed become
spans of the parent's trace, linked to the child's; the decision closing the execution ends the
execution's root span (started at WorkflowExecutionStarted). Ids that two hosts may both give (a decision
task's, an attempt's) are fixed by the history, as ``workflow.trace`` fixes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from simpleflow.telemetry import _live
from simpleflow.telemetry import _names as n
from simpleflow.telemetry._ids import execution_ids, stable_span_id
from simpleflow.telemetry._rebuild import execution_links, parent_attributes
from simpleflow.telemetry._records import (
    SpanLink,
    SpanRecord,
    child_outcome,
    closing_outcome,
    decided_events,
    span_events,
    task_error_type,
    to_ns,
)

__all__ = ["ActivityAttempt", "DecisionTask"]

_FAILED_STATES = frozenset({"failed", "timed_out", "canceled", "terminated"})


def _attrs(event: dict[str, Any]) -> dict[str, Any]:
    kind = event["eventType"]
    return event.get(kind[:1].lower() + kind[1:] + "EventAttributes") or {}


def _now_ns(clock: Callable[[], float] | None) -> int:
    return int(clock() * 1e9) if clock is not None else time.time_ns()


def _retried(decision: dict[str, Any], history: Any) -> tuple[str, str] | None:
    """(name, task kind) of the activity or child workflow *decision* schedules again after a failed attempt."""
    kind = decision.get("decisionType")
    if kind == "ScheduleActivityTask":
        a = decision["scheduleActivityTaskDecisionAttributes"]
        record, name, task_kind = history.activities.get(a.get("activityId")), a["activityType"]["name"], "activity"
    elif kind == "StartChildWorkflowExecution":
        a = decision["startChildWorkflowExecutionDecisionAttributes"]
        record, name = history.child_workflows.get(a.get("workflowId")), a["workflowType"]["name"]
        task_kind = "child_workflow"
    else:
        return None
    return (name, task_kind) if record is not None and str(record.state) in _FAILED_STATES else None


class DecisionTask:
    """One decision task's span and metrics. See the module."""

    def __init__(
        self,
        *,
        domain: str,
        task_list: str,
        workflow_type: str,
        workflow_id: str,
        run_id: str,
        new_events: list[dict[str, Any]],
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.clock = clock
        self.start_ns = _now_ns(clock)
        self.metric_attributes = {n.DOMAIN: domain, n.TASK_LIST: task_list, n.WORKFLOW_TYPE: workflow_type}
        self.workflow_id, self.run_id = workflow_id, run_id
        self.trace_id, self.root_id = execution_ids(workflow_id, run_id)
        self.new_events = new_events
        self.replay = ""
        self.closing: tuple[str, dict[str, Any], Any] | None = None
        self._ended = False
        self.tracer = _live.STATE.tracer()
        self.span = None
        if self.tracer is not None:
            starts = [e["eventId"] for e in new_events if e["eventType"] == "DecisionTaskStarted"]
            started_id = starts[-1] if starts else 0
            attrs = {**self.metric_attributes, n.WORKFLOW_ID: workflow_id, n.RUN_ID: run_id}
            attrs[n.DECISION_STARTED_EVENT] = started_id
            span_id = stable_span_id(self.trace_id, "decision", started_id)
            record = SpanRecord(n.DECISION_TASK, self.trace_id, span_id, self.root_id, self.start_ns, 0, attrs)
            record.events = span_events(new_events)
            self.span = _live.start(record, self.tracer, pin=bool(started_id))

    @property
    def ids(self) -> tuple[str, str]:
        """Hex trace and span ids for log records ("" when not traced)."""
        return _live.span_ids(self.span)

    def replay_started(self, run: Any) -> None:
        self._before = (run.history.event_count, run.fallbacks)
        self._t0 = time.perf_counter()

    def replay_ended(self, run: Any, decisions: list[dict[str, Any]]) -> None:
        """The engine answered (*decisions*): what it folded and how, and what the new events say."""
        seconds = time.perf_counter() - getattr(self, "_t0", time.perf_counter())
        count_before, fallbacks_before = getattr(self, "_before", (0, 0))
        history = run.history
        full = count_before == 0 or run.fallbacks > fallbacks_before
        folded = history.event_count if full else history.event_count - count_before
        self.replay = n.FULL if full else n.RESUMED
        _live.record(n.M_DECISION_EVENTS, folded, self.metric_attributes)
        if self.span is not None and self.span.is_recording():
            for event in decided_events(decisions, _now_ns(self.clock)):
                self.span.add_event(event.name, event.attributes, timestamp=event.time_ns)
            self.span.set_attributes(
                {
                    n.DECISION_EVENTS: folded,
                    n.DECISION_REPLAY: self.replay,
                    n.DECISION_COUNT: len(decisions),
                    n.DECISION_REPLAY_SECONDS: seconds,
                }
            )
        self._history_metrics(history, decisions)
        outcome = closing_outcome(decisions)
        if outcome is not None:
            self.closing = (outcome, history.started, getattr(history, "started_timestamp", None))

    def _history_metrics(self, history: Any, decisions: list[dict[str, Any]]) -> None:
        base = self.metric_attributes
        scheduled = {e["eventId"]: e for e in self.new_events if e["eventType"] == "ActivityTaskScheduled"}
        children = []
        for event in self.new_events:
            kind, a = event["eventType"], _attrs(event)
            if kind == "ActivityTaskStarted":
                name, at = self._scheduled(a.get("scheduledEventId"), scheduled, history)
                start, end = to_ns(at), to_ns(event.get("eventTimestamp"))
                if start is not None and end is not None:
                    _live.record(n.M_SCHEDULE_TO_START, max(0, end - start) / 1e9, {**base, n.ACTIVITY_NAME: name})
            elif kind in ("ActivityTaskFailed", "ActivityTaskTimedOut"):
                name, _ = self._scheduled(a.get("scheduledEventId"), scheduled, history)
                attrs = {**base, n.ACTIVITY_NAME: name, n.TASK_KIND: "activity"}
                _live.count(n.M_TASK_FAILURES, 1, {**attrs, n.ERROR_TYPE: task_error_type(event) or "unknown"})
            elif child_outcome(kind) is not None:
                if child_outcome(kind) != "completed":
                    name = (a.get("workflowType") or {}).get("name", "")
                    attrs = {**base, n.ACTIVITY_NAME: name, n.TASK_KIND: "child_workflow"}
                    _live.count(n.M_TASK_FAILURES, 1, {**attrs, n.ERROR_TYPE: task_error_type(event) or "unknown"})
                children.append(event)
        for decision in decisions:
            retried = _retried(decision, history)
            if retried is not None:
                _live.count(n.M_TASK_RETRIES, 1, {**base, n.ACTIVITY_NAME: retried[0], n.TASK_KIND: retried[1]})
        if children and self.tracer is not None:
            _live.emit([self._child_span(event, history) for event in children])

    @staticmethod
    def _scheduled(scheduled_id: Any, scheduled: dict[int, dict[str, Any]], history: Any) -> tuple[str, Any]:
        """(activity name, scheduled timestamp) of the attempt scheduled by event *scheduled_id*."""
        event = scheduled.get(scheduled_id)
        if event is not None:
            a = _attrs(event)
            return (a.get("activityType") or {}).get("name", ""), event.get("eventTimestamp")
        for record in history.activities.values():
            if record.scheduled_id == scheduled_id:
                return record.name or "", record.scheduled_timestamp
        return "", None

    def _child_span(self, event: dict[str, Any], history: Any) -> SpanRecord:
        a = _attrs(event)
        execution = a.get("workflowExecution") or {}
        child_type = (a.get("workflowType") or {}).get("name") or "unknown"
        started_at = next(
            (
                e.get("eventTimestamp")
                for e in self.new_events
                if e["eventType"] == "ChildWorkflowExecutionStarted"
                and _attrs(e).get("initiatedEventId") == a.get("initiatedEventId")
            ),
            None,
        )
        if started_at is None:
            record = history.child_workflows.get(execution.get("workflowId"))
            started_at = getattr(record, "started_timestamp", None)
        end = to_ns(event.get("eventTimestamp")) or _now_ns(self.clock)
        start = to_ns(started_at) or end
        outcome = child_outcome(event["eventType"])
        attrs = {**self.metric_attributes, n.WORKFLOW_ID: self.workflow_id, n.RUN_ID: self.run_id}
        attrs.update({n.CHILD_WORKFLOW_ID: execution.get("workflowId", ""), n.CHILD_RUN_ID: execution.get("runId", "")})
        attrs[n.OUTCOME] = outcome
        links = []
        if execution.get("workflowId") and execution.get("runId"):
            child_ids = execution_ids(execution["workflowId"], execution["runId"])
            links.append(SpanLink(*child_ids, {"simpleflow.link": "child"}))
        span_id = stable_span_id(self.trace_id, "child", a.get("initiatedEventId"))
        error = None if outcome == "completed" else f"child workflow {outcome}"
        name = n.child_span_name(child_type)
        return SpanRecord(name, self.trace_id, span_id, self.root_id, start, end, attrs, [], links, error)

    def end(self, error: str | None = None) -> None:
        """The task is answered (or given up: *error*); ends its span, and the execution's when it closed."""
        if self._ended:
            return
        self._ended = True
        end_ns = _now_ns(self.clock)
        attrs = dict(self.metric_attributes)
        attrs[n.DECISION_REPLAY] = self.replay or "none"
        _live.record(n.M_DECISION_DURATION, max(0, end_ns - self.start_ns) / 1e9, attrs)
        if self.span is None:
            return
        _live.finish(self.span, end_ns, error)
        if self.closing is not None and error is None:
            _live.emit([self._execution_span(end_ns)])

    def _execution_span(self, end_ns: int) -> SpanRecord:
        outcome, started, started_at = self.closing
        attrs = {**self.metric_attributes, n.WORKFLOW_ID: self.workflow_id, n.RUN_ID: self.run_id}
        attrs.update(parent_attributes(started))
        attrs[n.OUTCOME] = outcome
        start = to_ns(started_at) or self.start_ns
        error = None if outcome in ("completed", "continued_as_new") else f"execution {outcome}"
        links = execution_links(started, self.workflow_id)
        name = n.execution_span_name(self.metric_attributes[n.WORKFLOW_TYPE])
        return SpanRecord(name, self.trace_id, self.root_id, None, start, end_ns, attrs, [], links, error)


class ActivityAttempt:
    """One activity attempt's span and duration, on the host that runs it.

    *context*: the activity's context (name, ids, domain, task list, ``attempt``, ``workflow_type``).
    *started_event_id*: its ActivityTaskStarted (fixes the span id, as ``workflow.trace`` does).
    """

    def __init__(
        self, context: dict[str, Any], *, started_event_id: int | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self.clock = clock
        self.start_ns = _now_ns(clock)
        self.metric_attributes = {
            n.DOMAIN: str(context.get("domain_name") or ""),
            n.TASK_LIST: str(context.get("activity_task_list") or ""),
            n.ACTIVITY_NAME: str(context.get("name") or ""),
        }
        self.span = None
        self._ended = False
        tracer = _live.STATE.tracer()
        if tracer is None or not context.get("workflow_id") or not context.get("run_id"):
            return
        trace_id, root_id = execution_ids(context["workflow_id"], context["run_id"])
        attrs = dict(self.metric_attributes)
        attrs.update(
            {
                n.WORKFLOW_TYPE: str(context.get("workflow_type") or ""),
                n.WORKFLOW_ID: context["workflow_id"],
                n.RUN_ID: context["run_id"],
                n.ACTIVITY_ID: str(context.get("activity_id") or ""),
                n.ATTEMPT: int(context.get("attempt") or 1),
            }
        )
        span_id = stable_span_id(trace_id, "activity", started_event_id) if started_event_id else 0
        record = SpanRecord(n.activity_span_name(attrs[n.ACTIVITY_NAME]), trace_id, span_id, root_id, self.start_ns, 0)
        record.attributes = attrs
        self.span = _live.start(record, tracer, pin=bool(started_event_id))

    @property
    def ids(self) -> tuple[str, str]:
        return _live.span_ids(self.span)

    def end(self, outcome: str, error_type: str | None = None) -> None:
        """The attempt ended: completed, failed, canceled, or lost (SWF no longer knows it)."""
        if self._ended:
            return
        self._ended = True
        end_ns = _now_ns(self.clock)
        attrs = {**self.metric_attributes, n.OUTCOME: outcome}
        _live.record(n.M_ACTIVITY_DURATION, max(0, end_ns - self.start_ns) / 1e9, attrs)
        if self.span is None:
            return
        self.span.set_attribute(n.OUTCOME, outcome)
        if error_type:
            self.span.set_attribute(n.ERROR_TYPE, error_type)
        _live.finish(self.span, end_ns, None if outcome == "completed" else error_type or outcome)
