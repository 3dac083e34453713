"""What the workflow asked for: one ``Command`` per submitted task, and submits still waiting.

A command is one task of one kind (activity, child workflow, timer...) with
its future, the decision owed to SWF for it until the history answers, and
its *position*: where a full replay would put its submit among all submits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow import futures
from simpleflow.task import ActivityTask, ChildWorkflowTask
from simpleflow.workflow import Workflow

# The kinds of command, each resolved against its own history records (see _resolvers).
ACTIVITY = "activity"
CHILD_WORKFLOW = "child_workflow"
TIMER = "timer"
CANCEL_TIMER = "cancel_timer"
MARKER = "marker"
CACHED = "cached"  # an @cached call's marker
WAIT_SIGNAL = "wait_signal"
SIGNAL = "signal"
CANCEL_WORKFLOW = "cancel_workflow"  # a cancel request to another execution, by id


@dataclass(eq=False, slots=True)
class Command:
    """A task the workflow submitted in this run, and its future."""

    kind: str
    id: str
    task: Any
    position: tuple[int, ...]
    future: futures.Future
    args: tuple | list = ()
    kwargs: dict[str, Any] | None = None
    pending_decision: dict[str, Any] | None = None  # owed to SWF until the history answers it
    retry_timer: str | None = None  # id of the timer a retry waits for
    duplicate_futures: list[futures.Future] | None = None  # the same task submitted again while its arguments waited
    cancelled_by_workflow: bool = False  # ``future.cancel()`` was called: resolved by _cancel from then on
    checked: int = 0  # the history event it was last compared with (see _fit)
    submitted: tuple[Any, ...] = ()  # (args, kwargs) as submitted: a hook may change args for a retry


@dataclass(eq=False)
class WaitingSubmit:
    """A submit waiting for futures among its arguments."""

    task: ActivityTask | ChildWorkflowTask
    position: tuple[int, ...]
    future: futures.Future
    count: int | None = None  # the count its id ends with, taken at the submit (see ``counts_at_submit``)


@dataclass(eq=False)
class Continuation:
    """A canvas future's next step, taken once one of *waiting_on* settles."""

    after_position: tuple[int, ...]  # its submits sort right after this position
    waiting_on: list[futures.Future]
    callback: Callable[[], Any]


def nth_signal_key(name: str, nth: int) -> str:
    """The key of the command waiting for the *nth* signal *name* (``wait_signal(name, nth=...)``)."""
    return f"{name}\x00{nth}"


def arguments_ready(task: Any) -> bool:
    """No argument of *task* is a future still open."""
    Future = futures.Future  # noqa: N806 - a local name for this hot loop
    for value in task.args:
        if isinstance(value, Future) and not value._settled():
            return False
    if task.kwargs:
        for value in task.kwargs.values():
            if isinstance(value, Future) and not value._settled():
                return False
    return True


def uses_counter(task: Any) -> bool:
    """The task's id ends with a per-name count (not an arguments hash nor a custom id)."""
    if isinstance(task, ActivityTask) and hasattr(task.activity.callable, "get_task_id"):
        return False
    if isinstance(task, ChildWorkflowTask) and hasattr(task.workflow, "get_workflow_id"):
        if task.idempotent:
            return False
        args = [resolved_value(a) for a in task.args]
        kwargs = {k: resolved_value(v) for k, v in task.kwargs.items()}
        return not task.workflow.get_workflow_id(task.workflow, *args, **kwargs)  # None: the generated id
    return not task.idempotent


def counts_at_submit(task: Any) -> bool:
    """The task's id is surely a per-name count, known before its arguments settle (no idempotent hash, no
    custom id: a child's ``get_workflow_id`` may only say so once they have)."""
    if task.idempotent:
        return False
    if isinstance(task, ActivityTask):
        return not hasattr(task.activity.callable, "get_task_id")
    return not hasattr(task.workflow, "get_workflow_id")


def resolved_value(value: Any) -> Any:
    """*value*, or its result if it is a (settled) future."""
    return value._result if isinstance(value, futures.Future) else value


def option(task: Any, name: str, default: Any) -> Any:
    """A task's own setting (a canvas propagated it) or else its activity's / workflow's."""
    own = getattr(task, "options", None) or {}
    return own[name] if name in own else getattr(getattr(task, "payload", None), name, default)


def overrides(workflow: Any, method: str) -> bool:
    """The workflow's class overrides *method* of ``Workflow``."""
    return getattr(type(workflow), method) is not getattr(Workflow, method)
