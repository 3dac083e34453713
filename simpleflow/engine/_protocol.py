"""What a ``Workflow``, its futures, canvas containers and ``@cached`` call on their executor.

The engine's ``WorkflowContext`` (_context) is the one implementation. The public API modules
(simpleflow.workflow, simpleflow.futures) name this protocol under ``TYPE_CHECKING`` only: what a workflow
author imports never loads the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

if TYPE_CHECKING:
    from simpleflow.futures import Future
    from simpleflow.history import History
    from simpleflow.marker import Marker
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


class WorkflowExecutor(Protocol):
    """The executor of one workflow execution (``Workflow.executor``), for one replay of its history."""

    workflow: Workflow
    history: History  # the events replayed so far, folded into records (read only)
    replaying: bool  # re-running decisions already taken (simpleflow.engine.logs mutes logs meanwhile)

    # -- commands: ``submit`` hands each kind of task to its own method ---------------------------

    def submit(self, submittable: Any, *args: Any, **kwargs: Any) -> Future:
        """Submit an activity or a workflow class (with its arguments), a task object or a canvas container."""
        ...

    def submit_activity(self, task: ActivityTask) -> Future:
        """Schedule the activity of *task* once its arguments settled (``ScheduleActivityTask``)."""
        ...

    def submit_child_workflow(self, task: ChildWorkflowTask) -> Future:
        """Start the child workflow of *task* once its arguments settled (``StartChildWorkflowExecution``)."""
        ...

    def submit_timer(self, task: TimerTask) -> Future:
        """Start a timer (``StartTimer``); its future finishes when it fires."""
        ...

    def submit_cancel_timer(self, task: CancelTimerTask) -> Future:
        """Cancel a timer (``CancelTimer``)."""
        ...

    def submit_marker(self, task: MarkerTask) -> Future:
        """Record a marker (``RecordMarker``)."""
        ...

    def submit_signal(self, task: SignalTask) -> Future:
        """Send a signal (``SignalExternalWorkflowExecution``): to this execution unless *task* names another."""
        ...

    def submit_wait_signal(self, task: WaitForSignal) -> Future:
        """Wait for a signal; its future finishes with the signal's input."""
        ...

    def submit_cancel_workflow(self, task: CancelWorkflowTask) -> Future:
        """Ask another execution to cancel (``RequestCancelExternalWorkflowExecution``)."""
        ...

    def submit_continue_as_new(self, task: ContinueAsNewWorkflowTask) -> NoReturn:
        """Close this run and start the next one (``ContinueAsNewWorkflowExecution``); ``run`` does not go on."""
        ...

    def fail(self, reason: str, details: Any = None) -> NoReturn:
        """Fail the execution with *reason* (``FailWorkflowExecution``); ``run`` does not go on."""
        ...

    # -- reading the history, answering from it ---------------------------------------------------

    def get_run_context(self) -> dict[str, Any]:
        """Name, version, domain, workflow and run ids, tags, parent and continued run ids."""
        ...

    def list_markers(self, all: bool = False) -> list[Marker]:
        """The markers recorded: the last of each name, or every one with *all*."""
        ...

    def get_event_details(self, event_type: str, event_name: str) -> dict[str, Any] | None:
        """The history's record of a signal, marker or timer."""
        ...

    def decision_started_at(self) -> float | None:
        """When the decision task being answered started (epoch seconds), as the history records it."""
        ...

    def patched(self, change_id: str) -> bool:
        """Whether the execution takes the new path of *change_id*."""
        ...

    def deprecate_patch(self, change_id: str) -> None:
        """The new path of *change_id*, always: every execution without its marker has closed."""
        ...

    def set_status(self, value: Any) -> None:
        """Send *value* (JSON) as the executionContext of every decision from now on."""
        ...

    # -- called by futures, canvas containers and @cached -------------------------------------------

    def wait_for(self, future: Future) -> None:
        """Suspend the workflow's ``run`` until *future* settles."""
        ...

    def wait_first(self, fs: list[Future]) -> list[Future]:
        """Suspend the workflow's ``run`` until one of *fs* settles: the first to settle, in the history's order."""
        ...

    def note_unsettled_read(self, future: Future) -> None:
        """The workflow looked at the state of *future*, still open, without waiting for it."""
        ...

    def cancel_future(self, future: Future) -> bool | None:
        """``future.cancel()`` of one of the run's tasks: its answer (None: *future* is not one of them)."""
        ...

    def continue_when(self, waiting_on: list[Future], callback: Callable[[], Any]) -> None:
        """Call *callback* once one of *waiting_on* settles (a canvas future's next step)."""
        ...

    def reserve_counts(self, tasks: list[Any]) -> list[int | None]:
        """Take now the id counts of a canvas container's *tasks*, each used whenever it is submitted."""
        ...

    def submit_part(self, part: Any, reserved: int | list) -> Future:
        """Submit a canvas part with the counts reserved for it."""
        ...

    def reserved_for(self, parts: list[Any]) -> list | None:
        """The counts reserved for a nested container (its *parts*) being submitted as a part."""
        ...

    def cached_call(self, name: str, compute: Callable[[], str]) -> str:
        """The recorded text of the next call of *name*; computed and recorded if new."""
        ...
