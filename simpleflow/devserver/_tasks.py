"""Decision and activity tasks whose timeouts are SWF's, each due at a time the server's clock keeps.

moto times out an activity only on its heartbeat, counted from when the task was scheduled, and a
decision task only on its start-to-close. SWF's API reference (ScheduleActivityTaskDecisionAttributes):
scheduleToStartTimeout is "the maximum duration the activity task can wait to be assigned to a
worker", scheduleToCloseTimeout "the maximum duration for this activity task", startToCloseTimeout "the
maximum duration a worker may take to process this activity task", heartbeatTimeout (with
ActivityTaskScheduledEventAttributes) "the maximum time before which the worker processing this task
must report progress by calling RecordActivityTaskHeartbeat": a clock that starts with the task, not
when it was scheduled. Each may be ``NONE`` ("unlimited duration").
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import unix_time
from moto.swf.models.activity_task import ActivityTask as MotoActivityTask
from moto.swf.models.decision_task import DecisionTask as MotoDecisionTask
from moto.swf.models.timeout import Timeout


def seconds(value: Any) -> float | None:
    """A timeout as SWF writes it (seconds as a string, or ``NONE``); None when unlimited or unset."""
    if value is None or value == "" or str(value).upper() == "NONE":
        return None
    return float(value)


def _first_reached(obj: Any, deadlines: list[tuple[float, str]]) -> Timeout | None:
    reached = [Timeout(obj, due, kind) for due, kind in deadlines]
    reached = [t for t in reached if t.reached]
    return min(reached, key=lambda t: t.timestamp) if reached else None


class DecisionTask(MotoDecisionTask):
    """A decision task on the list it was scheduled on (a task list override may name another).

    A task scheduled under an override with a schedule-to-start timeout times out unless started in time.
    """

    def __init__(self, execution: Any, scheduled_event_id: int, task_list: str, schedule_to_start: Any = None):
        super().__init__(execution, scheduled_event_id)
        self.task_list = task_list
        self.schedule_to_start_timeout = schedule_to_start
        self.scheduled_timestamp = unix_time()

    def deadlines(self) -> list[tuple[float, str]]:
        out = []
        if self.state == "SCHEDULED" and seconds(self.schedule_to_start_timeout) is not None:
            out.append((self.scheduled_timestamp + seconds(self.schedule_to_start_timeout), "SCHEDULE_TO_START"))
        if self.state == "STARTED" and seconds(self.start_to_close_timeout) is not None:
            out.append((self.started_timestamp + seconds(self.start_to_close_timeout), "START_TO_CLOSE"))
        return out

    def first_timeout(self) -> Timeout | None:
        if not self.workflow_execution.open:
            return None
        return _first_reached(self, self.deadlines())


class ActivityTask(MotoActivityTask):
    """An activity task with its four timeouts, and whether its cancellation was asked."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scheduled_timestamp = unix_time()
        self.started_timestamp: float | None = None
        self.cancel_requested_event_id: int | None = None
        self.workflow_execution.adopt_activity_task(self)

    def start(self, started_event_id: int) -> None:
        super().start(started_event_id)
        self.started_timestamp = unix_time()
        self.reset_heartbeat_clock()  # the clock of "the worker processing this task"
        self.workflow_execution.watch(self.deadlines())

    def heartbeat(self, details: Any) -> None:
        self.reset_heartbeat_clock()
        if details:
            self.details = details
        self.workflow_execution.watch(self.deadlines())

    def deadlines(self) -> list[tuple[float, str]]:
        if not self.open:
            return []
        limits = {kind: seconds(self.timeouts.get(key)) for kind, key in _TIMEOUT_KEYS}
        out = []
        if self.state == "SCHEDULED" and limits["SCHEDULE_TO_START"] is not None:
            out.append((self.scheduled_timestamp + limits["SCHEDULE_TO_START"], "SCHEDULE_TO_START"))
        if limits["SCHEDULE_TO_CLOSE"] is not None:
            out.append((self.scheduled_timestamp + limits["SCHEDULE_TO_CLOSE"], "SCHEDULE_TO_CLOSE"))
        if self.state == "STARTED":
            if limits["START_TO_CLOSE"] is not None:
                out.append((self.started_timestamp + limits["START_TO_CLOSE"], "START_TO_CLOSE"))
            if limits["HEARTBEAT"] is not None:
                out.append((self.last_heartbeat_timestamp + limits["HEARTBEAT"], "HEARTBEAT"))
        return out

    def first_timeout(self) -> Timeout | None:
        if not self.open or not self.workflow_execution.open:
            return None
        return _first_reached(self, self.deadlines())


_TIMEOUT_KEYS = (
    ("SCHEDULE_TO_START", "scheduleToStartTimeout"),
    ("SCHEDULE_TO_CLOSE", "scheduleToCloseTimeout"),
    ("START_TO_CLOSE", "startToCloseTimeout"),
    ("HEARTBEAT", "heartbeatTimeout"),
)
