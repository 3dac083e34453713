"""Timers on the server's clock, with the events SWF records for them.

moto starts a thread per timer whose firing takes no lock, keeps firing for a closed execution, never
counts ``openTimers``, and records a cancellation as ``TimerCancelled``, where SWF's event type is
``TimerCanceled`` (API reference, HistoryEvent: TimerCanceledEventAttributes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simpleflow.devserver import _runtime
from simpleflow.devserver._clock import Entry
from simpleflow.devserver._events import record


@dataclass(slots=True)
class Timer:
    entry: Entry
    started_event_id: int

    def cancel(self) -> None:
        self.entry.cancel()


class TimersMixin:
    """StartTimer, CancelTimer and the firing of timers."""

    def start_timer(self, event_id: int, attributes: dict[str, Any]) -> None:
        timer_id = attributes["timerId"]
        if timer_id in self._timers:
            attrs = {"timerId": timer_id, "cause": "TIMER_ID_ALREADY_IN_USE", "decisionTaskCompletedEventId": event_id}
            record(self, "StartTimerFailed", attrs)
            self.should_schedule_decision_next = True
            return
        wait = attributes["startToFireTimeout"]
        started = record(
            self,
            "TimerStarted",
            {
                "timerId": timer_id,
                "control": attributes.get("control"),
                "startToFireTimeout": wait,
                "decisionTaskCompletedEventId": event_id,
            },
        )
        runtime = _runtime.current()
        entry = runtime.clock.call_later(float(wait) / runtime.timer_speed, lambda: self._fire_timer(started, timer_id))
        self._timers[timer_id] = Timer(entry, started)
        self.open_counts["openTimers"] += 1

    def _fire_timer(self, started_event_id: int, timer_id: str) -> None:
        timer = self._timers.get(timer_id)
        if not self.open or timer is None or timer.started_event_id != started_event_id:
            return
        del self._timers[timer_id]
        self.open_counts["openTimers"] -= 1
        record(self, "TimerFired", {"timerId": timer_id, "startedEventId": started_event_id})
        self.schedule_decision_task()

    def cancel_timer(self, event_id: int, timer_id: str) -> None:
        timer = self._timers.pop(timer_id, None)
        if timer is None:
            attrs = {"timerId": timer_id, "cause": "TIMER_ID_UNKNOWN", "decisionTaskCompletedEventId": event_id}
            record(self, "CancelTimerFailed", attrs)
            self.should_schedule_decision_next = True
            return
        timer.cancel()
        self.open_counts["openTimers"] -= 1
        attrs = {"timerId": timer_id, "startedEventId": timer.started_event_id}
        record(self, "TimerCanceled", dict(attrs, decisionTaskCompletedEventId=event_id))
