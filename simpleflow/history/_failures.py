"""The task failures of a history, one line each, and where each error was raised.

What ``standalone`` and a local run write on stderr as tasks fail, and what the last line of a run that
completed despite failed tasks counts. Pure: events in, text out (jumbo fields decoded by the caller's
*decode*).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow.history._shapes import attributes

# Events that say a task did not succeed, and the attribute naming what went wrong.
_FAILURE_EVENTS = {
    "ActivityTaskFailed": "reason",
    "ActivityTaskTimedOut": "timeoutType",
    "ScheduleActivityTaskFailed": "cause",
    "ChildWorkflowExecutionFailed": "reason",
    "ChildWorkflowExecutionTimedOut": "timeoutType",
    "ChildWorkflowExecutionTerminated": "",
    "StartChildWorkflowExecutionFailed": "cause",
}
_SUCCESS_EVENTS = {"ActivityTaskCompleted", "ChildWorkflowExecutionCompleted"}
_OPENING_EVENTS = {"ActivityTaskScheduled", "StartChildWorkflowExecutionInitiated"}

# SWF's causes for a decision it refused, in words (its API reference's ScheduleActivityTaskFailed causes).
_CAUSES = {
    "ACTIVITY_ID_ALREADY_IN_USE": (
        "the endpoint refused to schedule it again under its id (ACTIVITY_ID_ALREADY_IN_USE): SWF reuses the "
        "id of a closed task, a stock moto server does not (docs/swf.md)"
    ),
    "ACTIVITY_TYPE_DOES_NOT_EXIST": "its activity type is not registered (ACTIVITY_TYPE_DOES_NOT_EXIST)",
    "ACTIVITY_TYPE_DEPRECATED": "its activity type is deprecated (ACTIVITY_TYPE_DEPRECATED)",
    "OPEN_ACTIVITIES_LIMIT_EXCEEDED": "too many open activities (OPEN_ACTIVITIES_LIMIT_EXCEEDED)",
    "WORKFLOW_ALREADY_RUNNING": "a child with its workflow id is already open (WORKFLOW_ALREADY_RUNNING)",
}

_FRAME = re.compile(r'File "([^"]+)", line (\d+), in ([^\n\\]+)')
_OURS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # simpleflow/
_STDLIB = os.path.dirname(os.__file__) + os.sep
_AFTER_SITE = re.compile(r"^.*[/\\](?:site|dist)-packages[/\\]")


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """One failed attempt of a task, as a history records it."""

    event_id: int
    task_id: str
    kind: str  # failed, timed out, not scheduled
    reason: str
    where: str  # "file, line n, in func" of the innermost frame of user code, or ""
    attempt: int = 1  # of the task (its schedulings so far)

    @property
    def line(self) -> str:
        text = f"task {self.task_id} {self.kind}" + (f" (attempt {self.attempt})" if self.attempt > 1 else "")
        if self.reason:
            text += f": {self.reason}"
        return f"{text} ({self.where})" if self.where else text


def where_raised(details: Any) -> str:
    """``file, line n, in func``: where the error whose traceback *details* holds was raised, or "".

    The innermost frame outside simpleflow and the standard library (the user's line), else the innermost.
    A file under the current directory is named relative to it.
    """
    text = details if isinstance(details, str) else repr(details)
    frames = _FRAME.findall(text.replace('\\"', '"'))
    if not frames:
        return ""
    chosen = next((f for f in reversed(frames) if not _is_library(f[0])), frames[-1])
    path, line, func = chosen
    here = os.getcwd() + os.sep
    if path.startswith(here):
        path = path[len(here) :]
    else:  # an installed package: from its own name (botocore/client.py), not the site's path
        path = _AFTER_SITE.sub("", path)
    return f"{path}, line {line}, in {func.strip()}"


def _is_library(path: str) -> bool:
    if path.startswith("<") or path.startswith(_OURS + os.sep):
        return True
    return path.startswith(_STDLIB) and f"-packages{os.sep}" not in path  # site- or dist-packages: maybe yours


def task_failures(
    events: list[dict[str, Any]], after: int = 0, decode: Callable[[Any], Any] = lambda value: value
) -> list[TaskFailure]:
    """Every failed attempt among *events* whose event id is above *after*, in order."""
    opened: dict[int, str] = {}
    attempts: dict[str, int] = {}
    found = []
    for event in events:
        etype = event["eventType"]
        attrs = attributes(event)
        if etype in _OPENING_EVENTS or etype == "ScheduleActivityTaskFailed":  # a refusal opens no task first
            task_id = attrs.get("activityId") or attrs.get("workflowId") or "?"
            opened[event["eventId"]] = task_id
            attempts[task_id] = attempts.get(task_id, 0) + 1
        if etype not in _FAILURE_EVENTS or event["eventId"] <= after:
            continue
        reason = (decode(attrs.get(_FAILURE_EVENTS[etype])) or "") if _FAILURE_EVENTS[etype] else ""
        if etype.endswith("TimedOut"):
            kind, reason = "timed out", f"{reason} timeout" if reason else ""
        elif etype.startswith(("Schedule", "Start")):
            kind, reason = "not scheduled", _CAUSES.get(reason, reason)
        elif etype.endswith("Terminated"):
            kind = "terminated"
        else:
            kind = "failed"
        where = where_raised(decode(attrs.get("details"))) if attrs.get("details") else ""
        task_id = _task_id(attrs, opened)
        found.append(TaskFailure(event["eventId"], task_id, kind, str(reason), where, attempts.get(task_id, 1)))
    return found


def failed_for_good(events: list[dict[str, Any]]) -> list[str]:
    """The tasks whose last attempt failed (none retried since, none completed), in the order they failed."""
    opened: dict[int, str] = {}
    last: dict[str, bool] = {}  # task id -> whether its latest attempt failed
    for event in events:
        etype = event["eventType"]
        attrs = attributes(event)
        if etype in _OPENING_EVENTS:
            task_id = attrs.get("activityId") or attrs.get("workflowId") or "?"
            opened[event["eventId"]] = task_id
            last[task_id] = False
        elif etype in _FAILURE_EVENTS or etype in _SUCCESS_EVENTS:
            task_id = _task_id(attrs, opened)
            last.pop(task_id, None)  # keeps the order of the last outcome
            last[task_id] = etype in _FAILURE_EVENTS
    return [task_id for task_id, failed in last.items() if failed]


def _task_id(attrs: dict[str, Any], opened: dict[int, str]) -> str:
    return (
        attrs.get("activityId")
        or opened.get(attrs.get("scheduledEventId") or attrs.get("initiatedEventId") or 0)
        or (attrs.get("workflowExecution") or {}).get("workflowId")
        or attrs.get("workflowId")
        or "?"
    )
