"""``ActivityTaskDecision``: schedule an activity task, or ask for its cancellation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpleflow.swf.mapper.models import _fields
from simpleflow.swf.mapper.models.decision.base import Decision, decision_action

if TYPE_CHECKING:
    from simpleflow.swf.mapper.models.activity import ActivityType


class ActivityTaskDecision(Decision):
    """``ActivityTaskDecision("schedule", activity_id, activity_type, ...)`` or ``("request_cancel", activity_id)``."""

    _base_type = "ActivityTask"

    @decision_action
    def request_cancel(self, activity_id: str) -> None:
        """Ask for the cancellation of the open activity task *activity_id*."""
        self.update_attributes({"activityId": activity_id})

    @decision_action
    def schedule(
        self,
        activity_id: str,
        activity_type: ActivityType,
        control: Any = None,
        heartbeat_timeout: str | None = None,
        input: Any = None,
        duration_timeout: str | None = None,
        schedule_timeout: str | None = None,
        task_timeout: str | None = None,
        task_list: str | None = None,
        task_priority: str | int | None = None,
    ) -> None:
        """Schedule an activity task of *activity_type* (a model with ``name`` and ``version``).

        *input* and *control* are written as JSON; the timeouts (seconds, or ``"NONE"``) are
        heartbeat, schedule to close (*duration_timeout*), schedule to start and start to close
        (*task_timeout*); those not given, and *task_list*, are the type's defaults.
        """
        self.update_attributes(
            {
                "activityId": activity_id,
                "activityType": {"name": activity_type.name, "version": activity_type.version},
                "control": _fields.control(control) if control is not None else None,
                "heartbeatTimeout": _seconds(heartbeat_timeout),
                "input": _fields.input(input) if input is not None else None,
                "scheduleToCloseTimeout": _seconds(duration_timeout),
                "scheduleToStartTimeout": _seconds(schedule_timeout),
                "startToCloseTimeout": _seconds(task_timeout),
                "taskList": {"name": task_list},
                # int() first: a priority that is not a number fails here, not at SWF.
                "taskPriority": str(int(task_priority)) if task_priority is not None else None,
            }
        )


def _seconds(value: Any) -> str | None:
    return None if value is None else str(value)
