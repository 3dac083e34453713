"""Timer events: a timer is started, then fires or is canceled (a cancel that failed leaves it running)."""

from __future__ import annotations

from typing import ClassVar

from simpleflow.swf.mapper.models.event.base import Event
from simpleflow.swf.mapper.models.event.compiler import CompiledEvent


class TimerEvent(Event):
    _type = "Timer"

    timer_id: str
    start_to_fire_timeout: str
    cause: str
    decision_task_completed_event_id: int


class CompiledTimerEvent(CompiledEvent):
    _type = "Timer"
    states = (
        "started",  # StartTimer decided: the timer runs
        "start_failed",  # the StartTimer decision failed
        "fired",  # the timer fired
        "canceled",  # a CancelTimer decision stopped it
        "cancel_failed",  # a CancelTimer decision failed (the timer, if any, still runs)
    )
    transitions: ClassVar[dict[str, tuple[str, ...]]] = {
        "started": ("fired", "canceled", "cancel_failed"),
        "cancel_failed": ("fired", "canceled", "cancel_failed"),
    }
    initial_state = "started"
    initial_states = ("start_failed", "cancel_failed")
