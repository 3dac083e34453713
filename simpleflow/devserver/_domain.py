"""A domain whose task lists wake the polls held on them, and whose tasks are found by token at once."""

from __future__ import annotations

from typing import Any

from moto.swf.models.domain import Domain as MotoDomain

from simpleflow.devserver import _runtime


class Domain(MotoDomain):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tasks_by_token: dict[str, Any] = {}  # every decision and activity task of the domain

    def add_to_activity_task_list(self, task_list: str, obj: Any) -> None:
        obj.task_list = task_list
        self._add(self.activity_task_lists, task_list, obj)
        _runtime.current().waiters.wake(("activity", self.name, task_list))

    def add_to_decision_task_list(self, task_list: str, obj: Any) -> None:
        self.tasks_by_token[obj.task_token] = obj
        self._add(self.decision_task_lists, task_list, obj)
        _runtime.current().waiters.wake(("decision", self.name, task_list))

    @staticmethod
    def _add(lists: dict[str, list[Any]], task_list: str, obj: Any) -> None:
        # A list holds the tasks waiting for a poll: the ones started or closed are dropped as polls go by.
        lists.setdefault(task_list, []).append(obj)

    def take(self, kind: str, task_list: str) -> Any:
        """The oldest task of *task_list* a poll may start now (None: none), dropping those past it."""
        lists = self.activity_task_lists if kind == "activity" else self.decision_task_lists
        waiting = lists.get(task_list)
        if not waiting:
            return None
        found = None
        kept = []
        for task in waiting:
            execution = task.workflow_execution
            if task.state != "SCHEDULED" or not execution.open:
                continue
            kept.append(task)
            if found is None and (kind == "activity" or execution.startable_decision_task() is task):
                found = task
        lists[task_list] = kept
        return found
