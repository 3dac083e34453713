"""When SWF would time a local activity attempt out: its start-to-close, schedule-to-close, schedule-to-start
and heartbeat timeouts, as the ``ScheduleActivityTask`` decision gives them.

SWF's ActivityTaskTimedOut: START_TO_CLOSE counts from the worker's start of the task, SCHEDULE_TO_CLOSE
from its scheduling, SCHEDULE_TO_START from its scheduling while no worker took it ("the maximum duration
the activity task can wait to be assigned to a worker"), HEARTBEAT from the start and then from each
``RecordActivityTaskHeartbeat``. Here the
host stands for the worker: an activity's own heartbeats count, and so do the automatic ones a worker
started with its default ``--heartbeat`` (60 s) sends while the activity runs, so that a local run times
out where that worker's would. Times are the family's clock (it runs in real time while activities do).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

START_TO_CLOSE = "START_TO_CLOSE"
SCHEDULE_TO_CLOSE = "SCHEDULE_TO_CLOSE"
SCHEDULE_TO_START = "SCHEDULE_TO_START"
HEARTBEAT = "HEARTBEAT"

WORKER_HEARTBEAT = 60.0  # seconds between a worker's automatic heartbeats (``worker.start --heartbeat``)


def seconds(timeout: object) -> float | None:
    """A timeout as SWF takes it (seconds as text, ``NONE``, or None) in seconds; None for no limit."""
    if timeout is None or timeout == "NONE" or timeout == "":
        return None
    try:
        value = float(timeout)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    # "an integer greater than or equal to 0" (SWF's API reference): 0 is no time at all, not "no limit"
    return value if value >= 0 else None


@dataclass(slots=True, frozen=True)
class Limits:
    """The timeouts of one activity task (seconds; None: none)."""

    start_to_close: float | None = None
    schedule_to_close: float | None = None
    heartbeat: float | None = None
    schedule_to_start: float | None = None  # only while it waits for a worker: not in ``shortest``
    # The shortest of the others (infinite when none): no attempt ending sooner after its scheduling timed out.
    shortest: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        limits = [t for t in (self.start_to_close, self.schedule_to_close, self.heartbeat) if t is not None]
        object.__setattr__(self, "shortest", min(limits, default=math.inf))

    @classmethod
    def of_decision(cls, attrs: dict) -> Limits:
        """From a ScheduleActivityTask decision's attributes."""
        return cls(
            seconds(attrs.get("startToCloseTimeout")),
            seconds(attrs.get("scheduleToCloseTimeout")),
            seconds(attrs.get("heartbeatTimeout")),
            seconds(attrs.get("scheduleToStartTimeout")),
        )


def heartbeat_due(
    limit: float, started_at: float, last_beat: float | None, now: float, period: float | None = WORKER_HEARTBEAT
) -> float | None:
    """When a heartbeat timeout falls, as of *now*: *limit* after the latest beat (the start, the activity's
    own *last_beat*, or a worker's automatic beat every *period* seconds since the start); None when the
    automatic beats alone keep it alive."""
    last = started_at if last_beat is None else max(started_at, last_beat)
    if not period:
        return last + limit
    if limit >= period:
        return None
    last_auto = started_at + math.floor(max(0.0, now - started_at) / period) * period
    due = max(last, last_auto) + limit
    next_auto = last_auto + period
    return next_auto + limit if next_auto <= due else due


def first_due(
    limits: Limits,
    scheduled_at: float,
    started_at: float | None,
    last_beat: float | None,
    now: float,
) -> tuple[float, str] | None:
    """The earliest timeout of an attempt (when, its SWF timeoutType), as of *now*; None: none can fall."""
    due: list[tuple[float, str]] = []
    if limits.schedule_to_close is not None:
        due.append((scheduled_at + limits.schedule_to_close, SCHEDULE_TO_CLOSE))
    if started_at is not None:
        if limits.start_to_close is not None:
            due.append((started_at + limits.start_to_close, START_TO_CLOSE))
        if limits.heartbeat is not None:
            when = heartbeat_due(limits.heartbeat, started_at, last_beat, now)
            if when is not None:
                due.append((when, HEARTBEAT))
    return min(due, default=None)
