"""What the workflow's code submits: one method per kind of command, and ``submit``'s table of them.

``submit_activity``, ``submit_timer``... each hand a task to the run's ``CommandTracker`` (_tracker) as a
command and return its future; ``submit`` hands a task to the one its type names in ``_SUBMITS`` (the table
right after them). Continue-as-new and ``fail`` close the run instead: they unwind ``run``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from simpleflow import constants, format, futures
from simpleflow.activity import PRIORITY_NOT_SET, Activity
from simpleflow.engine import _cancel
from simpleflow.engine._closing import CONTINUED_AS_NEW, FAILED_BY_WORKFLOW, RunOutcome
from simpleflow.engine._commands import (
    CANCEL_TIMER,
    CANCEL_WORKFLOW,
    MARKER,
    SIGNAL,
    TIMER,
    WAIT_SIGNAL,
    nth_signal_key,
)
from simpleflow.engine._decisions import continue_as_new_input
from simpleflow.task import (
    ActivityTask,
    CancelTimerTask,
    CancelWorkflowTask,
    ChildWorkflowTask,
    ContinueAsNewWorkflowTask,
    MarkerTask,
    SignalTask,
    TimerTask,
    WaitForSignal,
)
from simpleflow.workflow import Workflow

if TYPE_CHECKING:
    from simpleflow.engine._context import WorkflowContext


class RunClosed(BaseException):
    """Unwinds ``run`` after ``Workflow.fail()`` or continue-as-new."""


class SubmitsMixin:
    """The submits of the workflow's code (``WorkflowContext``'s)."""

    def submit(self: WorkflowContext, submittable: Any, *args: Any, **kwargs: Any) -> futures.Future:
        """Submit an activity or a workflow class (with its arguments), a task object or a canvas container.

        Returns:
            Its future.

        Raises:
            TypeError: *submittable* is none of those.
            RuntimeError: called from outside the workflow's ``run``.
        """
        if not self._run_frame_sought:
            self._seek_run_frame()
        # simpleflow's ``submit(activity, x, __priority=N)``: the task's SWF priority, not an argument.
        priority = kwargs.pop("__priority", PRIORITY_NOT_SET)
        if isinstance(submittable, Activity):  # the common case, straight to its submit
            task = ActivityTask(submittable, *args, **kwargs)
            task.priority = priority
            return self.submit_activity(task)
        if isinstance(submittable, type) and issubclass(submittable, Workflow):
            submittable = ChildWorkflowTask(submittable, *args, **kwargs)
        submits = self._SUBMITS
        method = submits.get(type(submittable))
        if method is not None:
            return method(self, submittable)
        for kind in type(submittable).__mro__[1:]:  # a subclass of a task type (WorkflowTask...)
            method = submits.get(kind)
            if method is not None:
                return method(self, submittable)
        self._check_thread()
        if hasattr(submittable, "submit"):  # canvas containers submit their own parts
            return submittable.submit(self)
        raise TypeError(f"cannot submit {submittable!r} ({type(submittable).__name__})")

    def submit_activity(self: WorkflowContext, task: ActivityTask) -> futures.Future:
        """Schedule the activity of *task* once its arguments settled: its future."""
        self._check_thread()
        return self.tracker.submit_task(task)

    def submit_child_workflow(self: WorkflowContext, task: ChildWorkflowTask) -> futures.Future:
        """Start the child workflow of *task* once its arguments settled: its future."""
        self._check_thread()
        return self.tracker.submit_task(task)

    def submit_timer(self: WorkflowContext, task: TimerTask) -> futures.Future:
        """Start a timer; its future finishes when it fires (one id, one timer)."""
        self._check_thread()
        return self.tracker.submit_timer(task)

    def submit_cancel_timer(self: WorkflowContext, task: CancelTimerTask) -> futures.Future:
        """Cancel the timer *task* names (one the run submitted but SWF never started is cancelled at once)."""
        self._check_thread()
        timer = self.tracker.commands.get((TIMER, task.timer_id))
        if timer is not None and task.timer_id not in self.history.timers:
            # Its StartTimer not sent (submitted in this decision): as future.cancel(), no decision, cancelled now.
            _cancel.cancel_future(self.tracker, timer.future)
        return self.tracker.submit_simple(CANCEL_TIMER, task.timer_id, task)

    def submit_marker(self: WorkflowContext, task: MarkerTask) -> futures.Future:
        """Record a marker (one command per name and details)."""
        self._check_thread()
        key = f"{task.name}\x00{format.dumps(task.details)}"
        return self.tracker.submit_named(MARKER, key, task)

    def submit_signal(self: WorkflowContext, task: SignalTask) -> futures.Future:
        """Send a signal: to the execution *task* names, else to this one."""
        self._check_thread()
        if not task.workflow_id:
            task = copy.copy(task)  # the task may be submitted by other executions too: it is left as it was
            task.workflow_id, task.run_id = self.info.workflow_id, self.info.run_id
        key = f"{task.name}\x00{task.workflow_id}\x00{task.run_id}"
        return self.tracker.submit_named(SIGNAL, key, task)

    def submit_wait_signal(self: WorkflowContext, task: WaitForSignal) -> futures.Future:
        """Wait for a signal (its nth arrival, if the task says); its future finishes with the signal's input."""
        self._check_thread()
        nth = getattr(task, "nth", None)
        if nth is None:
            return self.tracker.submit_simple(WAIT_SIGNAL, task.signal_name, task)
        return self.tracker.submit_simple(WAIT_SIGNAL, nth_signal_key(task.signal_name, nth), task)

    def submit_cancel_workflow(self: WorkflowContext, task: CancelWorkflowTask) -> futures.Future:
        """Ask another execution to cancel; its future finishes once SWF delivered the request."""
        self._check_thread()
        key = f"{task.workflow_id}\x00{task.run_id}"
        return self.tracker.submit_named(CANCEL_WORKFLOW, key, task)

    def submit_continue_as_new(self: WorkflowContext, task: ContinueAsNewWorkflowTask) -> NoReturn:
        """Close this run and start the next one; ``run`` does not go on."""
        self._check_thread()
        next_input = continue_as_new_input(task)  # here, in run: a TypeError names the user's line
        self.outcome = RunOutcome(CONTINUED_AS_NEW, next_run=task, next_input=next_input)
        raise RunClosed()

    def fail(self: WorkflowContext, reason: str, details: Any = None) -> NoReturn:
        """Fail the execution with *reason*; ``run`` does not go on (``on_failure`` is called)."""
        self._check_thread()
        self.outcome = RunOutcome(
            FAILED_BY_WORKFLOW,
            reason=f"{constants.WORKFLOW_FAILED_PREFIX}{reason}",
            details=str(details) if details else None,
        )
        self.workflow.on_failure(self.hooks_history, reason, details)
        raise RunClosed()

    # ``submit``'s dispatch: a task's class (or the first of its bases found here) -> the method submitting it.
    _SUBMITS: ClassVar[dict[type, Callable[..., Any]]] = {
        ActivityTask: submit_activity,
        ChildWorkflowTask: submit_child_workflow,
        TimerTask: submit_timer,
        CancelTimerTask: submit_cancel_timer,
        MarkerTask: submit_marker,
        SignalTask: submit_signal,
        WaitForSignal: submit_wait_signal,
        CancelWorkflowTask: submit_cancel_workflow,
        ContinueAsNewWorkflowTask: submit_continue_as_new,
    }
