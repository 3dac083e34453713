"""Activity task, decision task and Lambda function events; each scheduling is one thing to compile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from simpleflow.swf.mapper.models.event.base import Event, TaskList
from simpleflow.swf.mapper.models.event.compiler import CompiledEvent

if TYPE_CHECKING:
    from datetime import datetime


class ActivityType(TypedDict):
    name: str
    version: str


class ActivityTaskEvent(Event):
    _type = "ActivityTask"

    scheduled_event_id: int
    activity_id: str
    activity_type: ActivityType
    task_list: TaskList
    decision_task_completed_event_id: int
    cause: str
    identity: str
    timeout_type: str


class ActivityTaskEventDict(TypedDict, total=False):
    """An activity task as simpleflow's history summarizes it (the names only; see ``simpleflow.history``)."""

    type: str
    id: int
    name: str
    version: str
    state: str
    scheduled_id: int
    scheduled_timestamp: datetime
    started_id: int
    started_timestamp: datetime
    completed_id: int
    completed_timestamp: datetime
    failed_id: int
    failed_timestamp: datetime
    timeout_type: str
    timeout_value: int
    timed_out_id: int
    timed_out_timestamp: datetime
    identity: Any
    input: dict
    task_list: str
    control: dict | None
    decision_task_completed_event_id: int
    scheduled_event_id: int
    activity_id: int
    activity_type: ActivityType
    retry: int | None
    cause: str
    result: Any
    reason: str | None
    details: str | None
    cancelled_timestamp: datetime


class CompiledActivityTaskEvent(CompiledEvent):
    _type = "ActivityTask"
    states = (
        "scheduled",  # an activity task was scheduled
        "schedule_failed",  # the ScheduleActivityTask decision failed
        "started",  # a worker took the task
        "completed",  # the worker completed it
        "failed",  # the worker failed it
        "timed_out",  # it timed out
        "canceled",  # it was canceled
        "cancel_requested",  # a RequestCancelActivityTask decision was recorded
        "request_cancel_failed",  # the RequestCancelActivityTask decision failed
    )
    transitions: ClassVar[dict[str, tuple[str, ...]]] = {
        "scheduled": ("started", "timed_out", "canceled", "cancel_requested"),
        "started": ("completed", "failed", "timed_out", "canceled", "cancel_requested"),
        # A worker may finish a task whatever was asked of it.
        "cancel_requested": ("started", "completed", "failed", "timed_out", "canceled", "request_cancel_failed"),
    }
    initial_state = "scheduled"
    initial_states = ("schedule_failed", "request_cancel_failed")


class DecisionTaskEvent(Event):
    _type = "DecisionTask"


class CompiledDecisionTaskEvent(CompiledEvent):
    _type = "DecisionTask"
    states = (
        "scheduled",  # a decision task was scheduled
        "started",  # a decider took it
        "completed",  # the decider answered
        "timed_out",  # it timed out (not taken in time, or not answered in time)
    )
    transitions: ClassVar[dict[str, tuple[str, ...]]] = {
        "scheduled": ("started", "timed_out"),
        "started": ("completed", "timed_out"),
    }
    initial_state = "scheduled"


class LambdaFunctionEvent(Event):
    _type = "LambdaFunction"


class CompiledLambdaFunctionEvent(CompiledEvent):
    _type = "LambdaFunction"
    states = ("scheduled", "schedule_failed", "start_failed", "started", "completed", "failed", "timed_out")
    transitions: ClassVar[dict[str, tuple[str, ...]]] = {
        "scheduled": ("started", "start_failed", "timed_out"),
        "started": ("completed", "failed", "timed_out"),
    }
    initial_state = "scheduled"
    initial_states = ("schedule_failed",)
