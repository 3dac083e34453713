"""One try of a task (an activity, a child workflow, a timer), as the history events that made it.

``History`` keeps the attempts of every task (``History.attempts``); the inspection rows (simpleflow.swf.stats)
are built from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simpleflow.swf_events import attributes

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
