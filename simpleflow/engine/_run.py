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
- a submit deferred on an unfinished argument resolves after a later submit
  of the same name got its id: simpleflow's counters would now shift.

Canvas futures (simpleflow.canvas) go on submitting after ``run`` moved past
them (the next task of a chain, a slot freed under ``max_parallel``): they
register a continuation, called once events settle what it waits on. Its
submits take *positions* nested under the canvas's own, so they sort, and
count, where a full replay (which rebuilds the canvas at that line of
``run``) would put them; when counters cannot match, it replays in full.

Everything here is pure: no network, no clock, no randomness.
"""

from __future__ import annotations

import gc
import itertools
import logging
import traceback
from dataclasses import dataclass
from typing import Any

from simpleflow import constants, exceptions, format, futures
from simpleflow.activity import Activity
from simpleflow.engine import _decisions as decisions
from simpleflow.engine import _ids, _repair
from simpleflow.engine._batch import decision_batch
from simpleflow.engine._suspend import Abandoned, Suspendable
from simpleflow.format import format_reason
from simpleflow.history import History
from simpleflow.task import (
    ActivityTask,
    CancelTimerTask,
    ChildWorkflowTask,
    ContinueAsNewWorkflowTask,
    MarkerTask,
    SignalTask,
    TaskFailureContext,
    TimerTask,
    WaitForSignal,
)
from simpleflow.workflow import Workflow

logger = logging.getLogger(__name__)


class _WorkflowClosed(BaseException):
    """Unwinds ``run`` after ``Workflow.fail()`` or continue-as-new."""


class _NeedsFullReplay(Exception):
    """Resuming cannot match a full replay: replay from the start."""


@dataclass(eq=False, slots=True)
class _Submitted:
    """A task the workflow submitted in this run, and its future."""

    kind: str  # activity | child_workflow | timer | cancel_timer | marker | signal | wait_signal | continue_as_new
    id: str
    task: Any
    position: tuple[int, ...]
    future: futures.Future
    args: tuple | list = ()
    kwargs: dict[str, Any] | None = None
    pending_decision: dict[str, Any] | None = None  # decision owed to SWF (until its event shows up)
    retry_timer: str | None = None
    followers: list[futures.Future] | None = None  # same task submitted again while deferred


@dataclass(eq=False)
class _Deferred:
    """A submit waiting for futures among its arguments."""

    task: ActivityTask | ChildWorkflowTask
    position: tuple[int, ...]
    future: futures.Future


@dataclass(eq=False)
class _Continuation:
    """A canvas future's next step, taken once one of *waiting_on* settles."""

    anchor: tuple[int, ...]  # its submits sort right after this position
    waiting_on: list[futures.Future]
    callback: Any


@dataclass
class ExecutionInfo:
    """What the engine knows of the execution besides its history."""

    domain: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    activity_task_list: str | None = None  # routes every activity there (``standalone`` uses it)
    max_open_activities: int | None = None
    max_decisions: int = constants.MAX_DECISIONS
    repair: _repair.RepairSource | None = None  # ``standalone --repair``: results an earlier execution completed


