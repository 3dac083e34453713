"""The tries of a task (an activity, a child workflow, a timer), as the history events that made them.

``History(events, attempts=True)`` keeps them (``History.attempts``, filled by ``AttemptLog`` in the same pass
over the events); the inspection rows (simpleflow.swf.stats) are built from them. A try opens when the task is
scheduled (or SWF refuses to schedule it) and holds the events that started and closed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow.history._shapes import attributes

Event = dict[str, Any]

# Events by which SWF refuses to open an attempt: an attempt they open was never scheduled.
_REFUSALS = frozenset({"ScheduleActivityTaskFailed", "StartChildWorkflowExecutionFailed", "StartTimerFailed"})
# Attempt states after which nothing more happens to the attempt.
CLOSED_ATTEMPT_STATES = frozenset(
    {"completed", "failed", "timed_out", "canceled", "terminated", "schedule_failed", "start_failed", "fired"}
)


@dataclass(slots=True)
class Attempt:
    """One try of a task (an activity, a child workflow, a timer), as the events that made it.

    ``opened`` is the event that scheduled it (ActivityTaskScheduled, StartChildWorkflowExecutionInitiated,
    TimerStarted) or SWF's refusal of it; ``last`` the event that set ``state``. Timestamps are the events'
    own (``eventTimestamp``, as given).
    """

    state: str
    opened: Event
    last: Event
    started: Event | None = None
    closed: Event | None = None

    @property
    def scheduled_timestamp(self) -> Any:
        """When it was scheduled; None when SWF refused to schedule it."""
        return None if self.opened["eventType"] in _REFUSALS else self.opened.get("eventTimestamp")

    @property
    def started_timestamp(self) -> Any:
        return self.started.get("eventTimestamp") if self.started is not None else None

    @property
    def closed_timestamp(self) -> Any:
        return self.closed.get("eventTimestamp") if self.closed is not None else None

    @property
    def state_timestamp(self) -> Any:
        """When it reached its state."""
        return self.last.get("eventTimestamp")

    @property
    def was_scheduled(self) -> bool:
        return self.opened["eventType"] not in _REFUSALS

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_ATTEMPT_STATES

    @property
    def scheduling(self) -> dict[str, Any]:
        """The attributes of the event that opened it (type, input, task list, timeout...)."""
        return attributes(self.opened)

    @property
    def start(self) -> dict[str, Any]:
        """The attributes of its start event (worker identity, child run id); ``{}`` before."""
        return attributes(self.started) if self.started is not None else {}

    @property
    def closing(self) -> dict[str, Any]:
        """The attributes of the event that closed it (result, reason, details, timeoutType, cause); ``{}``."""
        return attributes(self.closed) if self.closed is not None else {}

    def move_to(self, state: str, event: Event, closing: bool = False) -> None:
        self.state = state
        self.last = event
        if closing:
            self.closed = event


TaskKey = tuple[str, str]  # (kind, id): ("activity", activity id), ("child_workflow", workflow id), ("timer", id)


class AttemptLog:
    """Folds events into the tries of each task, kept in ``by_task`` (in the order tasks first appear)."""

    def __init__(self, by_task: dict[TaskKey, list[Attempt]] | None = None) -> None:
        self.by_task: dict[TaskKey, list[Attempt]] = {} if by_task is None else by_task
        # id of the event that opened a try (ActivityTaskScheduled, ...Initiated, TimerStarted) -> its task, the try
        self._by_opening: dict[int, tuple[TaskKey, Attempt]] = {}

    def apply(self, event: Event) -> TaskKey | None:
        """Fold one event in; the task whose tries it changed, if any (events of no task are let through)."""
        handler = _HANDLERS.get(event["eventType"])
        return handler(self, event, attributes(event)) if handler is not None else None

    def _open(self, key: TaskKey, state: str, event: Event) -> Attempt:
        attempt = Attempt(state, event, event)
        self.by_task.setdefault(key, []).append(attempt)
        return attempt

    def _timer_started(self, event: Event, a: dict) -> TaskKey:
        key = ("timer", a["timerId"])
        attempt = self._open(key, "started", event)
        attempt.started = event  # a timer runs from the moment it is started
        self._by_opening[event["eventId"]] = key, attempt
        return key

    def _activity_cancel_requested(self, event: Event, a: dict) -> TaskKey | None:
        key = ("activity", a.get("activityId"))
        tries = self.by_task.get(key)
        if tries and not tries[-1].is_closed:
            tries[-1].move_to("cancel_requested", event)
            return key
        return None


Handler = Callable[[AttemptLog, Event, dict], "TaskKey | None"]


def _on_scheduled(kind: str, id_key: str) -> Handler:
    state = "scheduled" if kind == "activity" else "start_initiated"

    def handle(log: AttemptLog, event: Event, a: dict) -> TaskKey:
        key = (kind, a[id_key])
        log._by_opening[event["eventId"]] = key, log._open(key, state, event)
        return key

    return handle


def _on_refused(kind: str, id_key: str) -> Handler:
    state = "schedule_failed" if kind == "activity" else "start_failed"

    def handle(log: AttemptLog, event: Event, a: dict) -> TaskKey:
        # A child's start refused after its initiation closes that try; otherwise SWF refused at once.
        key = (kind, a[id_key])
        initiated = log._by_opening.get(a.get("initiatedEventId") or 0)
        tries = log.by_task.get(key)
        if initiated is not None and tries and initiated[1] is tries[-1]:
            initiated[1].move_to(state, event, closing=True)
        else:
            log._open(key, state, event).closed = event
        return key

    return handle


def _on_moved(state: str, opening_key: str) -> Handler:
    """A try's start or close, found by the id of the event that opened it."""
    starts = state == "started"

    def handle(log: AttemptLog, event: Event, a: dict) -> TaskKey | None:
        found = log._by_opening.get(a.get(opening_key))
        if found is None:
            return None
        key, attempt = found
        if starts:
            attempt.started = event
        attempt.move_to(state, event, closing=not starts)
        return key

    return handle


