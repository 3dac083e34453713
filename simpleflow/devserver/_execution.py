"""The dev server's workflow execution: moto's, extended with what SWF does and moto does not.

Each concern is a mixin of its own module; this class puts them before moto's ``WorkflowExecution``
and keeps the per-execution lists moto finds by scanning the whole domain.
"""

from __future__ import annotations

from typing import Any

from moto.swf.models.workflow_execution import WorkflowExecution

from simpleflow.devserver._activities import ActivitiesMixin
from simpleflow.devserver._children import ChildrenMixin
from simpleflow.devserver._decisions import DecisionsMixin
from simpleflow.devserver._external import ExternalMixin
from simpleflow.devserver._lifecycle import LifecycleMixin
from simpleflow.devserver._limit import LimitMixin
from simpleflow.devserver._timers import TimersMixin


class Execution(
    LimitMixin,
    LifecycleMixin,
    DecisionsMixin,
    ActivitiesMixin,
    TimersMixin,
    ChildrenMixin,
    ExternalMixin,
    WorkflowExecution,
):
    """One run of a workflow execution.

    Beyond moto's keywords: *parent_execution* and *parent_initiated_event_id* (a child's parent run and the
    StartChildWorkflowExecutionInitiated event there), *continued_execution_run_id* (the run it continues),
    *task_priority*.
    """

    def __init__(self, domain: Any, workflow_type: Any, workflow_id: str, **kwargs: Any) -> None:
        self._decision_tasks: list[Any] = []
        self._activity_tasks: list[Any] = []
        self._open_activities_only = False
        self._after_decisions: list[Any] = []
        super().__init__(domain, workflow_type, workflow_id, **kwargs)
        self.parent_execution = kwargs.get("parent_execution")
        self.parent_initiated_event_id = kwargs.get("parent_initiated_event_id")
        self.continued_execution_run_id = kwargs.get("continued_execution_run_id")
        # StartWorkflowExecution's taskPriority: "If not set, then the default task priority for the workflow type
        # is used" (SWF's API reference).
        self.task_priority = kwargs.get("task_priority") or getattr(workflow_type, "default_task_priority", None)
        self.decision_task_list_override: tuple[str, Any] | None = None
        self.processed_started_event_id: int | None = None  # DecisionTaskStarted of the last task answered
        self.close_details: dict[str, Any] = {}
        self._children: dict[int, Any] = {}  # StartChildWorkflowExecutionInitiated event id -> Child

    @property
    def decision_tasks(self) -> list[Any]:
        return self._decision_tasks

    def next_event_id(self) -> int:
        return len(self._events) + 1  # moto takes the max of every event id, at every event