class WorkflowRun:
    """A resumable replay of one workflow execution."""

    def __init__(self, workflow_class: type, info: ExecutionInfo | None = None) -> None:
        self.workflow_class = workflow_class
        self.info = info or ExecutionInfo()
        self.fallbacks = 0  # how many times resuming gave way to a full replay
        # An in-process host may drive the run from the run's own thread while it waits (see wait_for).
        self.driver: Any = None
        self._reset()

    # -- public --------------------------------------------------------------

    def advance(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Fold in *events* (those not seen yet) and return the decisions to take now."""
        # A full replay allocates an object graph as large as the history and frees none of it: the
        # cyclic collector would walk it over and over (a quarter of a cold decision). It runs after.
        if not gc.isenabled():
            return self._advance(events)
        gc.disable()
        try:
            return self._advance(events)
        finally:
            gc.enable()

    def _advance(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        events = list(events)
        if self._replay_next:
            self._restart(self.history.events + events)
        else:
            known = len(self.history.events)
            try:
                self._apply_all(events)
            except _NeedsFullReplay:
                self._restart(self.history.events[:known] + events)
        if self.history.closed:
            return []
        if not self.history.cancel_requested or self._cancel_handled:
            propagated = self._propagated_signals()
            if propagated:  # as simpleflow: the signals go on first, ``run`` goes on at the next decision task
                self.workflow.after_replay(self._hook_history())
                return propagated
        try:
            self._step()
        finally:
            self.workflow.after_replay(self._hook_history())
        if self._stash is not None:  # the inline driver handed back events it could not feed itself
            restart, stashed = self._stash
            self._stash = None
            if restart:
                self._restart(stashed)
                return self._advance([])
            return self._advance(stashed)
        return self._decide()

    # -- driven inline, from the run's thread (the local host) -----------------

    def decide_now(self) -> list[dict[str, Any]]:
        """On the run's thread, while it waits: the decisions ``advance`` would answer now."""
        self.workflow.after_replay(self._hook_history())
        return self._decide()

    def feed_inline(self, events: list[dict[str, Any]]) -> bool:
        """On the run's thread, while it waits: fold in *events* as ``advance`` would.

        False when they need what only ``advance`` does (a full replay, signals to propagate,
        a cancellation...): they are kept for it, and the driver must hand control back.
        """
        events = list(events)
        if self._replay_next:
            self._stash = (True, self.history.events + events)
            return False
        if any(e["eventType"] not in _INLINE_EVENTS for e in events):
            self._stash = (False, events)
            return False
        known = len(self.history.events)
        try:
            self._apply_all(events)
        except _NeedsFullReplay:
            self._stash = (True, self.history.events[:known] + events)
            return False
        return True

    def _propagated_signals(self) -> list[dict[str, Any]]:
        """simpleflow's signal propagation: a signal received with ``__propagate`` goes on to the parent
        (unless the class sets ``propagate_signals_to_parent = False``) and to the started children, never
        back to its sender, once per signal name and workflow (the latest signal of each name counts)."""
        history = self.history
        if not history.signals:
            return []
        known: list[tuple[str | None, str | None]] = []
        parent = history.started.get("parentWorkflowExecution") or {}
        if parent.get("workflowId") and getattr(self.workflow_class, "propagate_signals_to_parent", True):
            known.append((parent["workflowId"], parent.get("runId")))
        known += [(r["id"], r.get("run_id")) for r in history.child_workflows.values() if r["state"] == "started"]
        out = []
        for signal in history.signals.values():
            value = signal["input"]
            if not known or not isinstance(value, dict) or not value.get("__propagate"):
                continue
            name = signal["name"]
            done = {(r["workflow_id"], r["run_id"]) for r in history.signaled_workflows.get(name, [])}
            done.add((signal["external_workflow_id"], signal["external_run_id"]))
            payload = format.dumps(
                {
                    "args": value.get("args") or [],
                    "kwargs": value.get("kwargs") or {},
                    "__propagate": value["__propagate"],
                }
            )
            out += [
                decisions.signal_external_workflow(wid, rid, name, payload)
                for wid, rid in known
                if (wid, rid) not in done
            ]
        return out

    def _restart(self, events: list[dict[str, Any]]) -> None:
        """Fall back to the reference behaviour: a fresh run over every event."""
        self.fallbacks += 1
        self._reset()
        self._apply_all(events)

    @property
    def finished(self) -> bool:
        """The workflow's ``run`` is over (returned, raised, failed or continued as new)."""
        return self._outcome is not None

    @property
    def mismatches(self) -> list[str]:
        """Where the history does not fit the code (tasks in history that the code never submits...)."""
        found = list(self._mismatches)
        if self._suspendable is None:
            return found
        for kind, records in (("activity", self.history.activities), ("child_workflow", self.history.child_workflows)):
            for task_id, record in records.items():
                if (kind, task_id) not in self._submitted:
                    found.append(
                        f"{kind} {task_id!r} ({record.get('name')}) is in the history but the code never submits it"
                    )
        return found

    def close(self) -> None:
        """Release the run's thread (a suspended run is unwound) and its history.

        The run and its workflow refer to each other: without this, a whole history would
        wait for the cyclic garbage collector (and make its next pass slow).
        """
        if self._suspendable is not None:
            self._suspendable.abandon()
            self._suspendable = None
        self.history = History()
        self._submitted.clear()
        self._pending.clear()
        self._deferred.clear()

    # -- the executor interface Workflow calls -------------------------------

    def submit(self, submittable: Any, *args: Any, **kwargs: Any) -> futures.Future:
        self._check_thread()
        # simpleflow's ``submit(activity, x, __priority=N)``: the task's SWF priority, not an argument.
        priority = kwargs.pop("__priority", _not_set())
        if isinstance(submittable, Activity):
            task = ActivityTask(submittable, *args, **kwargs)
            task.priority = priority
            return self._submit_task(task)
        if isinstance(submittable, type) and issubclass(submittable, Workflow):
            return self._submit_task(ChildWorkflowTask(submittable, *args, **kwargs))
        if isinstance(submittable, (ActivityTask, ChildWorkflowTask)):
            return self._submit_task(submittable)
        if isinstance(submittable, TimerTask):
            return self._submit_timer(submittable)
        if isinstance(submittable, CancelTimerTask):
            return self._submit_simple("cancel_timer", submittable.timer_id, submittable)
        if isinstance(submittable, MarkerTask):
            return self._submit_marker(submittable)
        if isinstance(submittable, WaitForSignal):
            return self._submit_simple("wait_signal", submittable.signal_name, submittable)
        if isinstance(submittable, SignalTask):
            return self._submit_signal(submittable)
        if isinstance(submittable, ContinueAsNewWorkflowTask):
            self._outcome = ("continue_as_new", submittable)
            raise _WorkflowClosed()
        if hasattr(submittable, "submit"):  # canvas containers submit their own parts
            return submittable.submit(self)
        raise TypeError(f"cannot submit {submittable!r} ({type(submittable).__name__})")

    def fail(self, reason: str, details: Any = None) -> None:
        self._check_thread()
        self._outcome = ("fail", f"Workflow execution failed: {reason}", str(details) if details else None)
        self.workflow.on_failure(self._hook_history(), reason, details)
        raise _WorkflowClosed()

    def get_run_context(self) -> dict[str, Any]:
        started = self.history.started
        parent = started.get("parentWorkflowExecution") or {}
        wtype = started.get("workflowType") or {}
        return {
            "name": wtype.get("name", self.workflow_class.name),
            "version": wtype.get("version", self.workflow_class.version),
            "domain_name": self.info.domain,
            "workflow_id": self.info.workflow_id,
            "run_id": self.info.run_id,
            "tag_list": started.get("tagList") or [],
            "continued_execution_run_id": started.get("continuedExecutionRunId"),
            "parent_workflow_id": parent.get("workflowId"),
            "parent_run_id": parent.get("runId"),
        }

    def signal(
        self,
        name: str,
        *args: Any,
        workflow_id: str | None = None,
        run_id: str | None = None,
        propagate: bool = True,
        **kwargs: Any,
    ) -> SignalTask:
        if not workflow_id:
            workflow_id, run_id = self.info.workflow_id, self.info.run_id
        return SignalTask(name, *args, workflow_id=workflow_id, run_id=run_id, propagate=propagate, **kwargs)

    def wait_signal(self, name: str) -> WaitForSignal:
        return WaitForSignal(name)

    def record_marker(self, name: str, details: Any = None) -> MarkerTask:
        return MarkerTask(name, details)

    def list_markers(self, all: bool = False) -> list[Any]:
        from simpleflow.marker import Marker

        found = []
        for records in self.history.markers.values():
            chosen = [r for r in records if r["state"] == "recorded"]
            for record in chosen if all else chosen[-1:]:
                found.append(Marker(record["name"], format.loads(record["details"])))
        return found

    def get_event_details(self, event_type: str, event_name: str) -> dict[str, Any] | None:
        if event_type == "signal":
            return self.history.signals.get(event_name)
        if event_type == "marker":
            recorded = [m for m in self.history.markers.get(event_name, []) if m["state"] == "recorded"]
            return dict(recorded[-1], details=format.loads(recorded[-1]["details"])) if recorded else None
        if event_type == "timer":
            return self.history.timers.get(event_name)
        raise ValueError(f"unknown event type {event_type!r} (expected signal, marker or timer)")

    def continue_as_new(self, workflow: type, *args: Any, **kwargs: Any) -> ContinueAsNewWorkflowTask:
        return ContinueAsNewWorkflowTask(workflow, *args, **kwargs)

    def continue_when(self, waiting_on: list[futures.Future], callback: Any) -> None:
        """Call *callback* (which may submit more) once one of *waiting_on* settles; used by canvas futures."""
        self._continuations.append(_Continuation(self._last_position, list(waiting_on), callback))

    def cached_call(self, name: str, compute: Any) -> str:
        """The recorded text of the next call of *name* (``@cached``); computed and recorded if new."""
        self._check_thread()
        count = self._cached_counts.get(name, 0) + 1
        self._cached_counts[name] = count
        key = f"{name}:{count}"
        recorded = [m for m in self.history.markers.get(key, []) if m["state"] == "recorded"]
        if recorded:
            return recorded[-1]["details"]
        sub = self._submitted.get(("cached", key))
        if sub is None:
            text = compute()
            sub = _Submitted("cached", key, text, self._next_position(), futures.Future())
            self._submitted[("cached", key)] = sub
            self._owe(sub, decisions.record_marker(key, text))
        return sub.task

    # Called by simpleflow.futures on the run's thread.
    def wait_for(self, future: futures.Future) -> None:
        self._check_thread()
        if self._continuing is not None and not future._settled():
            raise _NeedsFullReplay()  # a continuation cannot wait: let a full replay wait inside run
        while not future._settled():
            self.replaying = False
            self._waiting_on = future
            if self.driver is not None and self._stash is None and self._drive():
                continue
            self._suspendable.suspend()
        self._waiting_on = None

    def _drive(self) -> bool:
        """Let the host carry on from this thread (no hand-off per decision); False to hand back."""
        futures._replay_context.run = None  # the host's code (activities...) is not workflow code
        try:
            return self.driver()
        finally:
            futures._replay_context.run = self

    def note_unsettled_read(self, future: futures.Future) -> None:
        self._replay_next = True

    # -- state ----------------------------------------------------------------

    def _reset(self) -> None:
        if getattr(self, "_suspendable", None) is not None:
            self._suspendable.abandon()
        self.history = History()
        self._history_view: Any = None
        self.workflow = self.workflow_class(self)
        self._submitted: dict[tuple[str, str], _Submitted] = {}
        self._pending: list[_Submitted] = []  # owe a decision, kept in submit order
        self._pending_sorted = True
        self._deferred: list[_Deferred] = []
        self._counters: dict[str, int] = {}
        self._last_counted_position: dict[str, tuple[int, ...]] = {}
        self._positions = itertools.count()
        self._last_position: tuple[int, ...] = ()
        self._continuations: list[_Continuation] = []
        self._continuing: tuple[int, ...] | None = None  # anchor of the continuation being run
        self._sub_positions: dict[tuple[int, ...], int] = {}
        self._retry_timers: dict[str, _Submitted] = {}
        self._open_activities = 0
        self._suspendable: Suspendable | None = None
        self._waiting_on: futures.Future | None = None
        self._outcome: tuple | None = None
        self._replay_next = False
        self._in_event = False
        self._cancel_handled = False
        self._mismatches: list[str] = []
        self._stash: tuple[bool, list[dict[str, Any]]] | None = None  # (restart?, events) for advance
        self._cached_counts: dict[str, int] = {}
        self._by_name: dict[tuple[str, str], list[_Submitted]] = {}  # markers and signals, by name
        self.types_to_register: set[tuple[str, str, str]] = set()  # (kind, name, version) SWF did not know
        self.replaying = True

    def _hook_history(self) -> Any:
        """The history the workflow's hooks see: simpleflow's shapes over ``self.history`` (simpleflow.history_view)."""
        view = self._history_view
        if view is None or view._history is not self.history:
            from simpleflow.history_view import HistoryView

            view = self._history_view = HistoryView(self.history)
        return view

    def _check_thread(self) -> None:
        if futures._current_run() is not self:
            raise RuntimeError("workflow methods can only be called from the workflow's run()")
        if self._suspendable is not None and self._suspendable._abandoned:
            raise Abandoned()

    # -- applying events ----------------------------------------------------

    def _apply_all(self, events: list[dict[str, Any]]) -> None:
        submitted = self._submitted
        if not submitted and not self._retry_timers and not self._deferred and not self._continuations:
            # Nothing submitted yet (a full replay): fold the history in, no task to update.
            self.history.extend(events)
            self._open_activities = sum(
                r["state"] in ("scheduled", "started") for r in self.history.activities.values()
            )
            return
        apply = self.history.apply
        for event in events:
            touched = apply(event)
            if touched is None:
                continue
            kind = touched[0]
            if kind == "activity":
                self._count_open(event["eventType"])
            if not submitted and not self._retry_timers:
                continue
            self._on_touched(*touched)
        if self._deferred:
            self._resolve_deferred()
        if self._continuations and self._run_continuations() and self._deferred:
            self._resolve_deferred()

    def _run_continuations(self) -> bool:
        """Run the continuations whose futures settled, in position order; True if any ran."""
        ran = False
        while True:
            ready = [c for c in self._continuations if any(f._settled() for f in c.waiting_on)]
            if not ready:
                return ran
            step = min(ready, key=lambda c: c.anchor)
            self._continuations.remove(step)
            ran = True
            previous_run = futures._current_run()
            futures._replay_context.run = self
            self._continuing = self._last_position = step.anchor
            self._in_event = True
            try:
                step.callback()
            except (Abandoned, _NeedsFullReplay):
                raise
            except (Exception, _WorkflowClosed) as err:
                raise _NeedsFullReplay() from err  # a full replay raises (or closes) it inside run
            finally:
                self._continuing = None
                self._in_event = False
                futures._replay_context.run = previous_run

    def _next_position(self) -> tuple[int, ...]:
        """Where a submit sorts among all submits, as a full replay would order them."""
        anchor = self._continuing
        if anchor is None:
            self._last_position = (next(self._positions),)
        else:
            k = self._sub_positions.get(anchor, 0)
            self._sub_positions[anchor] = k + 1
            self._last_position = (*anchor, k)
        return self._last_position

    def _count_open(self, event_type: str) -> None:
        if event_type == "ActivityTaskScheduled":
            self._open_activities += 1
        elif event_type in (
            "ActivityTaskCompleted",
            "ActivityTaskFailed",
            "ActivityTaskTimedOut",
            "ActivityTaskCanceled",
        ):
            self._open_activities -= 1

    def _on_touched(self, kind: str, key: str) -> None:
        self._in_event = True
        try:
            if kind in ("activity", "child_workflow"):
                sub = self._submitted.get((kind, key))
                if sub is not None:
                    self._sync(sub)
            elif kind == "timer":
                for sub in (
                    self._submitted.get(("timer", key)),
                    self._submitted.get(("cancel_timer", key)),
                    self._retry_timers.get(key),
                ):
                    if sub is not None:
                        self._sync(sub)
            elif kind == "marker":
                cached = self._submitted.get(("cached", key))
                if cached is not None:
                    self._sync(cached)
                for sub in self._by_name.get(("marker", key), ()):
                    self._sync(sub)
            elif kind == "signal":
                sub = self._submitted.get(("wait_signal", key))
                if sub is not None:
                    self._sync(sub)
            elif kind == "external_signal":
                for sub in self._by_name.get(("signal", key), ()):
                    self._sync(sub)
        finally:
            self._in_event = False

    def _resolve_deferred(self) -> None:
        still: list[_Deferred] = []
        for deferred in self._deferred:
            if not _arguments_ready(deferred.task):
                still.append(deferred)
                continue
            name = deferred.task.name
            if self._last_counted_position.get(name, ()) > deferred.position and _uses_counter(deferred.task):
                raise _NeedsFullReplay()
            self._in_event = True
            try:
                self._submit_resolved(deferred.task, deferred.position, deferred.future)
            finally:
                self._in_event = False
        self._deferred = still

    # -- submits ----------------------------------------------------------------

    def _submit_task(self, task: ActivityTask | ChildWorkflowTask) -> futures.Future:
        position = self._next_position()
        if not _arguments_ready(task):
            future = futures.Future()
            self._deferred.append(_Deferred(task, position, future))
            return future
        return self._submit_resolved(task, position, None)

    def _submit_resolved(self, task: Any, position: tuple[int, ...], future: futures.Future | None) -> futures.Future:
        Future = futures.Future  # noqa: N806 - a local name for this hot loop
        args = [a._result if isinstance(a, Future) else a for a in task.args]
        kwargs = {k: v._result if isinstance(v, Future) else v for k, v in task.kwargs.items()}
        kind = "activity" if isinstance(task, ActivityTask) else "child_workflow"
        task_id = self._task_id(task, kind, args, kwargs, position)
        existing = self._submitted.get((kind, task_id))
        if existing is not None:  # the same idempotent task again: one task, one future
            if future is not None and existing.future is not future:
                existing.followers = (existing.followers or []) + [future]
                _mirror(existing.future, future)
            return existing.future
        sub = _Submitted(kind, task_id, task, position, future or futures.Future(), args, kwargs)
        task.id = task_id
        self._submitted[(kind, task_id)] = sub
        self._sync(sub)
        return sub.future

    def _task_id(self, task: Any, kind: str, args: list, kwargs: dict, position: tuple[int, ...]) -> str:
        if kind == "activity" and hasattr(task.activity.callable, "get_task_id"):
            return _ids.task_id(task.name, task.activity.callable.get_task_id(self.workflow, *args, **kwargs))
        if kind == "child_workflow" and hasattr(task.workflow, "get_workflow_id"):
            chosen = task.workflow.get_workflow_id(task.workflow, *args, **kwargs)
            if chosen:  # None: the generated id, as simpleflow gives it
                return chosen
        if task.idempotent:
            suffix: Any = _ids.arguments_hash(args, kwargs)
        else:
            if self._continuing is not None and self._last_counted_position.get(task.name, ()) > position:
                raise _NeedsFullReplay()  # a later submit of this name already took the next count
            suffix = self._counters.get(task.name, 0) + 1
            self._counters[task.name] = suffix
            self._last_counted_position[task.name] = position
        if kind == "child_workflow":
            suffix = _ids.child_suffix(self.info.workflow_id, self.info.run_id, suffix)
        return _ids.task_id(task.name, suffix)

    def _submit_simple(self, kind: str, key: str, task: Any) -> futures.Future:
        sub = self._submitted.get((kind, key))
        if sub is None:
            sub = _Submitted(kind, key, task, self._next_position(), futures.Future())
            self._submitted[(kind, key)] = sub
        self._sync(sub)
        return sub.future

    def _submit_timer(self, task: TimerTask) -> futures.Future:
        sub = self._submitted.get(("timer", task.timer_id))
        if sub is not None and sub.task is not task:
            sub.task = task
        return self._submit_simple("timer", task.timer_id, task)

    def _submit_marker(self, task: MarkerTask) -> futures.Future:
        return self._submit_named("marker", f"{task.name}\x00{format.dumps(task.details)}", task)

    def _submit_signal(self, task: SignalTask) -> futures.Future:
        return self._submit_named("signal", f"{task.name}\x00{task.workflow_id}\x00{task.run_id}", task)

    def _submit_named(self, kind: str, key: str, task: Any) -> futures.Future:
        """Markers and signals: their events name them, so they are found by name (see _on_touched)."""
        new = (kind, key) not in self._submitted
        future = self._submit_simple(kind, key, task)
        if new:
            self._by_name.setdefault((kind, task.name), []).append(self._submitted[(kind, key)])
        return future

    # -- futures from history ---------------------------------------------

    def _owe(self, sub: _Submitted, decision: dict[str, Any]) -> None:
        if sub.pending_decision is None:
            if self._pending and self._pending[-1].position > sub.position:
                self._pending_sorted = False
            self._pending.append(sub)
        sub.pending_decision = decision
        if not self._in_event:
            self.replaying = False

    def _settle_owed(self, sub: _Submitted) -> None:
        if sub.pending_decision is not None:
            sub.pending_decision = None
            self._pending.remove(sub)

    def _note_news(self, sub: _Submitted, record: dict[str, Any]) -> None:
        """A value that arrived since the last decision: what the run does with it is new."""
        if sub.future._settled() and record.get("last_event_id", 0) > self.history.completed_decision_id:
            self.replaying = False

    def _sync(self, sub: _Submitted) -> None:
        _SYNC[sub.kind](self, sub)
        if sub.followers:
            for follower in sub.followers:
                _mirror(sub.future, follower)

    def _sync_activity(self, sub: _Submitted) -> None:
        record = self.history.activities.get(sub.id)
        if record is None:
            if not self._reuse_repaired(sub):
                self._owe(sub, self._schedule_activity_decision(sub))
            return
        if record["state"] == "completed" and sub.pending_decision is None and record["name"] == sub.task.activity.name:
            # The common case of a full replay, kept short: most of a long history is completed tasks.
            sub.future.set_finished(format.loads(record.get("result")))
            if not self._in_event:
                self._note_news(sub, record)
            return
        if record.get("name") not in (None, sub.task.activity.name):
            self._mismatches.append(
                f"activity {sub.id!r} is {record['name']!r} in the history but the code "
                f"submits {sub.task.activity.name!r}"
            )
        state = record["state"]
        if state == "schedule_failed":
            cause = record.get("cause")
            if cause in _RESCHEDULABLE:
                if cause == "ACTIVITY_TYPE_DOES_NOT_EXIST":
                    act = sub.task.activity
                    self.types_to_register.add(("activity", act.name, act.version))
                self._owe(sub, self._schedule_activity_decision(sub))
                return
            # Scheduling again would be refused again (a deprecated type, an id in use...).
            self._settle_owed(sub)
            sub.future.set_exception(exceptions.TaskFailed(sub.id, f"ScheduleActivityTaskFailed: {cause}"))
            self._final_failure(sub, exceptions.TaskException)
            return
        if sub.pending_decision is not None and (sub.retry_timer is None or state not in ("failed", "timed_out")):
            self._settle_owed(sub)
        if state == "completed":
            sub.future.set_finished(format.loads(record.get("result")))
        elif state == "scheduled":
            sub.future._state = futures.PENDING
        elif state == "started":
            sub.future.set_running()
        elif state == "canceled":
            sub.future.set_cancelled()
        elif state in ("failed", "timed_out"):
            self._handle_failure(sub, record, exceptions.TaskException)
        if not self._in_event:
            self._note_news(sub, record)

    def _reuse_repaired(self, sub: _Submitted) -> bool:
        """A repaired execution's task the earlier execution completed: its result, recorded as a marker.

        The marker in this history decides on replay; the repair source only for tasks not yet reused.
        """
        found, value = _repair.recorded(self.history.markers, sub.id)
        if found:
            sub.future.set_finished(value)
            return True
        source = self.info.repair
        if source is None:
            return False
        name = sub.task.activity.name
        usable, text = source.result_text(sub.id, name)
        if not usable:
            return False
        key = _repair.marker_name(sub.id)
        if ("cached", key) not in self._submitted:  # settled by the MarkerRecorded event, as @cached markers
            marker = _Submitted("cached", key, None, sub.position, futures.Future())
            self._submitted[("cached", key)] = marker
            self._owe(marker, decisions.record_marker(key, _repair.marker_details(source, sub.id, name, text)))
        sub.future.set_finished(format.loads(text))
        return True

    def _sync_child_workflow(self, sub: _Submitted) -> None:
        record = self.history.child_workflows.get(sub.id)
        if record is None:
            self._owe(sub, self._start_child_decision(sub))
            return
        state = record["state"]
        if state == "start_failed":
            if record.get("cause") == "WORKFLOW_TYPE_DOES_NOT_EXIST":
                wf = sub.task.workflow
                self.types_to_register.add(("workflow", _ids.workflow_type_name(wf), wf.version))
                self._owe(sub, self._start_child_decision(sub))
                return
            self._settle_owed(sub)
            sub.future.set_exception(exceptions.TaskFailed(sub.id, record.get("cause")))
            self._final_failure(sub, exceptions.WorkflowException)
            return
        if sub.retry_timer is None or state not in ("failed", "timed_out"):
            self._settle_owed(sub)
        if state == "start_initiated":
            sub.future._state = futures.PENDING
        elif state == "started":
            sub.future.set_running()
        elif state == "completed":
            sub.future.set_finished(format.loads(record.get("result")))
        elif state in ("failed", "timed_out", "canceled", "terminated"):
            # As in simpleflow, a canceled or terminated child is a failure (retry, on_task_failure,
            # then raises_on_failure fails the parent).
            self._handle_failure(sub, record, exceptions.WorkflowException)
        if not self._in_event:
            self._note_news(sub, record)

    def _sync_timer(self, sub: _Submitted) -> None:
        record = self.history.timers.get(sub.id)
        if record is None:
            control = format.dumps(sub.task.control) if sub.task.control is not None else None
            self._owe(sub, decisions.start_timer(sub.id, sub.task.timeout, control))
            return
        self._settle_owed(sub)
        state = record["state"]
        if state == "started":
            sub.future.set_running()
        elif state == "fired":
            sub.future.set_finished(None)
        elif state == "canceled":
            sub.future.set_cancelled()
        else:
            sub.future.set_exception(exceptions.TaskFailed(sub.id, record.get("cause")))

    def _sync_cancel_timer(self, sub: _Submitted) -> None:
        record = self.history.timers.get(sub.id)
        if record is None:
            sub.future.set_finished(None)  # nothing to cancel
            return
        if record["state"] == "started":
            if "cancel_failed_event_id" in record:  # SWF refused it: asking again would loop forever
                self._settle_owed(sub)
                sub.future.set_exception(exceptions.TaskFailed(sub.id, record["cancel_failed_cause"]))
                return
            self._owe(sub, decisions.cancel_timer(sub.id))
            return
        self._settle_owed(sub)
        sub.future.set_finished(None)

    def _sync_marker(self, sub: _Submitted) -> None:
        details = format.dumps(sub.task.details) if sub.task.details is not None else None
        recorded = [
            m
            for m in self.history.markers.get(sub.task.name, [])
            if m["state"] == "recorded" and m["details"] == details
        ]
        if not recorded:
            self._owe(sub, decisions.record_marker(sub.task.name, details))
            return
        self._settle_owed(sub)
        sub.future.set_finished(format.loads(recorded[-1]["details"]))

    def _sync_cached(self, sub: _Submitted) -> None:
        if any(m["state"] == "recorded" for m in self.history.markers.get(sub.id, [])):
            self._settle_owed(sub)

    def _sync_wait_signal(self, sub: _Submitted) -> None:
        record = self.history.signals.get(sub.id)
        if record is not None:
            sub.future.set_finished(record["input"])

    def _sync_signal(self, sub: _Submitted) -> None:
        task: SignalTask = sub.task
        sent = [
            r
            for r in self.history.signaled_workflows.get(task.name, [])
            if r["workflow_id"] == task.workflow_id and (task.run_id is None or r["run_id"] == task.run_id)
        ]
        if not sent:
            payload = {"args": list(task.args), "kwargs": task.kwargs, "__propagate": task.propagate}
            self._owe(
                sub, decisions.signal_external_workflow(task.workflow_id, task.run_id, task.name, format.dumps(payload))
            )
            return
        self._settle_owed(sub)
        record = sent[-1]
        if record["state"] == "execution_signaled":
            sub.future.set_finished(record["input"])
        elif record["state"] == "signal_execution_failed":
            sub.future.set_exception(exceptions.TaskFailed(task.name, record.get("cause")))
        else:
            sub.future.set_running()

    # -- failures -------------------------------------------------------------

    def _handle_failure(self, sub: _Submitted, record: dict[str, Any], exception_class: type) -> None:
        if record["state"] == "timed_out":
            error: BaseException = exceptions.TimeoutError(record.get("timeout_type"), None)
        elif record["state"] == "canceled":
            error = exceptions.TaskCanceled(record.get("details"))
        elif record["state"] == "terminated":
            error = exceptions.TaskTerminated()
        else:
            error = exceptions.TaskFailed(sub.id, record.get("reason"), record.get("details"))
        sub.future.set_exception(error)

        timer_id = f"{constants.RETRY_TIMER_PREFIX}{sub.id}"
        timer = self.history.timers.get(timer_id)
        after_failure = record.get("decision_task_completed_event_id", 0)
        if timer and timer.get("decision_task_completed_event_id", 0) > after_failure:
            self._retry_timers[timer_id] = sub
            if timer["state"] == "started":
                sub.retry_timer = timer_id
                self._settle_owed(sub)
                sub.future._state = futures.PENDING
                return
            if timer["state"] in ("fired", "canceled"):
                sub.retry_timer = None
                # As simpleflow: the retry takes the arguments the timer's control recorded (on_task_failure
                # may have changed them), so a replay retries with the same input.
                control = format.loads(timer.get("control"))
                if isinstance(control, dict):
                    sub.args = list(control.get("args") or [])
                    sub.kwargs = dict(control.get("kwargs") or {})
                self._retry(sub)
                return
        if sub.retry_timer is not None:  # the retry timer is ours to start
            return

        if _overrides(self.workflow, "on_task_failure"):
            if self._in_event:
                raise _NeedsFullReplay()
            self._ask_workflow(sub, record, exception_class)
            return
        if record.get("retry", 0) < _option(sub.task, "retry", 0):
            self._retry(sub)
            return
        self._final_failure(sub, exception_class)

    def _final_failure(self, sub: _Submitted, exception_class: type) -> None:
        if _option(sub.task, "raises_on_failure", False):
            if self._in_event:
                raise _NeedsFullReplay()
            raise exception_class(sub.task, sub.future._exception)

    def _retry(self, sub: _Submitted) -> None:
        sub.future._state = futures.PENDING
        sub.future._exception = None
        build = self._schedule_activity_decision if sub.kind == "activity" else self._start_child_decision
        self._owe(sub, build(sub))

    def _ask_workflow(self, sub: _Submitted, record: dict[str, Any], exception_class: type) -> None:
        decision = TaskFailureContext.Decision
        context = TaskFailureContext(
            a_task=sub.task, event=record, future=sub.future, exception_class=exception_class, history=self.history
        )
        context = self.workflow.on_task_failure(context) or context
        if context.decision in (decision.retry_now, decision.retry_later) and context.a_task is sub.task:
            # The workflow may have changed the task's arguments for the retry (simpleflow's failing example).
            sub.args = [_value(a) for a in sub.task.args]
            sub.kwargs = {k: _value(v) for k, v in (sub.task.kwargs or {}).items()}
        if context.decision == decision.abort:
            self._final_failure(sub, exception_class)
        elif context.decision == decision.ignore:
            sub.future.set_exception(None)
        elif context.decision == decision.cancel:
            sub.future.set_cancelled()
        elif context.decision in (decision.retry_now, decision.retry_later) and not context.retry_wait_timeout:
            self._retry(sub)
        elif context.decision == decision.retry_later:
            timer_id = f"{constants.RETRY_TIMER_PREFIX}{sub.id}"
            sub.retry_timer = timer_id
            self._retry_timers[timer_id] = sub
            sub.future._state = futures.PENDING
            control = format.dumps({"args": list(sub.args), "kwargs": sub.kwargs})
            self._owe(sub, decisions.start_timer(timer_id, context.retry_wait_timeout, control))
        elif context.decision == decision.handled:
            if context.future is None:
                self._retry(sub)
            else:
                sub.future = context.future
        elif record.get("retry", 0) < _option(sub.task, "retry", 0):
            self._retry(sub)
        else:
            self._final_failure(sub, exception_class)

    # -- decisions of tasks ---------------------------------------------------

    def _schedule_activity_decision(self, sub: _Submitted) -> dict[str, Any]:
        act: Activity = sub.task.activity
        payload: dict[str, Any] = {"args": list(sub.args), "kwargs": sub.kwargs}
        if act.meta:
            payload["meta"] = act.meta
        priority = getattr(sub.task, "priority", _not_set())  # submit's __priority comes first
        if priority is _not_set():
            priority = None if act.task_priority is _not_set() else act.task_priority
            if priority is None and getattr(self.workflow, "task_priority", None) is not None:
                priority = self.workflow.task_priority
        return decisions.schedule_activity(
            sub.id,
            act.name,
            act.version,
            format.dumps(payload),
            self.info.activity_task_list or act.task_list,
            start_to_close=act.task_start_to_close_timeout,
            schedule_to_close=act.task_schedule_to_close_timeout,
            schedule_to_start=act.task_schedule_to_start_timeout,
            heartbeat=act.task_heartbeat_timeout,
            priority=priority,
        )

    def _start_child_decision(self, sub: _Submitted) -> dict[str, Any]:
        task: ChildWorkflowTask = sub.task
        wf = task.workflow
        args, kwargs = sub.args, sub.kwargs
        # simpleflow's wire format: type ``module.ClassName``, a plain {"args", "kwargs"} input.
        payload = {"args": list(args), "kwargs": kwargs}
        task_list = task.workflow_task_list
        if not task_list and hasattr(wf, "get_task_list"):
            task_list = wf.get_task_list(wf, *args, **kwargs)
        tag_list = wf.get_tag_list(wf, *args, **kwargs) if hasattr(wf, "get_tag_list") else wf.tag_list
        if tag_list == Workflow.INHERIT_TAG_LIST:
            tag_list = self.get_run_context()["tag_list"]
        timeout = getattr(wf, "execution_timeout", None)
        return decisions.start_child_workflow(
            sub.id,
            _ids.workflow_type_name(wf),
            wf.version,
            format.dumps(payload),
            task_list=task_list or wf.task_list,
            execution_timeout=str(timeout) if timeout else None,
            task_timeout=str(wf.decision_tasks_timeout) if getattr(wf, "decision_tasks_timeout", None) else None,
            child_policy=getattr(wf, "child_policy", None),
            tag_list=tag_list,
        )

    # -- running the workflow code ----------------------------------------

    def _step(self) -> None:
        """Let ``run`` go on as far as the history allows."""
        if self._outcome is not None:
            return
        if self._suspendable is None:
            self.workflow.before_replay(self._hook_history())
            self._suspendable = Suspendable(self._main, name=f"simpleflow-run-{self.info.run_id or ''}")
            self._suspendable.resume()
        elif self._waiting_on is not None and self._waiting_on._settled():
            self.replaying = False
            self._suspendable.resume()

    def _main(self) -> None:
        futures._replay_context.run = self
        value = self.history.started.get("input_value") or {}
        if not isinstance(value, dict):
            value = {"args": value if isinstance(value, list) else [value]}
        args, kwargs = value.get("args") or [], value.get("kwargs") or {}
        try:
            result = self.workflow.run(*args, **kwargs)
            self._outcome = ("complete", result)
        except _WorkflowClosed:
            pass
        except Abandoned:
            raise
        except (exceptions.TaskException, exceptions.WorkflowException) as err:
            error = err.exception
            reason = getattr(error, "reason", None) if error is not None else None
            shown = reason if reason is not None else repr(error)
            name = getattr(err.task, "name", str(err.task))
            self._outcome = ("error", f'Workflow execution error in {name}: "{shown}"', getattr(error, "details", None))
        except Exception as err:
            tb = traceback.format_exc()
            self._outcome = ("error", f"Cannot replay the workflow: {type(err).__name__}({err})", f"Traceback:\n{tb}")
        finally:
            self.replaying = False
            futures._replay_context.run = None

    def _decide(self) -> list[dict[str, Any]]:
        outcome = self._outcome
        if self.history.cancel_requested and not self._cancel_handled:
            cancel = self._cancel_decisions()
            if cancel is not None:
                return cancel
        if outcome is not None and outcome[0] == "error":
            return self._closing([decisions.fail_workflow(format_reason(outcome[1]), outcome[2])], "fail")
        out, complete = self._pending_decisions()
        if not complete:
            return self._with_wake_up(out)
        if outcome is None:
            # SWF starts no decision task for a marker or a timer cancellation: a wake-up timer does,
            # so that a future waiting on one settles (@cached markers have no such future).
            if any(
                d["decisionType"] == "CancelTimer"
                or (
                    d["decisionType"] == "RecordMarker"
                    and not d["recordMarkerDecisionAttributes"]["markerName"].startswith(_SILENT_MARKERS)
                )
                for d in out
            ):
                return self._with_wake_up(out)
            return out
        kind = outcome[0]
        if kind == "complete":
            closing = decisions.complete_workflow(format.dumps(outcome[1]))
        elif kind == "fail":
            closing = decisions.fail_workflow(format_reason(outcome[1]), outcome[2])
        else:
            closing = self._continue_as_new_decision(outcome[1])
        return self._closing(out + [closing], kind)

    def _with_wake_up(self, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add the zero-second timer that brings the next decision task at once (unless one is running)."""
        timer = self.history.timers.get(constants.WAKE_UP_TIMER)
        if timer is None or timer["state"] != "started":
            out.append(decisions.start_timer(constants.WAKE_UP_TIMER, 0))
        return out

    def _pending_decisions(self) -> tuple[list[dict[str, Any]], bool]:
        """The owed decisions within SWF's limits; False when some must wait for the next task."""
        if not self._pending_sorted:
            self._pending.sort(key=lambda s: s.position)
            self._pending_sorted = True
        max_open = self.info.max_open_activities or constants.MAX_OPEN_ACTIVITY_COUNT
        owed = (sub.pending_decision for sub in self._pending)
        return decision_batch(owed, self._open_activities, max_open, self.info.max_decisions)

    def _closing(self, out: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
        if kind == "complete":
            self.workflow.on_completed(self._hook_history())
        elif kind in ("fail",) and self._outcome and self._outcome[0] == "error":
            self.workflow.on_failure(self._hook_history(), self._outcome[1], self._outcome[2])
        self.workflow.after_closed(self._hook_history())
        return out

    def _continue_as_new_decision(self, task: ContinueAsNewWorkflowTask) -> dict[str, Any]:
        wf = task.workflow
        payload = {
            "args": list(task.args),
            "kwargs": task.kwargs,
            "__extra": {"class": f"{wf.__module__}.{wf.__qualname__}"},
        }
        started = self.history.started
        timeout = getattr(wf, "execution_timeout", None)
        return decisions.continue_as_new(
            format.dumps(payload),
            task_list=(started.get("taskList") or {}).get("name") or wf.task_list,
            execution_timeout=str(timeout) if timeout else started.get("executionStartToCloseTimeout"),
            task_timeout=started.get("taskStartToCloseTimeout"),
            child_policy=started.get("childPolicy"),
            tag_list=started.get("tagList"),
            version=wf.version,
        )

    def _cancel_decisions(self) -> list[dict[str, Any]] | None:
        if not self.workflow.should_cancel(self._hook_history()):
            self._cancel_handled = True
            return None
        self.workflow.on_canceled(self._hook_history())
        out = [
            decisions.request_cancel_activity(r["id"])
            for r in self.history.activities.values()
            if r["state"] in ("scheduled", "started")
        ]
        out.append(decisions.cancel_workflow())
        return out


# Markers no future waits on (the value is used at once): no wake-up timer for them.
_SILENT_MARKERS = ("simpleflow.cached:", _repair.MARKER_PREFIX)

# ScheduleActivityTaskFailed causes worth scheduling again (after registering the type, for the first).
_RESCHEDULABLE = frozenset(
    {"ACTIVITY_TYPE_DOES_NOT_EXIST", "OPEN_ACTIVITIES_LIMIT_EXCEEDED", "ACTIVITY_CREATION_RATE_EXCEEDED"}
)


# How a submitted task of each kind reads its state from the history.
_SYNC = {
    "activity": WorkflowRun._sync_activity,
    "child_workflow": WorkflowRun._sync_child_workflow,
    "timer": WorkflowRun._sync_timer,
    "cancel_timer": WorkflowRun._sync_cancel_timer,
    "marker": WorkflowRun._sync_marker,
    "cached": WorkflowRun._sync_cached,
    "wait_signal": WorkflowRun._sync_wait_signal,
    "signal": WorkflowRun._sync_signal,
}

# Events a run can take while driven inline (others go through ``advance``).
_INLINE_EVENTS = frozenset(
    {
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "ActivityTaskTimedOut",
        "TimerStarted",
        "TimerFired",
        "MarkerRecorded",
    }
)


def _arguments_ready(task: Any) -> bool:
    Future = futures.Future  # noqa: N806 - a local name for this hot loop
    for value in task.args:
        if isinstance(value, Future) and not value._settled():
            return False
    if task.kwargs:
        for value in task.kwargs.values():
            if isinstance(value, Future) and not value._settled():
                return False
    return True


def _uses_counter(task: Any) -> bool:
    if isinstance(task, ActivityTask) and hasattr(task.activity.callable, "get_task_id"):
        return False
    if isinstance(task, ChildWorkflowTask) and hasattr(task.workflow, "get_workflow_id"):
        if task.idempotent:
            return False
        args = [_value(a) for a in task.args]
        kwargs = {k: _value(v) for k, v in task.kwargs.items()}
        return not task.workflow.get_workflow_id(task.workflow, *args, **kwargs)
    return not task.idempotent


def _value(value: Any) -> Any:
    return value._result if isinstance(value, futures.Future) else value


def _option(task: Any, name: str, default: Any) -> Any:
    """A task's own setting (a canvas propagated it) or else its activity's / workflow's."""
    own = getattr(task, "options", None) or {}
    return own[name] if name in own else getattr(getattr(task, "payload", None), name, default)


def _overrides(workflow: Any, method: str) -> bool:
    return getattr(type(workflow), method) is not getattr(Workflow, method)


def _mirror(source: futures.Future, target: futures.Future) -> None:
    target._state, target._result, target._exception = source._state, source._result, source._exception


def _not_set() -> Any:
    from simpleflow.activity import PRIORITY_NOT_SET

    return PRIORITY_NOT_SET
