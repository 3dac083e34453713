"""The in-process host: SWF's part played locally, over in-memory histories.

``LocalExecution(WorkflowClass, input).execute()`` runs a workflow execution to its end in this process,
through the engine the SWF host uses, so a local run takes the same decisions, with the same task ids, as a
run on SWF. Child workflows run beside their parent, as on SWF: the execution drives a *family* (itself, its
children, their children, the runs that continue them) over one virtual clock, so parents and children can
signal each other while both are open (``simpleflow.local._family``). Each run is emulated by a
``RunHost`` (``simpleflow.local._run_host``). A run that continues as new is followed by its next run, whose
outcome is the execution's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simpleflow import format
from simpleflow.engine import ExecutionInfo, RepairSource, WorkflowRun, answer_query, decode_events
from simpleflow.history import latest_execution_context
from simpleflow.local._activities import ActivityLookup
from simpleflow.local._family import Family
from simpleflow.local._run_host import RunHost
from simpleflow.runtime.middleware import NONE, Middlewares
from simpleflow.runtime.outcome import Outcome

# The name this host's answer had before the three outcome types became one.
LocalResult = Outcome


class LocalExecution:
    """One workflow execution carried out in this process.

    Args:
        workflow_class: the workflow to run.
        input: its input, ``{"args": [...], "kwargs": {...}}``.
        workers: activities run at once (1: each runs when scheduled, in order, on the decision's thread).
        workflow_id: the execution's id (``local-<name>-<random>`` by default).
        tag_list: the execution's tags.
        signals: ``(seconds after the start, name, input)``: signals sent to the execution while it runs.
        real_time: sleep until timers fire and signals are due, instead of jumping a virtual clock.
        cancel_at: seconds after the start at which the execution's cancellation is requested.
        middlewares: called around each activity, children's and continued runs' too (simpleflow.runtime.middleware).
        repair: results of an earlier execution to reuse (simpleflow.engine._repair); its first run only.
        lookup: finds the activity a task names (``activity.find`` by default; simpleflow.testing stands in
            replacements).
        execution_timeout: its executionStartToCloseTimeout in seconds (None: the class's ``execution_timeout``);
            still open past it on its clock, it times out as on SWF.
    """

    def __init__(
        self,
        workflow_class: type,
        input: dict[str, Any],
        *,
        workers: int = 1,
        workflow_id: str | None = None,
        tag_list: list[str] | None = None,
        signals: Iterable[tuple[float, str, Any]] = (),
        real_time: bool = False,
        cancel_at: float | None = None,
        middlewares: Middlewares = NONE,
        repair: RepairSource | None = None,
        lookup: ActivityLookup | None = None,
        execution_timeout: str | int | None = None,
    ) -> None:
        self.family = Family(
            real_time=real_time, signals=signals, cancel_at=cancel_at, middlewares=middlewares, lookup=lookup
        )
        self.first_run = RunHost(
            self.family,
            workflow_class,
            input,
            workers=workers,
            workflow_id=workflow_id,
            tag_list=tag_list,
            repair=repair,
            execution_timeout=execution_timeout,
        )

    @property
    def workflow_id(self) -> str:
        return self.first_run.workflow_id

    @property
    def run(self) -> WorkflowRun:
        """The engine's run of the execution's first run."""
        return self.first_run.run

    @property
    def status(self) -> Any:
        """The workflow's latest ``set_status`` value (decoded) in its latest run; None before one."""
        return format.loads(latest_execution_context(self.family.current.events))

    def execute(self) -> Outcome:
        """Run the execution (its children and the runs continuing it too) to its end.

        Returns:
            The outcome of its last run (``status`` completed, failed, canceled or timed_out); the runs it continued
            are chained by ``previous``, each with its own ``events``.
        """
        return self.family.execute()

    def execute_until(self, seconds: float) -> Outcome | None:
        """Run the execution until *seconds* after its start on its clock, or to its end if sooner.

        Returns:
            Its outcome once closed (as ``execute``); None while it is still open (it stopped at that instant,
            or at the first one after it when no activity runs). Call again, or ``execute``, to go on.
        """
        return self.family.execute(until=seconds)

    @property
    def stuck_children(self) -> list[Outcome]:
        """The outcomes of its child runs (theirs too) that failed as stuck, in that order: once the root closed,
        a child its child policy asked to cancel that can no longer move."""
        return [run.closed for run in self.family.stuck_runs if run.parent is not None]

    @property
    def elapsed(self) -> float:
        """Seconds since the start on the execution's clock (timers' virtual jumps included)."""
        return self.family.elapsed

    def deliver_signal(self, name: str, input_text: str | None) -> None:
        """A signal from outside to the execution's open run (its input already JSON text)."""
        self.family.current.deliver_signal(name, input_text)

    def request_cancel(self) -> None:
        """A cancel request from outside to the execution's open run."""
        self.family.current.request_cancel()

    def query(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """What the ``@query`` *name* returns on the execution's state: the history of its open run (else its
        last) replayed afresh, as ``simpleflow workflow.query`` does on SWF. Once ``execute`` returned, or
        while it runs (from an activity of the execution, for instance).

        Raises:
            UnknownQuery, UsageError, QueryRefused, QueryFailed, HistoryDoesNotFit: as ``answer_query``.
        """
        current = self.family.current
        events = decode_events(list(current.events), copy=True)
        info = ExecutionInfo(domain="local", workflow_id=current.workflow_id, run_id=current.run_id)
        return answer_query(current.workflow_class, events, name, args, kwargs, info)
