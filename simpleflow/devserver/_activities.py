"""Activity tasks: ids reused once closed, timeouts of every kind, cancellation.

SWF refuses a ScheduleActivityTask whose activityId is that of an *open* task (cause
ACTIVITY_ID_ALREADY_IN_USE); moto refuses any id the execution ever used, so a task cannot be
retried under its id. Cancellation follows SWF's developer guide (Cancelling activity tasks): "If the
activity task has not yet been acquired by an activity worker, the service will cancel the task. [...]
If the task has already been assigned to an activity worker, then the activity worker will be
requested to cancel the task" (RecordActivityTaskHeartbeat then answers ``cancelRequested: true``);
RespondActivityTaskCanceled: "These details (if provided) appear in the ActivityTaskCanceled event
added to the workflow history". moto has none of it.
"""

from __future__ import annotations

from typing import Any

from simpleflow.devserver._events import record


class ActivitiesMixin:
    """The execution's activity tasks."""

    def adopt_activity_task(self, task: Any) -> None:
        """A task moto just made for this execution (called by the task itself)."""
        self._activity_tasks.append(task)
        self.domain.tasks_by_token[task.task_token] = task
        self.watch(task.deadlines())

    @property
    def activity_tasks(self) -> list[Any]:
        if self._open_activities_only:
            return [t for t in self._activity_tasks if t.open]
        return self._activity_tasks

    def schedule_activity_task(self, event_id: int, attributes: dict[str, Any]) -> None:
        # moto looks for the id among self.activity_tasks: only the open ones count, as on SWF.
        scheduled = len(self._activity_tasks)
        self._open_activities_only = True
        try:
            super().schedule_activity_task(event_id, attributes)
        finally:
            self._open_activities_only = False
        if len(self._activity_tasks) > scheduled:
            self._record_settings(self._activity_tasks[-1])

    def _record_settings(self, task: Any) -> None:
        """Give the task's ActivityTaskScheduled event the timeouts the task has, its type's defaults included,
        and its type's default priority when the decision gave none ("This overrides the defaultTaskPriority
        specified when registering the activity type").

        SWF's API reference, ActivityTaskScheduledEventAttributes: scheduleToStartTimeout is "The maximum amount
        of time the activity task can wait to be assigned to a worker", startToCloseTimeout "The maximum amount
        of time a worker may take to process the activity task" (those of the task, whichever set them). moto
        records only the timeouts the decision gave: a task left to its type's defaults showed none.
        """
        event_id = task.scheduled_event_id
        if event_id and event_id <= len(self._events):  # 0: not recorded, the history is full
            attributes = self._events[event_id - 1].event_attributes
            attributes.update(task.timeouts)
            default = getattr(task.activity_type, "default_task_priority", None)
            if attributes.get("taskPriority") is None and default is not None:
                attributes["taskPriority"] = default

    def timeout_activity_task(self, timeout: Any) -> None:
        task = timeout.obj
        task.timeout(timeout)
        attrs = {
            "timeoutType": timeout.kind,
            "scheduledEventId": task.scheduled_event_id,
            "startedEventId": task.started_event_id or 0,  # 0: it never started (SCHEDULE_TO_START)
            "details": task.details,  # "the details parameter for the last call [...] to RecordActivityTaskHeartbeat"
        }
        record(self, "ActivityTaskTimedOut", attrs, timestamp=timeout.timestamp)
        self.open_counts["openActivityTasks"] -= 1  # moto forgets it

    # -- cancellation ---------------------------------------------------------------

    def request_cancel_activity_task(self, event_id: int, attributes: dict[str, Any]) -> None:
        activity_id = attributes["activityId"]
        task = next((t for t in self._activity_tasks if t.activity_id == activity_id and t.open), None)
        if task is None:
            attrs = {"activityId": activity_id, "cause": "ACTIVITY_ID_UNKNOWN"}
            record(self, "RequestCancelActivityTaskFailed", dict(attrs, decisionTaskCompletedEventId=event_id))
            self.should_schedule_decision_next = True
            return
        task.cancel_requested_event_id = record(
            self, "ActivityTaskCancelRequested", {"activityId": activity_id, "decisionTaskCompletedEventId": event_id}
        )
        if task.state == "SCHEDULED":  # no worker has it: cancelled at once
            self.cancel_activity_task(task, None)
            self.should_schedule_decision_next = True

    def cancel_activity_task(self, task: Any, details: str | None) -> None:
        """ActivityTaskCanceled: a worker said it stopped, or the task was cancelled before one took it."""
        attrs = {
            "scheduledEventId": task.scheduled_event_id,
            # SWF's API reference (ActivityTaskCanceledEventAttributes): startedEventId "Required: Yes": 0 for a
            # task no worker took, as ActivityTaskTimedOut gives it.
            "startedEventId": task.started_event_id or 0,
            "latestCancelRequestedEventId": task.cancel_requested_event_id,
            "details": details,
        }
        record(self, "ActivityTaskCanceled", attrs)
        task.state = "CANCELED"
        self.open_counts["openActivityTasks"] -= 1
