"""SWF's limit on a run's history, which moto does not keep: a run that reaches it is terminated.

SWF's quotas page: "Maximum workflow execution history size – 25,000 events. This is a hard quota and can't
be changed." Its API reference, WorkflowExecutionTerminatedEventAttributes: cause "If set, indicates that the
workflow execution was automatically terminated, and specifies the cause", one of CHILD_POLICY_APPLIED |
EVENT_LIMIT_EXCEEDED | OPERATOR_INITIATED. Neither says whether the terminating event counts. A history never
holds more than its limit here: the 25,000th event is the run's closing one, WorkflowExecutionTerminated
(cause EVENT_LIMIT_EXCEEDED, the run's child policy applied) in place of any other event, a closing event of
its own there staying; what was under way (the rest of a decision, what it starts in other executions, a
task a poll was taking) is dropped. The local host does the same (``simpleflow.local._closing``).
"""

from __future__ import annotations

from typing import Any

from moto.swf.models import history_event

from simpleflow.constants import EVENT_LIMIT_EXCEEDED, MAX_HISTORY_EVENTS
from simpleflow.history import CLOSING_EVENTS


def history_full(execution: Any, event_type: str) -> bool:
    """Whether *event_type* cannot be recorded in *execution*'s history: it is at its limit, or this event would
    reach it, and the run is terminated instead."""
    count = len(execution._events)
    if count < MAX_HISTORY_EVENTS - 1:
        return False
    if count >= MAX_HISTORY_EVENTS or not execution.open:
        return True
    if event_type in CLOSING_EVENTS:
        return False
    execution.terminate(cause=EVENT_LIMIT_EXCEEDED)
    return True


def terminated_at_limit(execution: Any) -> bool:
    """Whether *execution* was terminated as its history reached the limit."""
    return getattr(execution, "close_cause", None) == EVENT_LIMIT_EXCEEDED


class LimitMixin:
    """moto's own events (decision and activity tasks, markers) kept within the limit, as ``record`` keeps ours."""

    def _add_event(self, event_type: str, *args: Any, **kwargs: Any) -> Any:
        if history_full(self, event_type):
            return history_event.HistoryEvent(0, event_type, *args, **kwargs)  # not recorded: its id says so
        return super()._add_event(event_type, *args, **kwargs)
