"""simpleflow's ``simpleflow.swf.task`` names for the task classes (one set of classes serves both hosts).

``NonPythonicActivityTask`` schedules an activity whose SWF input is its keyword arguments as a plain
JSON object, or its positional arguments as a plain JSON list, for workers written in other languages.
"""

from __future__ import annotations

from typing import Any

from simpleflow.activity import Activity
from simpleflow.task import (
    ActivityTask,
    CancelTimerTask,
    ChildWorkflowTask,
    ContinueAsNewWorkflowTask,
    MarkerTask,
    SignalTask,
    TimerTask,
    WorkflowTask,
)

__all__ = [
    "ActivityTask",
    "CancelTimerTask",
    "ChildWorkflowTask",
    "ContinueAsNewWorkflowTask",
    "MarkerTask",
    "NonPythonicActivityTask",
    "SignalTask",
    "TimerTask",
    "WorkflowTask",
]


class NonPythonicActivityTask(ActivityTask):
    """An activity task whose input is ``kwargs`` (a JSON object) or ``args`` (a JSON list), not simpleflow's.

    ``self.submit(NonPythonicActivityTask(activity, key=value))`` sends ``{"key": value}`` as the task's
    input (with the activity's ``meta`` under ``"meta"``, as simpleflow adds it to an object).

    Raises:
        ValueError: both positional and keyword arguments are given.
    """

    raw_input = True

    def __init__(self, activity: Activity, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("This task type doesn't support both *args and **kwargs")
        super().__init__(activity, *args, **kwargs)

    def input_for(self, args: Any, kwargs: dict[str, Any]) -> Any:
        return dict(kwargs) if kwargs else list(args)