_HANDLERS: dict[str, Handler] = {
    "ActivityTaskScheduled": _on_scheduled("activity", "activityId"),
    "ScheduleActivityTaskFailed": _on_refused("activity", "activityId"),
    "ActivityTaskStarted": _on_moved("started", "scheduledEventId"),
    "ActivityTaskCompleted": _on_moved("completed", "scheduledEventId"),
    "ActivityTaskFailed": _on_moved("failed", "scheduledEventId"),
    "ActivityTaskTimedOut": _on_moved("timed_out", "scheduledEventId"),
    "ActivityTaskCanceled": _on_moved("canceled", "scheduledEventId"),
    "ActivityTaskCancelRequested": AttemptLog._activity_cancel_requested,
    "StartChildWorkflowExecutionInitiated": _on_scheduled("child_workflow", "workflowId"),
    "StartChildWorkflowExecutionFailed": _on_refused("child_workflow", "workflowId"),
    "ChildWorkflowExecutionStarted": _on_moved("started", "initiatedEventId"),
    "ChildWorkflowExecutionCompleted": _on_moved("completed", "initiatedEventId"),
    "ChildWorkflowExecutionFailed": _on_moved("failed", "initiatedEventId"),
    "ChildWorkflowExecutionTimedOut": _on_moved("timed_out", "initiatedEventId"),
    "ChildWorkflowExecutionCanceled": _on_moved("canceled", "initiatedEventId"),
    "ChildWorkflowExecutionTerminated": _on_moved("terminated", "initiatedEventId"),
    "TimerStarted": AttemptLog._timer_started,
    "StartTimerFailed": _on_refused("timer", "timerId"),
    "TimerFired": _on_moved("fired", "startedEventId"),
    "TimerCanceled": _on_moved("canceled", "startedEventId"),
}
