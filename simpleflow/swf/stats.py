"""Inspection of an SWF execution: its history events, as boto3 returns them, turned into table rows.

Pure functions over plain dicts (no network): ``workflow.info``, ``workflow.tasks``, ``workflow.profile``,
``task.info`` and ``activity.rerun`` build on them. Event timestamps may be float epochs, datetimes or
ISO 8601 text; the rows hold timezone-aware UTC datetimes, durations in seconds, and decoded JSON payloads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from simpleflow.constants import RETRY_POLICY_TIMER_PREFIX, RETRY_TIMER_PREFIX, WAKE_UP_TIMER
from simpleflow.exceptions import UnknownTaskError
from simpleflow.history import CLOSED_ATTEMPT_STATES, CLOSING_EVENTS, Attempt, History, attributes

__all__ = [
    "ACTIVITY",
    "CHILD_WORKFLOW",
    "TIMER",
    "TaskRecord",
    "UnknownTaskError",
    "collect_tasks",
    "epoch",
    "find_activity_input",
    "profile_rows",
    "task_info",
    "task_record",
    "task_rows",
    "timer_purpose",
    "to_datetime",
    "workflow_info_row",
]

ACTIVITY = "activity"
CHILD_WORKFLOW = "child_workflow"
TIMER = "timer"

# States a task can be left in once closed; any other state means it is still open.
CLOSED_STATES = CLOSED_ATTEMPT_STATES

Decoder = Callable[[str], Any]


def epoch(timestamp: float | int | str | datetime) -> float:
    """Seconds since the epoch of an event timestamp.

    boto3 gives datetimes, a JSON dump floats, the AWS CLI ISO 8601 strings; a naive time is taken as UTC.
    """
    if isinstance(timestamp, str):
        try:
            return float(timestamp)
        except ValueError:
            text = timestamp[:-1] + "+00:00" if timestamp.endswith(("Z", "z")) else timestamp
            timestamp = datetime.fromisoformat(text)
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=timezone.utc)
        return timestamp.timestamp()
    return float(timestamp)


_POLICY_TIMER = re.compile(rf"^{re.escape(RETRY_POLICY_TIMER_PREFIX)}(\d+)_(.+)$")


def timer_purpose(timer_id: str) -> str:
    """What a timer waits for, in words: ``retry 2 of TASK`` (a RetryPolicy's wait before that attempt),
    ``retry of TASK`` (``on_task_failure``'s retry later), else ``timer ID``."""
    policy = _POLICY_TIMER.match(timer_id)
    if policy:
        return f"retry {policy.group(1)} of {policy.group(2)}"
    if timer_id.startswith(RETRY_TIMER_PREFIX):
        return f"retry of {timer_id[len(RETRY_TIMER_PREFIX) :]}"
    return f"timer {timer_id}"


def to_datetime(seconds: float | None) -> datetime | None:
    """The UTC datetime of an epoch in seconds (None stays None)."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _decode(value: str | None, decode: Decoder) -> Any:
    """A payload decoded; left as the raw string when it is not JSON (a jumbo field reference, plain text)."""
    if value is None:
        return None
    try:
        return decode(value)
    except (ValueError, TypeError):
        return value


@dataclass
class TaskRecord:
    """What a history says about one task (activity id, child workflow id or timer id), last attempt wins."""

    kind: str
    id: str
    name: str | None = None
    version: str | None = None
    state: str = "scheduled"
    first_event_id: int = 0  # the event that first mentioned the task: orders tasks
    scheduled_event_id: int | None = None  # of the last attempt
    attempts: int = 0
    scheduled: float | None = None  # epoch seconds, last attempt
    started: float | None = None
    closed: float | None = None
    last_time: float | None = None  # time of the event that set `state`
    input: str | None = None  # raw payloads, decoded on output
    result: str | None = None
    reason: str | None = None
    details: str | None = None
    cause: str | None = None
    timeout_type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Every attempt, oldest first: (scheduled, started, closed, state), epoch seconds or None.
    tries: list[tuple[float | None, float | None, float | None, str]] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        """Whether the task's last attempt is over."""
        return self.state in CLOSED_STATES


def _sorted_events(events: Iterable[dict]) -> list[dict]:
    events = list(events)
    if events and events[0]["eventId"] > events[-1]["eventId"]:  # fetched with reverseOrder
        events.reverse()
    return events


def _when(timestamp: Any) -> float | None:
    return None if timestamp is None else epoch(timestamp)


def task_record(kind: str, task_id: str, attempts: list[Attempt]) -> TaskRecord:
    """The record of one task from its tries (``History.attempts``), oldest first: the last one wins."""
    last = attempts[-1]
    task = TaskRecord(
        kind=kind,
        id=task_id,
        state=last.state,
        first_event_id=attempts[0].opened["eventId"],
        scheduled_event_id=last.opened["eventId"],
        attempts=len(attempts),
        scheduled=_when(last.scheduled_timestamp),
        started=_when(last.started_timestamp),
        closed=_when(last.closed_timestamp),
        last_time=_when(last.state_timestamp),
        tries=[
            (_when(a.scheduled_timestamp), _when(a.started_timestamp), _when(a.closed_timestamp), a.state)
            for a in attempts
        ],
    )
    # The input stays the one of the last attempt SWF scheduled (a refusal carries none).
    scheduled = next((attempt for attempt in reversed(attempts) if attempt.was_scheduled), None)
    if kind == TIMER:
        task.name = task_id
        task.input = scheduled.scheduling.get("control") if scheduled is not None else None
    else:
        task_type = last.scheduling.get("activityType" if kind == ACTIVITY else "workflowType") or {}
        task.name, task.version = task_type.get("name"), task_type.get("version")
        task.input = scheduled.scheduling.get("input") if scheduled is not None else None
    closing = last.closing
    task.result = closing.get("result")
    task.reason = closing.get("reason")
    task.details = closing.get("details")
    task.cause = closing.get("cause")
    task.timeout_type = closing.get("timeoutType")
    if last.was_scheduled:
        if kind == TIMER:
            task.extra["start_to_fire_timeout"] = last.scheduling.get("startToFireTimeout")
        else:
            task.extra["task_list"] = (last.scheduling.get("taskList") or {}).get("name")
            if last.started is not None:
                start = last.start
                if kind == ACTIVITY:
                    task.extra["identity"] = start.get("identity")
                else:
                    task.extra["run_id"] = (start.get("workflowExecution") or {}).get("runId")
    return task


def collect_tasks(events: Iterable[dict]) -> list[TaskRecord]:
    """One record per task of the history, in the order tasks first appear.

    Built from :class:`~simpleflow.history.History`'s attempts: activities are keyed by activity id, child
    workflows by workflow id, timers by timer id; a task scheduled again (a retry) starts a new attempt and
    the record shows the last one. simpleflow's internal wake-up timer is left out.
    """
    history = History(attempts=True)
    history.extend(_sorted_events(events))
    tasks = [
        task_record(kind, task_id, attempts)
        for (kind, task_id), attempts in history.attempts.items()
        if not (kind == TIMER and task_id == WAKE_UP_TIMER)
    ]
    return sorted(tasks, key=lambda task: task.first_event_id)


def _history_bounds(events: list[dict]) -> tuple[float, float]:
    """First and last event times: the span the history covers."""
    if not events:
        raise ValueError("empty history: an execution has at least its WorkflowExecutionStarted event")
    first, last = epoch(events[0]["eventTimestamp"]), epoch(events[-1]["eventTimestamp"])
    return min(first, last), max(first, last)


# The close status SWF reports for each closing event (when a description does not say it).
_CLOSE_STATUS = {
    "WorkflowExecutionCompleted": "COMPLETED",
    "WorkflowExecutionFailed": "FAILED",
    "WorkflowExecutionTimedOut": "TIMED_OUT",
    "WorkflowExecutionCanceled": "CANCELED",
    "WorkflowExecutionTerminated": "TERMINATED",
    "WorkflowExecutionContinuedAsNew": "CONTINUED_AS_NEW",
}


def workflow_info_row(
    description: dict,
    events: list[dict],
    domain: str | None = None,
    decode: Decoder = json.loads,
) -> tuple[list[str], list[Any]]:
    """Headers and the one row of ``workflow.info``.

    Args:
        description: DescribeWorkflowExecution's response, or one ``executionInfos`` item of a list call.
        events: the execution's history events.
        domain: the SWF domain (a description does not say it).
        decode: how payloads are decoded (JSON by default; pass a jumbo-aware decoder to resolve big inputs).

    Returns:
        ``(headers, row)``; ``execution_time`` is seconds from the start to the close, or to the last event
        while the execution is open; ``input`` is the decoded workflow input; ``status`` OPEN or CLOSED,
        ``close_status`` SWF's (None while open), ``result`` the decoded result of a completed execution,
        ``reason`` why one that did not complete closed; ``latest_execution_context``, the decoded status
        the workflow last set, when the description has one.
    """
    events = _sorted_events(events)
    info = description.get("executionInfo", description)
    configuration = description.get("executionConfiguration", {})
    started = next((e for e in events if e["eventType"] == "WorkflowExecutionStarted"), None)
    start_attrs = attributes(started) if started else {}
    workflow_type = info.get("workflowType") or start_attrs.get("workflowType") or {}
    execution = info.get("execution", {})
    task_list = (configuration.get("taskList") or start_attrs.get("taskList") or {}).get("name")
    tag_list = info.get("tagList", start_attrs.get("tagList")) or []

    first, last = _history_bounds(events) if events else (None, None)
    if "startTimestamp" in info:
        first = epoch(info["startTimestamp"])
    close = next((e for e in reversed(events) if e["eventType"] in CLOSING_EVENTS), None)
    if "closeTimestamp" in info:
        last = epoch(info["closeTimestamp"])
    elif close is not None:
        last = epoch(close["eventTimestamp"])
    execution_time = round(last - first, 3) if first is not None and last is not None else None

    headers = [
        "domain",
        "workflow_type.name",
        "workflow_type.version",
        "task_list",
        "workflow_id",
        "run_id",
        "tag_list",
        "execution_time",
        "input",
        "status",
        "close_status",
        "result",
        "reason",
    ]
    close_attrs = attributes(close) if close else {}
    completed = close is not None and close["eventType"] == "WorkflowExecutionCompleted"
    row = [
        domain,
        workflow_type.get("name"),
        workflow_type.get("version"),
        task_list,
        execution.get("workflowId"),
        execution.get("runId"),
        ",".join(tag_list),
        execution_time,
        _decode(start_attrs.get("input"), decode),
        info.get("executionStatus") or ("CLOSED" if close else "OPEN"),
        info.get("closeStatus") or (_CLOSE_STATUS.get(close["eventType"]) if close else None),
        _decode(close_attrs.get("result"), decode) if completed else None,
        close_attrs.get("reason") or close_attrs.get("timeoutType") or close_attrs.get("cause"),
    ]
    if "latestExecutionContext" in description:  # the workflow's status (Workflow.set_status)
        headers.append("latest_execution_context")
        row.append(_decode(description["latestExecutionContext"], decode))
    return headers, row


def task_rows(events: list[dict], nb_tasks: int | None = None) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of ``workflow.tasks``: one row per task, most recently first seen first.

    Columns: the task's name (its activity or workflow type's, a timer's id), as simpleflow 0.36.0 shows
    it; its last state, when it reached that state, when its last attempt was scheduled (None for a task
    SWF refused to schedule); then its id (after the original's four columns, which keep their places).
    ``nb_tasks`` keeps the first rows only.
    """
    headers = ["Tasks", "Last State", "Last State Time", "Scheduled Time", "Id"]
    tasks = collect_tasks(events)[::-1]
    if nb_tasks:
        tasks = tasks[:nb_tasks]
    rows = [[t.name or t.id, t.state, to_datetime(t.last_time), to_datetime(t.scheduled), t.id] for t in tasks]
    return headers, rows


def profile_rows(events: list[dict], nb_tasks: int | None = None) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of ``workflow.profile``: where the execution's time went, longest running first.

    Per task (last attempt): when it was scheduled, seconds waiting for a worker (scheduled -> started),
    when it started, seconds running (started -> closed), when it closed, and the running time as a
    percentage of the whole history (first to last event). A task still open counts up to the last event
    and has no End; one that never started has no Start, running time nor percentage. Timers run from
    their start to their firing. ``nb_tasks`` keeps the first rows only.
    """
    events = _sorted_events(events)
    headers = [
        "Task",
        "Last State",
        "Scheduled",
        "Time Scheduled",
        "Start",
        "Time Running",
        "End",
        "Percentage of total time",
    ]
    if not events:
        return headers, []
    first, now = _history_bounds(events)
    total = now - first
    rows = []
    for task in collect_tasks(events):
        if task.scheduled is None and task.started is None:
            continue  # refused by SWF: it never occupied any time
        end = task.closed if task.closed is not None else now
        waiting = running = percent = None
        if task.scheduled is not None:
            waiting = round((task.started if task.started is not None else end) - task.scheduled, 3)
        if task.started is not None:
            running = round(end - task.started, 3)
            percent = round(100.0 * running / total, 2) if total > 0 else 0.0
        rows.append(
            [
                task.id,
                task.state,
                to_datetime(task.scheduled),
                waiting,
                to_datetime(task.started),
                running,
                to_datetime(task.closed),
                percent,
            ]
        )
    rows.sort(key=lambda row: row[5] if row[5] is not None else -1.0, reverse=True)
    if nb_tasks:
        rows = rows[:nb_tasks]
    return headers, rows


def _find(events: list[dict], task_id: str) -> TaskRecord:
    tasks = collect_tasks(events)
    for task in tasks:
        if task.id == task_id:
            return task
    known = ", ".join(t.id for t in tasks[:20]) + (", ..." if len(tasks) > 20 else "")
    raise UnknownTaskError(f"no task {task_id!r} in this history (tasks: {known or 'none'})")


def task_info(events: list[dict], task_id: str, decode: Decoder = json.loads) -> dict[str, Any]:
    """Everything the history says about the last attempt of the task ``task_id``, for ``task.info``.

    Keys: type, id, name, version, state, timestamp (of the last state), scheduled, started, closed,
    attempts, scheduled_event_id, input; then, when they apply: result, reason, details, cause,
    timeout_type, and identity (activity worker), run_id (child workflow), start_to_fire_timeout (timer).
    Payloads are decoded with ``decode``.

    Raises:
        UnknownTaskError: (a KeyError) no task has that id; the message lists the ids there are.
    """
    task = _find(_sorted_events(events), task_id)
    info: dict[str, Any] = {
        "type": task.kind,
        "id": task.id,
        "name": task.name,
        "version": task.version,
        "state": task.state,
        "timestamp": to_datetime(task.last_time),
        "scheduled": to_datetime(task.scheduled),
        "started": to_datetime(task.started),
        "closed": to_datetime(task.closed),
        "attempts": task.attempts,
        "scheduled_event_id": task.scheduled_event_id,
        "input": _without_attempt(_decode(task.input, decode)),
    }
    if task.state == "completed":
        info["result"] = _decode(task.result, decode)
    for key in ("reason", "cause", "timeout_type"):
        if getattr(task, key) is not None:
            info[key] = getattr(task, key)
    if task.details is not None:
        info["details"] = _decode(task.details, decode)
    info.update({key: value for key, value in task.extra.items() if value is not None})
    return info


def find_activity_input(
    events: list[dict],
    scheduled_id: int | None = None,
    activity_id: str | None = None,
    decode: Decoder = json.loads,
) -> tuple[str, str, Any]:
    """The activity type name, version and decoded input of a scheduled activity, for ``activity.rerun``.

    Found by the eventId of its ActivityTaskScheduled event, or by activity id (its last scheduling).
    The input is ``{"args": [...], "kwargs": {...}}`` as simpleflow writes it (``{}`` when there was none).

    Raises:
        ValueError: neither selector was given, or ``scheduled_id`` is not an ActivityTaskScheduled event.
        UnknownTaskError: no activity was scheduled with that id.
    """
    if scheduled_id is None and activity_id is None:
        raise ValueError("give a scheduled event id or an activity id")
    found = None
    for event in events:
        if scheduled_id is not None and event["eventId"] == scheduled_id:
            if event["eventType"] != "ActivityTaskScheduled":
                raise ValueError(f"event {scheduled_id} is a {event['eventType']}, not an ActivityTaskScheduled")
            found = event
            break
        if (
            scheduled_id is None
            and event["eventType"] == "ActivityTaskScheduled"
            and attributes(event)["activityId"] == activity_id
            and (found is None or event["eventId"] > found["eventId"])
        ):
            found = event
    if found is None:
        what = f"event {scheduled_id}" if scheduled_id is not None else f"activity {activity_id!r}"
        raise UnknownTaskError(f"no {what} scheduled in this history")
    attrs = attributes(found)
    activity_input = _decode(attrs.get("input"), decode)
    if activity_input is None:
        activity_input = {}
    return attrs["activityType"]["name"], attrs["activityType"]["version"], activity_input


def _without_attempt(value: Any) -> Any:
    """A task's input as it was given: without the attempt number a retry's input carries (``ATTEMPT_KEY``)."""
    from simpleflow.activity import ATTEMPT_KEY

    if isinstance(value, dict) and ATTEMPT_KEY in value:
        return {key: item for key, item in value.items() if key != ATTEMPT_KEY}
    return value
