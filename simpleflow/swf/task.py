"""simpleflow's ``simpleflow.swf.task`` names for the task classes (one set of classes serves both hosts)."""

from __future__ import annotations

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
    "SignalTask",
    "TimerTask",
    "WorkflowTask",
]
