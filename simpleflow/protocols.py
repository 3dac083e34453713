"""What a ``Workflow``, its futures and canvas containers call on their executor.

The replay engine's ``WorkflowRun`` is the one implementation; the protocol
says what user-facing code may rely on, without importing the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from simpleflow.futures import Future
    from simpleflow.marker import Marker
    from simpleflow.task import CancelWorkflowTask, ContinueAsNewWorkflowTask, MarkerTask, SignalTask, WaitForSignal
    from simpleflow.workflow import Workflow


class WorkflowExecutor(Protocol):
    """The executor of one workflow execution (``Workflow.executor``)."""

    workflow: Workflow
    replaying: bool  # re-running decisions already taken (simpleflow.engine.logs mutes logs meanwhile)

    # -- called by Workflow ----------------------------------------------------------

    def submit(self, submittable: Any, *args: Any, **kwargs: Any) -> Future:
        """Submit an activity, a child workflow class, a task object or a canvas container; return its future."""
        ...

    def fail(self, reason: str, details: Any = None) -> None:
        """Fail the execution with *reason*; does not return to the caller."""
        ...

    def get_run_context(self) -> dict[str, Any]:
        """Name, version, domain, workflow and run ids, tags, parent and continued run ids."""
        ...

    def record_marker(self, name: str, details: Any = None) -> MarkerTask:
        """A marker to submit."""
        ...

    def list_markers(self, all: bool = False) -> list[Marker]:
        """The markers recorded: the last of each name, or every one with *all*."""
        ...

    def get_event_details(self, event_type: str, event_name: str) -> dict[str, Any] | None:
        """The history's record of a signal, marker or timer."""
        ...

    def signal(
        self,
        name: str,
        *args: Any,
        workflow_id: str | None = None,
        run_id: str | None = None,
        propagate: bool = True,
        **kwargs: Any,
    ) -> SignalTask:
        """A signal to submit."""
        ...

    def wait_signal(self, name: str) -> WaitForSignal:
        """A wait for the signal *name*, to submit."""
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

    def continue_as_new(self, workflow: type, *args: Any, **kwargs: Any) -> ContinueAsNewWorkflowTask:
        """A continue-as-new to submit."""
        ...

    def cancel_workflow(self, workflow_id: str, run_id: str | None = None) -> CancelWorkflowTask:
        """A cancel request for another execution, to submit."""
        ...

    # -- called by futures, canvas containers and @cached ----------------------------------

    def wait_for(self, future: Future) -> None:
        """Suspend the workflow's ``run`` until *future* settles."""
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

    def cached_call(self, name: str, compute: Callable[[], str]) -> str:
        """The recorded text of the next call of *name*; computed and recorded if new."""
        ...
