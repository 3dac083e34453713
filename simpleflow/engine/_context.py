"""What the workflow's code calls during one replay: its commands, its reads of the history, its waits.

A ``WorkflowContext`` is ``Workflow.executor`` for one replay of an execution (``WorkflowRun`` makes a
fresh one for each full replay); ``Workflow``, futures, canvas containers and ``@cached`` call it through
the ``WorkflowExecutor`` protocol (_protocol). Each kind of command has its own method (``submit_activity``,
``submit_timer``...), and ``submit`` hands a task to the one its type names: those are in _submits. The
``CommandTracker`` (_tracker) keeps the commands and resolves them against the history.

The workflow's ``run`` executes on a thread of its own (``Suspendable``, _suspend), started and resumed by
``go_on``; ``wait_for`` gives control away until a future settles: to the host's driver if it has one
(_handoff), else back to ``WorkflowRun.advance`` on the host's thread.

Canvas futures (simpleflow.canvas) go on submitting after ``run`` moved past them (the next task of a
chain, a slot freed under ``max_parallel``): they register a continuation, called once events settle
what it waits on. Its submits take *positions* nested under the canvas's own (see ``Ledger``), so they
sort where a full replay would put them; their ids' counts were reserved when the container was submitted
(``reserve_counts``), so they need not count there. Where counters cannot match, it replays in full.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from simpleflow import constants, format, futures
from simpleflow.engine import _cancel, _failures, _reads
from simpleflow.engine._closing import COMPLETED, ERRORED, RunOutcome, errored, unfinished_future
from simpleflow.engine._commands import Continuation
from simpleflow.engine._fallback import NeedsFullReplay
from simpleflow.engine._first import SettledOrder
from simpleflow.engine._fit import WAIT
from simpleflow.engine._handoff import Handoff
from simpleflow.engine._repair import RepairSource
from simpleflow.engine._submits import RunClosed, SubmitsMixin
from simpleflow.engine._suspend import RUN_THREAD_STACK_SIZE, Abandoned, Suspendable
from simpleflow.engine._tracker import CommandTracker
from simpleflow.exceptions import ExecutionBlocked, QueryRefused
from simpleflow.history import History, HistoryUnavailable, HistoryView
from simpleflow.marker import Marker


@dataclass
class ExecutionInfo:
    """What the engine knows of the execution besides its history."""

    domain: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    activity_task_list: str | None = None  # routes every activity and child there (``standalone`` uses it)
    max_open_activities: int | None = None
    max_decisions: int = constants.MAX_DECISIONS
    repair: RepairSource | None = None  # ``standalone --repair``: results an earlier execution completed
    thread_stack_size: int = RUN_THREAD_STACK_SIZE  # of the thread ``run`` executes on (0: the interpreter's)
    # The code does not fit the history (_fit): WAIT (``advance`` raises Nondeterminism), FAIL, or REPORT.
    on_nondeterminism: str = WAIT


class WorkflowContext(SubmitsMixin):
    """The executor a workflow's code calls, for one replay of its execution (see the module).

    Args:
        workflow_class: the ``Workflow`` subclass the execution runs (instantiated here, with this context).
        info: the execution's domain, ids and limits.
        history: the run's history (the tracker folds events into it).
        hooks_history: the view of it the workflow's hooks get.
        handoff: how ``wait_for`` gives control away (to the host's driver, if any).
    """

    def __init__(
        self,
        workflow_class: type,
        info: ExecutionInfo,
        history: History,
        hooks_history: HistoryView,
        handoff: Handoff,
    ) -> None:
        self.workflow_class = workflow_class
        self.info = info
        self.history = history
        self.hooks_history = hooks_history
        self._handoff = handoff
        self.workflow = workflow_class(self)
        self.tracker = CommandTracker(history, self.workflow, info, self._stop_replaying)
        self.continuations: list[Continuation] = []
        self.thread: Suspendable | None = None  # the one ``run`` executes on, once started
        self.waiting_on: list[futures.Future] = []  # ``run`` goes on once one of them settles
        self._settled_order = SettledOrder(self.tracker.commands)
        self.outcome: RunOutcome | None = None
        self.status: str | None = None  # the latest set_status, as JSON
        self.needs_full_replay = False  # the next decision replays in full (see note_unsettled_read)
        self.blocked = False  # ``run`` raised ExecutionBlocked: it goes on at the next decision task (_main)
        self.unavailable: HistoryUnavailable | None = None  # the run's thread could not reload the history
        self.replaying = True  # re-running decisions already taken (logs are muted meanwhile)
        self._querying: str | None = None  # the query being answered (simpleflow.workflow): it may only read
        self._query_refused: QueryRefused | None = None
        self._run_frame: FrameType | None = None  # ``run``'s, found at the first submit (see unfinished_result)
        self._run_frame_sought = False

    # -- reading the history, answering from it ------------------------------------------------------

    def get_run_context(self) -> dict[str, Any]:
        """Name, version, domain, workflow and run ids, tags, parent and continued run ids."""
        return _reads.run_context(self.history, self.info, self.workflow_class)

    @property
    def task_list(self) -> str | None:
        """The execution's decision task list, as its start recorded it (simpleflow's ``executor.task_list``)."""
        return (self.history.started.get("taskList") or {}).get("name")

    default_failure_handling = staticmethod(_failures.default_failure_handling)

    def list_markers(self, all: bool = False) -> list[Marker]:
        """The markers recorded: the last of each name, or every one with *all*."""
        return _reads.markers(self.history, all)

    def get_event_details(self, event_type: str, event_name: str) -> dict[str, Any] | None:
        """The history's record of the signal, marker or timer *event_name*, or None.

        Raises:
            ValueError: *event_type* is not signal, marker or timer.
        """
        return _reads.event_details(self.history, event_type, event_name)

    def decision_started_at(self) -> float | None:
        """When the decision task being answered started (epoch seconds), as the history records it."""
        stamp = self.history.started_decision_timestamp
        if stamp is None:
            return None
        return stamp.timestamp() if hasattr(stamp, "timestamp") else float(stamp)

    def patched(self, change_id: str) -> bool:
        """Whether this execution takes the new path of *change_id* (see ``Workflow.patched``)."""
        self._check_thread()
        return self.tracker.patched(change_id)

    def deprecate_patch(self, change_id: str) -> None:
        """The new path of *change_id*, always (see ``Workflow.deprecate_patch``)."""
        self._check_thread()
        self.tracker.deprecate_patch(change_id)

    def set_status(self, value: Any) -> None:
        """Send *value* (JSON) as the executionContext of this decision and the following ones."""
        self._check_thread()
        self.status = format.status_text(value)

    # -- called by futures, canvas containers and @cached -----------------------------------------------

    def cancel_future(self, future: futures.Future) -> bool | None:
        """``future.cancel()`` on the run's thread: its answer, or None when *future* is no task of the run."""
        self._check_thread()
        return _cancel.cancel_future(self.tracker, future)

    def continue_when(self, waiting_on: list[futures.Future], callback: Callable[[], Any]) -> None:
        """Call *callback* (which may submit more) once one of *waiting_on* settles; used by canvas futures."""
        self.continuations.append(Continuation(self.tracker.ledger.last_position, list(waiting_on), callback))

    def reserve_counts(self, tasks: list[Any]) -> list[int | None]:
        """Take now the counts the ids of *tasks* (a canvas container's parts, in the order a full replay
        submits them) end with, whenever each is submitted; None for a task whose id takes no count."""
        self._check_thread()
        return self.tracker.reserve_counts(tasks)

    def submit_part(self, part: Any, reserved: int | list) -> futures.Future:
        """``workflow.submit(part)`` with what ``reserve_counts`` took for it: a task's count, or a nested
        container's list (which its future takes back with ``reserved_for``)."""
        key = part.activities if isinstance(reserved, list) else part
        self.tracker.part = (key, reserved)
        try:
            return self.workflow.submit(part)
        finally:
            self.tracker.part = None

    def reserved_for(self, parts: list[Any]) -> list | None:
        """The counts reserved for the container whose parts are *parts*, if it is being submitted as a part."""
        held = self.tracker.part
        if held is None or held[0] is not parts:
            return None
        self.tracker.part = None
        return held[1]

    def cached_call(self, name: str, compute: Callable[[], str]) -> str:
        """The recorded text of the next call of *name* (``@cached``); computed and recorded if new."""
        self._check_thread()
        return self.tracker.cached_call(name, compute)

    def wait_for(self, future: futures.Future) -> None:
        """Suspend ``run`` until *future* settles: the host's driver goes on meanwhile, or new events resume it."""
        self._check_thread()
        if not future._settled():
            self._suspend_until([future])

    def wait_first(self, fs: list[futures.Future]) -> list[futures.Future]:
        """Suspend ``run`` until one of *fs* settles; the first to settle in the history's event order (_first)."""
        self._check_thread()
        first = self._settled_order.first(self.history, fs, self.note_unsettled_read)
        if not first:
            self._suspend_until(fs)
            first = self._settled_order.first(self.history, fs, self.note_unsettled_read)
        return first

    def _suspend_until(self, fs: list[futures.Future]) -> None:
        """Give control away until one of *fs* settles."""
        if self.tracker.continuation_position is not None:
            raise NeedsFullReplay()  # a continuation cannot wait: let a full replay wait inside run
        while not any(f._settled() for f in fs):
            self.replaying = False
            self.waiting_on = fs
            if not self._handoff.drive(self):
                self.thread.suspend()
        self.waiting_on = []

    def note_unsettled_read(self, future: futures.Future) -> None:
        """The workflow looked at an open future without waiting: resuming could diverge, replay in full."""
        self.needs_full_replay = True

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

    def _check_thread(self) -> None:
        if self._querying is not None:
            self._query_refused = QueryRefused(
                f"query {self._querying!r} may not submit, wait or fail the workflow: a query only reads its state"
            )
            raise self._query_refused
        # futures.current_executor(), read here without its call: every submit and wait checks it.
        if getattr(futures._replay_context, "run", None) is not self:
            raise RuntimeError("workflow methods can only be called from the workflow's run()")
        thread = self.thread
        if thread is not None and thread.abandoned:
            raise Abandoned()

    def _stop_replaying(self) -> None:
        self.replaying = False

    # -- driven by the run: events in, the workflow's code on its thread -------------------------------

    def apply_events(self, events: list[dict[str, Any]]) -> None:
        """Fold *events* into the history, resolve the commands they concern, run the continuations they free.

        Raises:
            NeedsFullReplay: resuming with these events could diverge from a full replay.
        """
        tracker = self.tracker
        tracker.apply_events(events, others_waiting=bool(self.continuations))
        if self.continuations and self._run_continuations() and tracker.waiting_submits:
            tracker.submit_ready()

    def _run_continuations(self) -> bool:
        """Run the continuations whose futures settled, in position order; True if any ran."""
        ran = False
        while True:
            ready = [c for c in self.continuations if any(f._settled() for f in c.waiting_on)]
            if not ready:
                return ran
            step = min(ready, key=lambda c: c.after_position)
            self.continuations.remove(step)
            ran = True
            previous_run = futures.current_executor()
            futures.set_current_executor(self)
            tracker = self.tracker
            tracker.continuation_position = tracker.ledger.last_position = step.after_position
            tracker.resolving_events = True
            try:
                step.callback()
            except (Abandoned, NeedsFullReplay):
                raise
            except (Exception, RunClosed) as err:
                raise NeedsFullReplay() from err  # a full replay raises (or closes) it inside run
            finally:
                tracker.continuation_position = None
                tracker.resolving_events = False
                futures.set_current_executor(previous_run)

    def go_on(self) -> None:
        """Let ``run`` go on, on its thread, as far as the history allows (it starts on the first call)."""
        if self.outcome is not None:
            return
        if self.thread is None:
            # ``run``'s first lines were already run (and logged) by a decision task that completed: muted until
            # news; with none completed yet, nothing is being replayed.
            self.replaying = self.history.completed_decision_id > 0
            self.workflow.before_replay(self.hooks_history)
            self.thread = Suspendable(
                self._main, name=f"simpleflow-run-{self.info.run_id or ''}", stack_size=self.info.thread_stack_size
            )
            self.thread.resume()
        elif any(f._settled() for f in self.waiting_on):
            self.replaying = False
            self.thread.resume()
        if self.unavailable is not None:
            raise self.unavailable

    def _main(self) -> None:
        futures.set_current_executor(self)
        value = self.history.started.get("input_value") or {}
        if not isinstance(value, dict):
            value = {"args": value if isinstance(value, list) else [value]}
        args, kwargs = value.get("args") or [], value.get("kwargs") or {}
        try:
            self.outcome = RunOutcome(COMPLETED, result=self.workflow.run(*args, **kwargs))
        except RunClosed:
            pass
        except Abandoned:
            raise
        except HistoryUnavailable as err:  # handed to the host's thread: not the workflow's error
            self.unavailable = err
        except ExecutionBlocked:
            # simpleflow's "nothing more to decide yet": the decisions made so far go out, and the next decision
            # task runs ``run`` again from the start (its thread unwound: it cannot be resumed).
            self.blocked = self.needs_full_replay = True
        except Exception as err:
            self.outcome = errored(err)
        finally:
            self.replaying = False
            futures.set_current_executor(None)

    def _seek_run_frame(self) -> None:
        """Keep ``run``'s frame, from the stack of its first submit: once it returned, its line is the return's."""
        self._run_frame_sought = True
        code = getattr(type(self.workflow).run, "__code__", None)
        frame = sys._getframe(2)
        while frame is not None and frame.f_code is not code:
            frame = frame.f_back
        self._run_frame = frame

    def unfinished_result(self) -> RunOutcome:
        """``run`` returned a future whose task has not finished, or a value holding one: it is an error
        (simpleflow 0.36.0 failed the execution too), the outcome failing the execution in one line that
        names the task and the line of ``run`` that returned it. It becomes the run's outcome.
        """
        future = unfinished_future(self.outcome.result if self.outcome is not None else None)
        command = self.tracker.command_of(future) if future is not None else None
        what = f"{command.kind.replace('_', ' ')} {command.id!r}" if command is not None else "a task"
        frame = self._run_frame
        where = f" ({frame.f_code.co_filename}, line {frame.f_lineno})" if frame is not None else ""
        reason = f"run() returned the unfinished future of {what}{where}: return its .result, which waits for it"
        self.outcome = RunOutcome(ERRORED, reason=reason)
        return self.outcome

    def abandon(self) -> None:
        """Unwind ``run``'s thread if it is parked (it will never be resumed)."""
        self._run_frame = None  # it refers to the workflow, which refers to this context
        if self.thread is not None:
            self.thread.abandon()
            self.thread = None

    def close(self) -> None:
        """Abandon ``run``'s thread and let go of the commands and the history."""
        self.abandon()
        self.tracker.clear()
        self.history = self.tracker.history
        self.hooks_history = HistoryView(self.history)  # the view held the old one, in the run's cycles
