"""Task descriptions a workflow submits: activities, child workflows, timers, markers, signals, cancel requests.

These are plain descriptions; the engine (simpleflow.engine) decides what
each one means against the history.
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simpleflow import exceptions, format
from simpleflow.activity import Activity

if TYPE_CHECKING:
    from simpleflow.futures import Future
    from simpleflow.history import History
    from simpleflow.workflow import Workflow


def get_actual_value(value: Any) -> Any:
    """The result of *value* if it is a future, else *value* itself."""
    from simpleflow.futures import Future

    return value.result if isinstance(value, Future) else value


class Task:
    """Something a workflow can submit."""

    idempotent: bool | None = False
    options: dict[str, Any] | None = None  # per-task settings over the payload's (``raises_on_failure``...)

    @property
    def name(self) -> str:
        raise NotImplementedError

    def propagate_attribute(self, attr: str, val: Any) -> None:
        """Set *attr* (``raises_on_failure``, ``retry``...) for this task only (simpleflow's canvas calls it).

        simpleflow sets it on the shared activity or workflow class; here it stays with the task, so a
        Group's ``raises_on_failure=False`` does not leak into submits outside the group.
        """
        self.options = {**(self.options or {}), attr: val}


class ActivityTask(Task):
    """An activity with its arguments: ``ActivityTask(activity, *args, **kwargs)``."""

    raw_input = False  # the SWF input is simpleflow's {"args", "kwargs"} (NonPythonicActivityTask: not)

    def __init__(self, activity: Activity, *args: Any, **kwargs: Any) -> None:
        if not isinstance(activity, Activity):
            raise TypeError(f"ActivityTask needs an Activity, got {type(activity).__name__}")
        self.activity = activity
        self.idempotent = activity.idempotent
        self.args = args
        self.kwargs = kwargs
        self.id: str | None = None
        self._task_name = activity.task_name  # one string for every task of an activity

    @classmethod
    def from_generic_task(cls, task: ActivityTask) -> ActivityTask:
        """*task* as an instance of this class (simpleflow's cast to its SWF task classes)."""
        return cls(task.activity, *task.args, **task.kwargs)

    @property
    def context(self) -> dict[str, Any] | None:
        """The ``context=`` keyword given, which ``execute()`` hands to the activity as its context."""
        return self.kwargs.get("context")

    def input_for(self, args: Any, kwargs: dict[str, Any]) -> Any:
        """The task's SWF input for these (resolved) arguments: ``{"args": [...], "kwargs": {...}}``."""
        return {"args": list(args), "kwargs": kwargs}

    def get_input(self) -> Any:
        """The task's SWF input (its arguments' values)."""
        return self.input_for(
            [get_actual_value(a) for a in self.args], {k: get_actual_value(v) for k, v in self.kwargs.items()}
        )

    def execute(self) -> Any:
        """Run the activity here, now, as a worker would: ``context=`` is its context, not an argument.

        (Submitted to a workflow, a ``context=`` keyword stays an argument of the task: declarative
        workflows pass one. simpleflow 0.36 dropped it.)
        """
        from simpleflow.runtime.outcome import call_activity  # here: a task description sits below the runtime

        args = [get_actual_value(a) for a in self.args]
        kwargs = {k: get_actual_value(v) for k, v in self.kwargs.items() if k != "context"}
        return call_activity(self.activity, args, kwargs, self.context)  # type: ignore[arg-type]

    @property
    def name(self) -> str:
        return self._task_name

    @property
    def payload(self) -> Activity:
        return self.activity

    @property
    def task_list(self) -> str | None:
        return self.activity.task_list

    def __repr__(self) -> str:
        return f"ActivityTask(activity={self.activity}, args={self.args}, kwargs={self.kwargs}, id={self.id})"


class ChildWorkflowTask(Task):
    """A child workflow with its arguments: ``ChildWorkflowTask(WorkflowClass, *args, **kwargs)``."""

    def __init__(self, workflow: type[Workflow], *args: Any, workflow_task_list: str | None = None, **kwargs: Any):
        self.workflow = workflow
        self.idempotent = getattr(workflow, "idempotent", False)
        self.args = args
        self.kwargs = kwargs
        self.workflow_task_list = workflow_task_list
        self.id: str | None = None

    @property
    def name(self) -> str:
        return f"workflow-{self.workflow.name}"

    @property
    def payload(self) -> type[Workflow]:
        return self.workflow

    @property
    def task_list(self) -> str | None:
        """The child's decision task list: the one given, else the workflow's ``get_task_list``, else its attribute."""
        if self.workflow_task_list:
            return self.workflow_task_list
        get_task_list = getattr(self.workflow, "get_task_list", None)
        if get_task_list is not None:
            args = [get_actual_value(a) for a in self.args]
            return get_task_list(self.workflow, *args, **{k: get_actual_value(v) for k, v in self.kwargs.items()})
        return getattr(self.workflow, "task_list", None)

    @property
    def _task_list(self) -> str | None:  # simpleflow's name for the explicit task list
        return self.workflow_task_list

    def __repr__(self) -> str:
        return f"ChildWorkflowTask(workflow={self.workflow.__module__}.{self.workflow.__qualname__}, args={self.args})"


class _WorkflowTaskType(type):
    # In simpleflow every child workflow task is a WorkflowTask (``isinstance(failure_context.a_task,
    # WorkflowTask)`` in on_task_failure); here the engine builds ChildWorkflowTask, so it counts too.
    def __instancecheck__(cls, instance: Any) -> bool:
        if cls.__name__ == "WorkflowTask" and cls.__module__ == __name__:
            return isinstance(instance, ChildWorkflowTask)
        return super().__instancecheck__(instance)


class WorkflowTask(ChildWorkflowTask, metaclass=_WorkflowTaskType):
    """simpleflow's older spelling: ``WorkflowTask(executor, WorkflowClass, *args, **kwargs)``."""

    def __init__(self, executor: Any, workflow: type[Workflow], *args: Any, **kwargs: Any) -> None:
        super().__init__(workflow, *args, **kwargs)
        self.executor = executor

    @classmethod
    def from_generic_task(cls, task: ChildWorkflowTask) -> WorkflowTask:
        """*task* as a ``WorkflowTask``, its explicit task list kept (simpleflow's cast to its SWF task classes)."""
        return cls(
            getattr(task, "executor", None),
            task.workflow,
            *task.args,
            workflow_task_list=task.workflow_task_list,
            **task.kwargs,
        )


class TimerTask(Task):
    """A timer that fires after *timeout* seconds."""

    def __init__(self, timer_id: str, timeout: int | str, control: Any = None) -> None:
        self.timer_id = format.swf_name(timer_id, "timer id", id_rule=True)
        try:
            self.timeout = format.duration(timeout, unlimited=False)
        except ValueError as err:
            raise ValueError(f"timer {timer_id!r}: its timeout {err}") from None
        self.control = control

    @property
    def name(self) -> str:
        return self.timer_id

    @property
    def id(self) -> str:
        return self.timer_id


class CancelTimerTask(Task):
    """Cancels the timer *timer_id*."""

    def __init__(self, timer_id: str) -> None:
        self.timer_id = format.swf_name(timer_id, "timer id")

    @property
    def name(self) -> str:
        return self.timer_id

    @property
    def id(self) -> str:
        return self.timer_id


class MarkerTask(Task):
    """Records a marker *name* with JSON *details* in the history."""

    def __init__(self, name: str, details: Any = None) -> None:
        self._name = format.swf_name(name, "marker name")
        self.details = details

    @property
    def name(self) -> str:
        return self._name


class SignalTask(Task):
    """Sends the signal *name*, with input ``*args`` and ``**kwargs``, to a workflow execution.

    The execution is *workflow_id* (its run *run_id*, or the open one); without one, the execution that
    submits the task. With *propagate*, the receiver passes the signal on to its parent and children.
    """

    def __init__(
        self,
        name: str,
        *args: Any,
        workflow_id: str | None = None,
        run_id: str | None = None,
        propagate: bool = True,
        **kwargs: Any,
    ) -> None:
        self._name = format.swf_name(name, "signal name")
        self.args = args
        self.kwargs = kwargs
        self.workflow_id = None if workflow_id is None else format.swf_name(workflow_id, "workflow id")
        self.run_id = run_id
        self.propagate = propagate

    @property
    def name(self) -> str:
        return self._name


class CancelWorkflowTask(Task):
    """Asks SWF to cancel the execution *workflow_id* (its run *run_id*, or the open one)."""

    def __init__(self, workflow_id: str, run_id: str | None = None) -> None:
        self.workflow_id = format.swf_name(workflow_id, "workflow id")
        self.run_id = run_id

    @property
    def name(self) -> str:
        return self.workflow_id


class WaitForSignal(Task):
    """A future that finishes when the signal *signal_name* arrives (its *nth* arrival, if given: 1 is the first)."""

    def __init__(self, signal_name: str, nth: int | None = None) -> None:
        if nth is not None and (isinstance(nth, bool) or not isinstance(nth, int) or nth < 1):
            raise ValueError(f"nth must be a whole number from 1, not {nth!r}")
        self.signal_name = signal_name
        self.nth = nth

    @property
    def name(self) -> str:
        return self.signal_name


class ContinueAsNewWorkflowTask(Task):
    """Closes this run and starts a new one of the same workflow with new arguments."""

    def __init__(self, workflow: type[Workflow], *args: Any, **kwargs: Any) -> None:
        self.workflow = workflow
        self.args = args
        self.kwargs = kwargs

    @property
    def name(self) -> str:
        return f"continue-as-new-{self.workflow.name}"


def _known_exception_type(qualified: str) -> type | None:
    """The exception class called *qualified*, if its module is already imported (never imports)."""
    module_name, _, attr = qualified.rpartition(".")
    module = sys.modules.get(module_name or "builtins")
    found = vars(module).get(attr) if module else None  # not getattr: a lazy package's __getattr__ imports
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def retry_wait(seconds: Any) -> int | None:
    """*seconds* of ``on_task_failure``'s retry wait as the timer takes them (None or 0: no wait).

    Raises:
        ValueError: SWF would refuse the timer, with the whole decision task (the execution stuck there).
    """
    if seconds is None:
        return None
    try:
        return int(format.duration(seconds, unlimited=False))
    except ValueError as err:
        raise ValueError(f"on_task_failure: the retry's wait (retry_wait_timeout) {err}") from None


@dataclass
class TaskFailureContext:
    """What a workflow's ``on_task_failure`` sees of a failed task, and what it decides."""

    class Decision(enum.Enum):
        """What ``on_task_failure`` decided; ``none`` leaves the failure to the task's ``retry``."""

        none = 0
        abort = 1
        ignore = 2
        retry_now = 3
        retry_later = 4
        cancel = 5
        handled = 6

    a_task: Any
    event: dict[str, Any]
    future: Future | None
    exception_class: type[Exception]
    history: History | None = None
    decision: TaskFailureContext.Decision = Decision.none
    retry_wait_timeout: int | None = None
    reason: str | None = None
    details: Any = None
    task_error: str | None = None
    task_message: str | None = None
    task_error_type: type | None = None

    def __post_init__(self) -> None:
        exception = self.exception
        if isinstance(exception, exceptions.TaskFailed):
            self.reason = exception.reason
            details = format.loads(exception.details) if exception.details else None
            self.details = details
            if isinstance(details, dict):
                self.task_error = details.get("error")
                self.task_message = details.get("message")
                if details.get("error_type"):
                    self.task_error_type = _known_exception_type(details["error_type"])
        elif exception is not None:
            self.reason = str(exception)

    @property
    def retry_count(self) -> int | None:
        """How many retries came before the failed attempt (0 for the first failure; None if not recorded)."""
        return self.event.get("retry")

    @property
    def attempt_number(self) -> int:
        """The failed attempt's number, from 1."""
        return self.event.get("retry", 0) + 1

    @property
    def payload(self) -> Any:
        """The task's activity or workflow class (None for a task without one)."""
        return getattr(self.a_task, "payload", None)

    @property
    def task_name(self) -> str | None:
        """The payload's name, else the task's own name."""
        payload = self.payload
        return payload.name if payload is not None else getattr(self.a_task, "name", None)

    @property
    def exception(self) -> BaseException | None:
        """The error the task's future holds (None without a future)."""
        return self.future._exception if self.future is not None else None

    @property
    def id(self) -> int | None:
        """The id of the event that ended the attempt (its failed or timed-out event), else None."""
        return self.event.get("failed_id") or self.event.get("timed_out_id")

    def decide_abort(self) -> TaskFailureContext:
        """Fail the task for good, no retry: its future keeps the error (raised in ``run`` if ``raises_on_failure``)."""
        self.decision = self.Decision.abort
        return self

    def decide_ignore(self) -> TaskFailureContext:
        """Finish the task's future without an error (its result None), no retry."""
        self.decision = self.Decision.ignore
        return self

    def decide_cancel(self) -> TaskFailureContext:
        """Mark the task's future cancelled, no retry."""
        self.decision = self.Decision.cancel
        return self

    def decide_retry(self, retry_wait_timeout: int | None = 0) -> TaskFailureContext:
        """Schedule the task again: now, or after a timer of *retry_wait_timeout* seconds.

        The retry takes the task's current arguments (the hook may change them on ``a_task``).
        """
        self.retry_wait_timeout = retry_wait(retry_wait_timeout)
        self.decision = self.Decision.retry_later if self.retry_wait_timeout else self.Decision.retry_now
        return self

    def decide_handled(self, a_task: Any, future: Future | None = None) -> TaskFailureContext:
        """The hook dealt with the failure: *future* becomes the task's future (None: retry the task now)."""
        self.a_task = a_task
        self.future = future
        self.decision = self.Decision.handled
        return self
