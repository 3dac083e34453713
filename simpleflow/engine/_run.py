"""One workflow execution, replayed: history events in, SWF decisions out.

``WorkflowRun.advance(events)`` folds new events into the history, lets the
workflow's ``run`` go on until it needs a value the history does not hold,
and returns the decisions to send. ``run`` executes on its own thread
(``Suspendable``), so a run can be *resumed* with the next decision task's
new events instead of being replayed from the start.

Resuming is an optimisation, never a different semantics: the reference is a
full replay (a fresh run fed every event). A run falls back to it, on its
own, whenever resuming could diverge from it:

- the workflow looked at a future's state without waiting for it
  (``done``, ``running``...): its path may depend on when it was replayed;
- a task whose submit lies in the past failed for good with
  ``raises_on_failure``, or the workflow handles failures itself
  (``on_task_failure``): a full replay would raise or decide at that submit;
- a submit waiting on an unfinished argument resolves after a later submit
  of the same name got its id: simpleflow's counters would now shift.

Canvas futures (simpleflow.canvas) go on submitting after ``run`` moved past
them (the next task of a chain, a slot freed under ``max_parallel``): they
register a continuation, called once events settle what it waits on. Its
submits take *positions* nested under the canvas's own (see ``Ledger``), so
they sort, and count, where a full replay would put them; when counters
cannot match, it replays in full.

This module runs the workflow's code and answers its calls (it is the
``simpleflow.protocols.WorkflowExecutor`` of ``Workflow.executor``); the
``CommandTracker`` (_tracker) keeps its commands (_commands) and resolves them
against the history (_resolvers, _failures), booking the decisions owed in a
``Ledger`` (_ledger); _decisions builds decisions, _closing closes the run.

Everything here is pure: no network, no clock, no randomness.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow import constants, format, futures
from simpleflow.activity import PRIORITY_NOT_SET, Activity
from simpleflow.engine import _decisions as decisions
from simpleflow.engine import _patch, _reads
from simpleflow.engine._closing import (
    COMPLETED,
    CONTINUED_AS_NEW,
    ERRORED,
    FAILED_BY_WORKFLOW,
    RunOutcome,
    closing_decision,
    errored,
)
from simpleflow.engine._commands import (
    ACTIVITY,
    CANCEL_TIMER,
    CANCEL_WORKFLOW,
    CHILD_WORKFLOW,
    MARKER,
    SIGNAL,
    WAIT_SIGNAL,
    Continuation,
)
from simpleflow.engine._failures import NeedsFullReplay
from simpleflow.engine._repair import RepairSource
from simpleflow.engine._suspend import RUN_THREAD_STACK_SIZE, Abandoned, Suspendable
from simpleflow.engine._tracker import CommandTracker
from simpleflow.exceptions import QueryRefused
from simpleflow.history import History, HistoryUnavailable, HistoryView, latest_execution_context
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

logger = logging.getLogger(__name__)


class _RunClosed(BaseException):
    """Unwinds ``run`` after ``Workflow.fail()`` or continue-as-new."""


@dataclass
class ExecutionInfo:
    """What the engine knows of the execution besides its history."""

    domain: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    activity_task_list: str | None = None  # routes every activity there (``standalone`` uses it)
    max_open_activities: int | None = None
    max_decisions: int = constants.MAX_DECISIONS
    repair: RepairSource | None = None  # ``standalone --repair``: results an earlier execution completed
    thread_stack_size: int = RUN_THREAD_STACK_SIZE  # of the thread ``run`` executes on (0: the interpreter's)


class WorkflowRun:
    """A resumable replay of one workflow execution; the executor its ``Workflow`` calls.

    Args:
        workflow_class: the ``Workflow`` subclass the execution runs.
        info: the execution's domain, ids and limits.
    """

    def __init__(self, workflow_class: type, info: ExecutionInfo | None = None) -> None:
        self.workflow_class = workflow_class
        self.info = info or ExecutionInfo()
        self.fallbacks = 0  # how many times resuming gave way to a full replay
        # An in-process host may drive the run from the run's own thread while it waits (see wait_for).
        self.driver: Callable[[], bool] | None = None
        self._closed = False
        self._querying: str | None = None  # the query being answered (simpleflow.workflow): it may only read
        self._query_refused: QueryRefused | None = None
        self._reset()

    # -- advancing --------------------------------------------------------------

    def advance(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Fold in *events* and return the decisions to take now.

        Args:
            events: the events not seen yet (all of them for a fresh run), jumbo fields decoded.

        Returns:
            The decisions, within SWF's limits per response (an empty list once the history closed).

        Raises:
            HistoryUnavailable: a compacted run needed its events again and the host's reload failed
                (the run is closed); its ``error`` is what the reload raised.
        """
        # A full replay allocates an object graph as large as the history and frees none of it: the
        # cyclic collector would walk it over and over (a quarter of a cold decision). It runs after.
        try:
            if not gc.isenabled():
                return self._advance(events)
            gc.disable()
            try:
                return self._advance(events)
            finally:
                gc.enable()
        except HistoryUnavailable:
            self.close()  # its thread may have stopped halfway: it cannot be resumed
            raise

    def _advance(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        events = list(events)
        if self._needs_full_replay:
            self._restart(self.history.events + events)
        else:
            known = self.history.event_count
            try:
                self._apply_events(events)
            except NeedsFullReplay:
                self._restart(self.history.events[:known] + events)
        if self.history.closed:
            return []
        if not self.history.cancel_requested or self._cancel_handled:
            propagate_to_parent = getattr(self.workflow_class, "propagate_signals_to_parent", True)
            propagated = decisions.propagated_signals(self.history, propagate_to_parent)
            if propagated:  # as simpleflow: the signals go on first, ``run`` goes on at the next decision task
                self.workflow.after_replay(self._hooks_history)
                return propagated
        try:
            self._step()
        finally:
            self.workflow.after_replay(self._hooks_history)
        if self._events_for_advance is not None:  # the inline driver handed back events it could not feed itself
            restart, events = self._events_for_advance
            self._events_for_advance = None
            if restart:
                self._restart(events)
                return self._advance([])
            return self._advance(events)
        return self._decide()

    # -- driven inline, from the run's thread (the local host) -----------------

    def decide_now(self) -> list[dict[str, Any]]:
        """On the run's thread, while it waits: the decisions ``advance`` would answer now."""
        self.workflow.after_replay(self._hooks_history)
        return self._decide()

    def feed_inline(self, events: list[dict[str, Any]]) -> bool:
        """On the run's thread, while it waits: fold in *events* as ``advance`` would.

        Returns:
            False when they need what only ``advance`` does (a full replay, signals to propagate,
            a cancellation...): they are kept for it, and the driver must hand control back.
        """
        events = list(events)
        if self._needs_full_replay:
            self._events_for_advance = (True, self.history.events + events)
            return False
        if any(e["eventType"] not in _INLINE_EVENTS for e in events):
            self._events_for_advance = (False, events)
            return False
        known = self.history.event_count
        try:
            self._apply_events(events)
        except NeedsFullReplay:
            self._events_for_advance = (True, self.history.events[:known] + events)
            return False
        return True

    def _restart(self, events: list[dict[str, Any]]) -> None:
        """Fall back to the reference behaviour: a fresh run over every event."""
        self.fallbacks += 1
        self._reset()
        self._apply_events(events)

    @property
    def types_to_register(self) -> set[tuple[str, str, str]]:
        """(kind, name, version) of the types SWF refused as unknown: the host registers them (and clears this)."""
        return self._tracker.types_to_register

    def _stop_replaying(self) -> None:
        self.replaying = False

    @property
    def closed(self) -> bool:
        """``close`` was called: the run is released (``history.closed`` says the execution closed)."""
        return self._closed

    @property
    def outcome(self) -> RunOutcome | None:
        """How the workflow's ``run`` ended; None while it goes on."""
        return self._outcome

    @property
    def finished(self) -> bool:
        """The workflow's ``run`` is over (returned, raised, failed or continued as new)."""
        return self._outcome is not None

    @property
    def mismatches(self) -> list[str]:
        """Where the history does not fit the code (tasks in history that the code never submits...).

        A patch that explains the others comes first.
        """
        found = list(self._tracker.mismatches)
        if self._suspendable is None:
            return found
        for kind, records in ((ACTIVITY, self.history.activities), (CHILD_WORKFLOW, self.history.child_workflows)):
            for task_id, record in records.items():
                if (kind, task_id) not in self._tracker.commands:
                    found.append(f"{kind} {task_id!r} ({record.name}) is in the history but the code never submits it")
        found += [
            f"{c} is in the history but the code never asks it"
            for c in _patch.unasked_cancellations(self.history, self._tracker)
        ]
        return self._patch_mismatches(bool(found)) + found

    def _patch_mismatches(self, others: bool) -> list[str]:
        tracker = self._tracker
        found = [
            f"patch marker {_patch.MARKER_PREFIX + change_id!r} is in the history but the code never calls "
            f"patched({change_id!r}) nor deprecate_patch({change_id!r})"
            for change_id in _patch.recorded_ids(self.history)
            if change_id not in tracker.patches
        ]
        if others:  # without other mismatches, the history went past it on the new path: all is well
            found += [
                f"patch marker {_patch.MARKER_PREFIX + change_id!r} is missing: the history went past "
                f"deprecate_patch({change_id!r}) on the old path ({evidence} follows it unmarked)"
                for change_id, evidence in tracker.deprecated_past.items()
            ]
        return found

    def close(self) -> None:
        """Release the run's thread (a suspended run is unwound) and its history.

        The run and its workflow refer to each other: without this, a whole history would
        wait for the cyclic garbage collector (and make its next pass slow).
        """
        self._closed = True
        if self._suspendable is not None:
            self._suspendable.abandon()
            self._suspendable = None
        self.history = History()
        self._hooks_history = HistoryView(self.history)  # the view held the old one: it would wait for the collector
        self._tracker.clear()

    def compact(self, reload: Callable[[], list[dict[str, Any]]]) -> bool:
        """Keep only what resuming needs while the run waits for its next events (see ``History.compact``).

        *reload* gives the execution's events back (decoded, from the first) for what needs them
        again: a fall back to a full replay, a hook reading the history. A run that replays in full
        at each decision anyway keeps its events, and so does one whose hooks read the whole
        history (``History.keep_whole``): they would reload it at each decision.

        Returns:
            Whether the run is compacted.
        """
        if self._closed or self._needs_full_replay or self._events_for_advance is not None:
            return False
        self._hooks_history.forget()
        if self.history.kept_whole:
            return False
        self.history.compact(reload)
        return True

    # -- the executor interface Workflow calls (simpleflow.protocols.Executor) -----

    def submit(self, submittable: Any, *args: Any, **kwargs: Any) -> futures.Future:
        """Submit an activity, a child workflow class, a task object or a canvas container.

        Returns:
            Its future.

        Raises:
            TypeError: *submittable* is none of those.
            RuntimeError: called from outside the workflow's ``run``.
        """
        self._check_thread()
        # simpleflow's ``submit(activity, x, __priority=N)``: the task's SWF priority, not an argument.
        priority = kwargs.pop("__priority", PRIORITY_NOT_SET)
        if isinstance(submittable, Activity):
            task = ActivityTask(submittable, *args, **kwargs)
            task.priority = priority
            return self._tracker.submit_task(task)
        if isinstance(submittable, type) and issubclass(submittable, Workflow):
            return self._tracker.submit_task(ChildWorkflowTask(submittable, *args, **kwargs))
        if isinstance(submittable, (ActivityTask, ChildWorkflowTask)):
            return self._tracker.submit_task(submittable)
        if isinstance(submittable, TimerTask):
            return self._tracker.submit_timer(submittable)
        if isinstance(submittable, CancelTimerTask):
            return self._tracker.submit_simple(CANCEL_TIMER, submittable.timer_id, submittable)
        if isinstance(submittable, MarkerTask):
            key = f"{submittable.name}\x00{format.dumps(submittable.details)}"
            return self._tracker.submit_named(MARKER, key, submittable)
        if isinstance(submittable, WaitForSignal):
            return self._tracker.submit_simple(WAIT_SIGNAL, submittable.signal_name, submittable)
        if isinstance(submittable, SignalTask):
            key = f"{submittable.name}\x00{submittable.workflow_id}\x00{submittable.run_id}"
            return self._tracker.submit_named(SIGNAL, key, submittable)
        if isinstance(submittable, CancelWorkflowTask):
            key = f"{submittable.workflow_id}\x00{submittable.run_id}"
            return self._tracker.submit_named(CANCEL_WORKFLOW, key, submittable)
        if isinstance(submittable, ContinueAsNewWorkflowTask):
            self._outcome = RunOutcome(CONTINUED_AS_NEW, next_run=submittable)
            raise _RunClosed()
        if hasattr(submittable, "submit"):  # canvas containers submit their own parts
            return submittable.submit(self)
        raise TypeError(f"cannot submit {submittable!r} ({type(submittable).__name__})")

    def fail(self, reason: str, details: Any = None) -> None:
        """Fail the execution with *reason*; ``run`` does not go on (``on_failure`` is called)."""
        self._check_thread()
        self._outcome = RunOutcome(
            FAILED_BY_WORKFLOW, reason=f"Workflow execution failed: {reason}", details=str(details) if details else None
        )
        self.workflow.on_failure(self._hooks_history, reason, details)
        raise _RunClosed()

    def get_run_context(self) -> dict[str, Any]:
        """Name, version, domain, workflow and run ids, tags, parent and continued run ids."""
        return _reads.run_context(self.history, self.info, self.workflow_class)

    def signal(
        self,
        name: str,
        *args: Any,
        workflow_id: str | None = None,
        run_id: str | None = None,
        propagate: bool = True,
        **kwargs: Any,
    ) -> SignalTask:
        """A signal to submit: to *workflow_id* (and *run_id*), or to this execution by default."""
        if not workflow_id:
            workflow_id, run_id = self.info.workflow_id, self.info.run_id
        return SignalTask(name, *args, workflow_id=workflow_id, run_id=run_id, propagate=propagate, **kwargs)

    def wait_signal(self, name: str) -> WaitForSignal:
        """A wait to submit: its future finishes with the input of the signal *name*."""
        return WaitForSignal(name)

    def cancel_workflow(self, workflow_id: str, run_id: str | None = None) -> CancelWorkflowTask:
        """A cancel request to submit: to the execution *workflow_id* (its run *run_id*, or the open one)."""
        return CancelWorkflowTask(workflow_id, run_id)

    def cancel_future(self, future: futures.Future) -> bool | None:
        """``future.cancel()`` on the run's thread: its answer, or None when *future* is no task of the run."""
        self._check_thread()
        return self._tracker.cancel(future)

    def record_marker(self, name: str, details: Any = None) -> MarkerTask:
        """A marker to submit."""
        return MarkerTask(name, details)

    def list_markers(self, all: bool = False) -> list[Marker]:
        """The markers recorded: the last of each name, or every one with *all*."""
        return _reads.markers(self.history, all)

    def get_event_details(self, event_type: str, event_name: str) -> dict[str, Any] | None:
        """The history's record of the signal, marker or timer *event_name*, or None.

        Raises:
            ValueError: *event_type* is not signal, marker or timer.
        """
        return _reads.event_details(self.history, event_type, event_name)

    def patched(self, change_id: str) -> bool:
        """Whether this execution takes the new path of *change_id* (see ``Workflow.patched``)."""
        self._check_thread()
        return self._tracker.patched(change_id)

    def deprecate_patch(self, change_id: str) -> None:
        """The new path of *change_id*, always (see ``Workflow.deprecate_patch``)."""
        self._check_thread()
        self._tracker.deprecate_patch(change_id)

    def set_status(self, value: Any) -> None:
        """Send *value* (JSON) as the executionContext of this decision and the following ones."""
        self._check_thread()
        self._status = format.status_text(value)

    @property
    def execution_context(self) -> str | None:
        """The executionContext to answer the decision task with: the latest status the run set.

        A run that has not run its code (its first decision only propagated signals) keeps the
        history's latest one, as a resumed run would.
        """
        if self._status is not None or self._suspendable is not None:
            return self._status
        return latest_execution_context(self.history.events)

    def decision_started_at(self) -> float | None:
        """When the decision task being answered started (epoch seconds), as the history records it."""
        stamp = self.history.started_decision_timestamp
        if stamp is None:
            return None
        return stamp.timestamp() if hasattr(stamp, "timestamp") else float(stamp)

    def continue_as_new(self, workflow: type, *args: Any, **kwargs: Any) -> ContinueAsNewWorkflowTask:
        """A continue-as-new to submit: the execution closes and *workflow* runs again with these arguments."""
        return ContinueAsNewWorkflowTask(workflow, *args, **kwargs)

    def continue_when(self, waiting_on: list[futures.Future], callback: Callable[[], Any]) -> None:
        """Call *callback* (which may submit more) once one of *waiting_on* settles; used by canvas futures."""
        self._continuations.append(Continuation(self._tracker.ledger.last_position, list(waiting_on), callback))

    def cached_call(self, name: str, compute: Callable[[], str]) -> str:
        """The recorded text of the next call of *name* (``@cached``); computed and recorded if new."""
        self._check_thread()
        return self._tracker.cached_call(name, compute)

    # Called by simpleflow.futures on the run's thread.
    def wait_for(self, future: futures.Future) -> None:
        """Suspend ``run`` until *future* settles (new events resume it)."""
        self._check_thread()
        if self._tracker.continuation_position is not None and not future._settled():
            raise NeedsFullReplay()  # a continuation cannot wait: let a full replay wait inside run
        while not future._settled():
            self.replaying = False
            self._waiting_on = future
            if self.driver is not None and self._events_for_advance is None and self._drive():
                continue
            self._suspendable.suspend()
        self._waiting_on = None

    def _drive(self) -> bool:
        """Let the host carry on from this thread (no hand-off per decision); False to hand back."""
        futures.set_current_executor(None)  # the host's code (activities...) is not workflow code
        try:
            return self.driver()
        finally:
            futures.set_current_executor(self)

    def note_unsettled_read(self, future: futures.Future) -> None:
        """The workflow looked at an open future without waiting: resuming could diverge, replay in full."""
        self._needs_full_replay = True

    # -- queries (simpleflow.workflow) ----------------------------------------------

    def call_query(self, name: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call the workflow's query *method* on the state the replay left, on this thread.

        Raises:
            QueryRefused: the query submitted, waited or failed the workflow (even if it caught the refusal).
        """
        previous = futures.current_executor()
        futures.set_current_executor(self)
        self._querying, self._query_refused = name, None
        try:
            value = getattr(self.workflow, method)(*args, **kwargs)
        finally:
            self._querying = None
            futures.set_current_executor(previous)
        if self._query_refused is not None:
            raise self._query_refused
        return value

    # -- state ----------------------------------------------------------------

    def _reset(self) -> None:
        if getattr(self, "_suspendable", None) is not None:
            self._suspendable.abandon()
        self.history = History()
        self._hooks_history = HistoryView(self.history)  # simpleflow's shapes, what the workflow's hooks get (lazy)
        self.workflow = self.workflow_class(self)
        self._tracker = CommandTracker(self.history, self.workflow, self.info, self._stop_replaying)
        self._continuations: list[Continuation] = []
        self._suspendable: Suspendable | None = None
        self._waiting_on: futures.Future | None = None
        self._outcome: RunOutcome | None = None
        self._status: str | None = None  # the latest set_status, as JSON
        self._needs_full_replay = False
        self._cancel_handled = False
        self._events_for_advance: tuple[bool, list[dict[str, Any]]] | None = None  # (restart?, events)
        self._unavailable: HistoryUnavailable | None = None  # the run's thread could not reload the history
        self.replaying = True  # re-running decisions already taken (logs are muted meanwhile)

    def _check_thread(self) -> None:
        if self._querying is not None:
            self._query_refused = QueryRefused(
                f"query {self._querying!r} may not submit, wait or fail the workflow: a query only reads its state"
            )
            raise self._query_refused
        if futures.current_executor() is not self:
            raise RuntimeError("workflow methods can only be called from the workflow's run()")
        if self._suspendable is not None and self._suspendable.abandoned:
            raise Abandoned()

    # -- applying events ----------------------------------------------------

    def _apply_events(self, events: list[dict[str, Any]]) -> None:
        tracker = self._tracker
        tracker.apply_events(events, others_waiting=bool(self._continuations))
        if self._continuations and self._run_continuations() and tracker.waiting_submits:
            tracker.submit_ready()

    def _run_continuations(self) -> bool:
        """Run the continuations whose futures settled, in position order; True if any ran."""
        ran = False
        while True:
            ready = [c for c in self._continuations if any(f._settled() for f in c.waiting_on)]
            if not ready:
                return ran
            step = min(ready, key=lambda c: c.after_position)
            self._continuations.remove(step)
            ran = True
            previous_run = futures.current_executor()
            futures.set_current_executor(self)
            tracker = self._tracker
            tracker.continuation_position = tracker.ledger.last_position = step.after_position
            tracker.resolving_events = True
            try:
                step.callback()
            except (Abandoned, NeedsFullReplay):
                raise
            except (Exception, _RunClosed) as err:
                raise NeedsFullReplay() from err  # a full replay raises (or closes) it inside run
            finally:
                tracker.continuation_position = None
                tracker.resolving_events = False
                futures.set_current_executor(previous_run)

    # -- running the workflow code ----------------------------------------

    def _step(self) -> None:
        """Let ``run`` go on as far as the history allows."""
        if self._outcome is not None:
            return
        if self._suspendable is None:
            self.workflow.before_replay(self._hooks_history)
            self._suspendable = Suspendable(
                self._main, name=f"simpleflow-run-{self.info.run_id or ''}", stack_size=self.info.thread_stack_size
            )
            self._suspendable.resume()
        elif self._waiting_on is not None and self._waiting_on._settled():
            self.replaying = False
            self._suspendable.resume()
        if self._unavailable is not None:
            raise self._unavailable

    def _main(self) -> None:
        futures.set_current_executor(self)
        value = self.history.started.get("input_value") or {}
        if not isinstance(value, dict):
            value = {"args": value if isinstance(value, list) else [value]}
        args, kwargs = value.get("args") or [], value.get("kwargs") or {}
        try:
            self._outcome = RunOutcome(COMPLETED, result=self.workflow.run(*args, **kwargs))
        except _RunClosed:
            pass
        except Abandoned:
            raise
        except HistoryUnavailable as err:  # handed to the host's thread: not the workflow's error
            self._unavailable = err
        except Exception as err:
            self._outcome = errored(err)
        finally:
            self.replaying = False
            futures.set_current_executor(None)

    # -- deciding -------------------------------------------------------------

    def _decide(self) -> list[dict[str, Any]]:
        outcome = self._outcome
        if self.history.cancel_requested and not self._cancel_handled:
            if self.workflow.should_cancel(self._hooks_history):
                self.workflow.on_canceled(self._hooks_history)
                return decisions.cancel_execution(self.history)
            self._cancel_handled = True
        if outcome is not None and outcome.kind == ERRORED:  # the run's decisions left owed are dropped
            closing = [closing_decision(outcome, self.history.started)]
            self.workflow.on_failure(self._hooks_history, outcome.reason, outcome.details)
            self.workflow.after_closed(self._hooks_history)
            return closing
        max_open = self.info.max_open_activities or constants.MAX_OPEN_ACTIVITY_COUNT
        out, complete = self._tracker.ledger.batch(max_open, self.info.max_decisions)
        if not complete:
            return decisions.with_wake_up(out, self.history)
        if outcome is None:
            return decisions.with_wake_up(out, self.history) if decisions.needs_wake_up(out) else out
        out.append(closing_decision(outcome, self.history.started))
        if outcome.kind == COMPLETED:
            self.workflow.on_completed(self._hooks_history)
        self.workflow.after_closed(self._hooks_history)
        return out


# Events a run can take while driven inline (others go through ``advance``).
_INLINE_EVENTS = frozenset(
    "DecisionTaskScheduled DecisionTaskStarted DecisionTaskCompleted ActivityTaskScheduled ActivityTaskStarted"
    " ActivityTaskCompleted ActivityTaskFailed ActivityTaskTimedOut TimerStarted TimerFired MarkerRecorded".split()
)
