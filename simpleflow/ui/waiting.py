"""What an open execution waits on now: open activities, timers and their fire time, children, the
decision task, and (when its workflow class may be imported) the signals its code waits for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from simpleflow.history import attributes, until_closed
from simpleflow.swf.stats import ACTIVITY, CHILD_WORKFLOW, TIMER, TaskRecord, epoch

__all__ = ["Waiting", "awaited_signals", "decision_task", "waiting_on"]


@dataclass(slots=True)
class Waiting:
    """The open things of an execution; ``signals`` is None when its code could not be replayed here."""

    activities: list[TaskRecord] = field(default_factory=list)
    timers: list[tuple[TaskRecord, float | None]] = field(default_factory=list)  # (timer, fires at)
    children: list[TaskRecord] = field(default_factory=list)
    decision: dict[str, Any] | None = None  # {"state": scheduled|started, "since": epoch, "task_list": ...}
    signals: list[str] | None = None
    signals_note: str | None = None  # why signals is None

    @property
    def nothing(self) -> bool:
        return not (self.activities or self.timers or self.children or self.decision or self.signals)


def decision_task(open_task: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any] | None:
    """The decision task still open after *event*, *open_task* the one open before it (folded over a history)."""
    etype = event["eventType"]
    if etype == "DecisionTaskScheduled":
        task_list = (attributes(event).get("taskList") or {}).get("name")
        return {"state": "scheduled", "since": epoch(event["eventTimestamp"]), "task_list": task_list}
    if etype == "DecisionTaskStarted" and open_task is not None:
        return {**open_task, "state": "started", "since": epoch(event["eventTimestamp"])}
    if etype in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
        return None
    return open_task


def waiting_on(tasks: Iterable[TaskRecord], decision: dict[str, Any] | None) -> Waiting:
    """What is open: the tasks of *tasks* (records from ``collect_tasks``) not closed, and *decision*, the open
    decision task (``decision_task`` folded over the history)."""
    waiting = Waiting(decision=decision)
    for task in tasks:
        if task.is_closed:
            continue
        if task.kind == ACTIVITY:
            waiting.activities.append(task)
        elif task.kind == TIMER:
            delay = task.extra.get("start_to_fire_timeout")
            fires = task.started + float(delay) if task.started is not None and delay else None
            waiting.timers.append((task, fires))
        elif task.kind == CHILD_WORKFLOW:
            waiting.children.append(task)
    return waiting


def awaited_signals(workflow_class: type, events: list[dict[str, Any]], info: Any = None) -> list[str]:
    """The names of the signals the workflow's code waits for, from a replay of its history here."""
    from simpleflow.engine import WorkflowRun

    run = WorkflowRun(workflow_class, info)
    try:
        run.advance(until_closed(events))
        return run.awaited_signals()
    finally:
        run.close()
