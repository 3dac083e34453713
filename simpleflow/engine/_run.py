"""One workflow execution, replayed: history events in, SWF decisions out.

``WorkflowRun`` is what the hosts drive. ``advance(events)`` folds new events
into the history, lets the workflow's ``run`` go on until it needs a value the
history does not hold, and returns the decisions to send. ``run`` executes on
its own thread, so a run can be *resumed* with the next decision task's new
events instead of being replayed from the start; when resuming could diverge
from a full replay (the reference), the run replays in full by itself
(_fallback). ``compact`` keeps only what resuming needs between two decision
tasks; ``close`` releases the run.

What the workflow's code calls is the run's ``WorkflowContext`` (_context),
one per replay: its commands, kept by the ``CommandTracker`` (_tracker) and
resolved against the history (_resolvers, _failures), book the decisions owed
in a ``Ledger`` (_ledger); _decisions builds decisions, _closing closes the
run. A host may drive the run from the run's own thread (_handoff).

Everything here is pure: no network, no clock, no randomness.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simpleflow import constants
from simpleflow.engine import _decisions as decisions
from simpleflow.engine import _fit, _patch
from simpleflow.engine._closing import COMPLETED, ERRORED, RunOutcome, closing_decision
from simpleflow.engine._commands import ACTIVITY, WAIT_SIGNAL
from simpleflow.engine._context import ExecutionInfo, WorkflowContext
from simpleflow.engine._fallback import NeedsFullReplay
from simpleflow.engine._handoff import Handoff, HeldEvents
from simpleflow.exceptions import ExecutionBlocked
from simpleflow.format import format_reason
from simpleflow.history import History, HistoryUnavailable, HistoryView, latest_execution_context
from simpleflow.utils import collector_paused


class WorkflowRun:
    """A resumable replay of one workflow execution.

    Args:
        workflow_class: the ``Workflow`` subclass the execution runs.
        info: the execution's domain, ids and limits.
        driver: a host's, to drive the run from the run's own thread while ``run`` waits (see _handoff).
    """

    def __init__(
        self,
        workflow_class: type,
        info: ExecutionInfo | None = None,
        driver: Callable[[Handoff], bool] | None = None,
    ) -> None:
        self.workflow_class = workflow_class
        self.info = info or ExecutionInfo()
        self.fallbacks = 0  # how many times resuming gave way to a full replay
        self.refused: list[_fit.Unfit] = []  # why the latest decisions fail the execution (ON_NONDETERMINISM=fail)
        self.handoff = Handoff(driver, self._decide_inline, self._feed_inline)
        self._closed = False
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
        # cyclic collector would walk it over and over (a quarter of a cold decision). It is held off
        # meanwhile. The graph is not promoted (utils/_gc): a decider runs on, and what a closed run
        # leaves in cycles should not wait for the rarer full passes.
        try:
            with collector_paused(promote=False):
                return self._advance(events)
        except HistoryUnavailable:
            self.close()  # its thread may have stopped halfway: it cannot be resumed
            raise

    def _advance(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        events = list(events)
        context = self.context
        if context.needs_full_replay:
            self._restart(self.history.events + events)
        else:
            known = self.history.event_count
            try:
                context.apply_events(events)
            except NeedsFullReplay:
                self._restart(self.history.events[:known] + events)
        context = self.context
        if self.history.closed:
            return []
        if not self.history.cancel_requested or self._cancel_handled:
            propagate_to_parent = getattr(self.workflow_class, "propagate_signals_to_parent", True)
            propagated = decisions.propagated_signals(self.history, propagate_to_parent)
            if propagated:  # as simpleflow: the signals go on first, ``run`` goes on at the next decision task
                context.workflow.after_replay(self._hooks_history)
                return propagated
        try:
            context.go_on()
        finally:
            context.workflow.after_replay(self._hooks_history)
        held = self.handoff.take_held()  # the host's driver handed back events it could not feed
        if held is not None:
            if held.full_replay:
                self._restart(held.events)
                return self._advance([])
            return self._advance(held.events)
        return self._decide()

    def _restart(self, events: list[dict[str, Any]]) -> None:
        """Fall back to the reference behaviour: a fresh run over every event."""
        self.fallbacks += 1
        self._reset()
        self.context.apply_events(events)

    def _reset(self) -> None:
        if getattr(self, "context", None) is not None:
            self.context.abandon()
        self.history = History()
        self._hooks_history = HistoryView(self.history)  # simpleflow's shapes, what the workflow's hooks get (lazy)
        self.context = WorkflowContext(self.workflow_class, self.info, self.history, self._hooks_history, self.handoff)
        self.handoff.held = None
        self._cancel_handled = False
        self._fit_checked = False  # ``unfit`` found nothing at a decision of this replay (see _unfit_at_decision)

    # -- driven inline, from the run's thread (see _handoff) -------------------------------

    def _decide_inline(self) -> list[dict[str, Any]]:
        """On the run's thread, while it waits: the decisions ``advance`` would answer now."""
        self.context.workflow.after_replay(self._hooks_history)
        return self._decide()

    def _feed_inline(self, events: list[dict[str, Any]]) -> HeldEvents | None:
        """On the run's thread, while it waits: fold in *events* as ``advance`` would.

        Returns:
            None, or the events held for ``advance`` when they need what only it does (a full replay,
            signals to propagate, a cancellation...).
        """
        events = list(events)
        if self.context.needs_full_replay:
            return HeldEvents(True, self.history.events + events)
        if any(e["eventType"] not in _INLINE_EVENTS for e in events):
            return HeldEvents(False, events)
        known = self.history.event_count
        try:
            self.context.apply_events(events)
        except NeedsFullReplay:
            return HeldEvents(True, self.history.events[:known] + events)
        return None

    # -- what the host reads --------------------------------------------------------------

    @property
    def types_to_register(self) -> set[tuple[str, str, str]]:
        """(kind, name, version) of the types SWF refused as unknown: the host registers them (and clears this)."""
        return self.context.tracker.types_to_register

    @property
    def closed(self) -> bool:
        """``close`` was called: the run is released (``history.closed`` says the execution closed)."""
        return self._closed

    @property
    def outcome(self) -> RunOutcome | None:
        """How the workflow's ``run`` ended; None while it goes on."""
        return self.context.outcome

    @property
    def finished(self) -> bool:
        """The workflow's ``run`` is over (returned, raised, failed or continued as new)."""
        return self.context.outcome is not None

    @property
    def blocked(self) -> bool:
        """``run`` raised ``ExecutionBlocked``: the decisions so far went out, the next decision task replays it."""
        return self.context.blocked

    @property
    def execution_context(self) -> str | None:
        """The executionContext to answer the decision task with: the latest status the run set.

        A run that has not run its code (its first decision only propagated signals) keeps the
        history's latest one, as a resumed run would.
        """
        context = self.context
        if context.status is not None or context.thread is not None:
            return context.status
        return latest_execution_context(self.history.events)

    @property
    def nondeterminism(self) -> list[_fit.Mismatch]:
        """The tasks the code submits under ids whose history records hold something else (see _fit)."""
        return self.context.tracker.mismatches

    @property
    def mismatches(self) -> list[str]:
        """Where the history does not fit the code, one line each (see ``unfit``)."""
        return [unfit.text for unfit in self.unfit]

    @property
    def unfit(self) -> list[_fit.Unfit]:
        """Where the history does not fit the code: ``nondeterminism`` and the decisions of the workflow in the
        history that the code never takes (tasks never submitted, timers never started, markers never
        recorded), in the history's order; then cancellations it never asks.

        A patch that explains the others comes first.
        """
        tracker = self.context.tracker
        found = [m.unfit() for m in tracker.mismatches]
        if self.context.thread is None:
            return found
        found += _patch.untaken(self.history, tracker)
        found.sort(key=_event_id)
        found += [
            _fit.Unfit(f"{c} is in the history but the code never asks it")
            for c in _patch.unasked_cancellations(self.history, tracker)
        ]
        return [_fit.Unfit(text) for text in self._patch_mismatches(bool(found))] + found

    def _patch_mismatches(self, others: bool) -> list[str]:
        tracker = self.context.tracker
        found = [
            _unasked_patch(_patch.MARKER_PREFIX + change_id, change_id, self.finished)
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

    # -- releasing, compacting ------------------------------------------------------------

    def awaited_signals(self) -> list[str]:
        """The names of the signals the workflow waits for: its ``wait_signal`` futures not settled yet."""
        return sorted(
            {
                command.task.signal_name
                for (kind, _), command in self.context.tracker.commands.items()
                if kind == WAIT_SIGNAL and not command.future._settled()
            }
        )

    def unawaited_signals(self) -> list[str]:
        """The names of the signals received that no ``wait_signal`` of the workflow asks for (a typo's sign, when a
        run is stuck)."""
        commands = self.context.tracker.commands
        asked = {command.task.signal_name for (kind, _), command in commands.items() if kind == WAIT_SIGNAL}
        return sorted(set(self.history.signals) - asked)

    def close(self) -> None:
        """Release the run's thread (a suspended run is unwound) and its history.

        The run and its workflow refer to each other: without this, a whole history would
        wait for the cyclic garbage collector (and make its next pass slow).
        """
        self._closed = True
        self.context.close()
        self.history = self.context.history
        self._hooks_history = self.context.hooks_history  # the view held the old one: it would wait for the collector

    def compact(self, reload: Callable[[], list[dict[str, Any]]]) -> bool:
        """Keep only what resuming needs while the run waits for its next events (see ``History.compact``).

        *reload* gives the execution's events back (decoded, from the first) for what needs them
        again: a fall back to a full replay, a hook reading the history. A run that replays in full
        at each decision anyway keeps its events, and so does one whose hooks read the whole
        history (``History.keep_whole``): they would reload it at each decision.

        Returns:
            Whether the run is compacted.
        """
        if self._closed or self.context.needs_full_replay or self.handoff.held is not None:
            return False
        self._hooks_history.forget()
        if self.history.kept_whole:
            return False
        # An activity the code has not submitted yet keeps its input, to be compared with the code's when
        # it is (_fit): a resumed run is compared only with what it had not met in its full replay.
        commands = self.context.tracker.commands

        def met(task_id: str) -> bool:
            command = commands.get((ACTIVITY, task_id))
            if command is None:
                return False
            # Its record loses its scheduled id, and ``resolve`` compares only a record that has one: the
            # note of the event compared is let go too (an int a cached run would hold per activity).
            command.checked = 0
            return True

        self.history.compact(reload, met=met)
        return True

    # -- deciding -------------------------------------------------------------

    def _decide(self) -> list[dict[str, Any]]:
        context = self.context
        workflow, hooks_history = context.workflow, self._hooks_history
        if self.info.on_nondeterminism != _fit.REPORT:
            unfit = self._unfit_at_decision()
            if unfit:
                return self._refuse(unfit)
        outcome = context.outcome
        if self.history.cancel_requested and not self._cancel_handled:
            if workflow.should_cancel(hooks_history):
                workflow.on_canceled(hooks_history)
                return decisions.cancel_execution(self.history)
            self._cancel_handled = True
        if outcome is not None and outcome.kind == ERRORED:
            return self._close_errored(outcome)
        max_open = self.info.max_open_activities or constants.MAX_OPEN_ACTIVITY_COUNT
        out, complete = context.tracker.ledger.batch(max_open, self.info.max_decisions)
        if not complete:
            return decisions.with_wake_up(out, self.history)
        if outcome is None:
            return decisions.with_wake_up(out, self.history) if decisions.needs_wake_up(out) else out
        try:
            out.append(closing_decision(outcome, self.history.started))
        except ExecutionBlocked:  # run returned a future whose task has not finished: an error
            return self._close_errored(context.unfinished_result())
        if outcome.kind == COMPLETED:
            workflow.on_completed(hooks_history)
        workflow.after_closed(hooks_history)
        return out

    def _unfit_at_decision(self) -> list[_fit.Unfit]:
        """What a decision refuses: ``unfit``, as ``workflow.replay`` and queries report it, until it finds nothing
        in this replay; then, and when ``run`` raised, only the commands compared anew.

        The execution is open here: the checks of a closed history (``local.replay``) do not apply. A run that
        raised stopped where its failure surfaced, which a replay may meet sooner than the live run did (a
        ``raises_on_failure`` task the history shows failed raises at its submit): what the history holds past
        it is no sign of other code. A run found fitting then folds the events its own decisions bring, which
        hold no decision its code never takes nor a patch marker: resumed decisions skip the pass over every record
        (another decider's schedule under a command's id is still compared, see _fit).
        """
        context = self.context
        if self._fit_checked or (context.outcome is not None and context.outcome.kind == ERRORED):
            return [m.unfit() for m in context.tracker.mismatches]
        found = self.unfit
        self._fit_checked = not found
        return found

    def _close_errored(self, outcome: RunOutcome) -> list[dict[str, Any]]:
        """``run`` raised (*outcome*): the decision failing the execution; the run's decisions left owed are dropped."""
        hooks_history = self._hooks_history
        closing = [closing_decision(outcome, self.history.started)]
        self.context.workflow.on_failure(hooks_history, outcome.reason, outcome.details)
        self.context.workflow.after_closed(hooks_history)
        return closing

    def _refuse(self, mismatches: list[_fit.Unfit]) -> list[dict[str, Any]]:
        """The code does not fit the history: raise (WAIT), or the decision failing the execution (FAIL).

        Nothing the run decided goes out and no hook learns of an outcome: the run read values that are
        not its own.
        """
        if self.info.on_nondeterminism == _fit.FAIL:
            self.refused = mismatches
            reason = f"Workflow code does not fit its history: {mismatches[0]}"
            details = "\n".join(str(m) for m in mismatches) + _fit.ADVICE
            return [decisions.fail_workflow(format_reason(reason), details)]
        raise _fit.Nondeterminism(mismatches)


def _event_id(unfit: _fit.Unfit) -> int:
    return unfit.event_id


# Events a run can take while driven inline (others go through ``advance``).
_INLINE_EVENTS = frozenset(
    "DecisionTaskScheduled DecisionTaskStarted DecisionTaskCompleted ActivityTaskScheduled ActivityTaskStarted"
    " ActivityTaskCompleted ActivityTaskFailed ActivityTaskTimedOut TimerStarted TimerFired MarkerRecorded".split()
)


def _unasked_patch(marker: str, change_id: str, finished: bool) -> str:
    """The line for a patch *marker* of the history that the replay never asked about: the code has no such
    call when ``run`` *finished*; else the run stopped first, waiting on what the history does not hold (a
    task, a timer, a signal)."""
    if finished:
        return (
            f"patch marker {marker!r} is in the history but the code never calls patched({change_id!r}) nor "
            f"deprecate_patch({change_id!r})"
        )
    return (
        f"patch marker {marker!r} is in the history but the run stopped before it called patched({change_id!r}) "
        f"or deprecate_patch({change_id!r}): it waits on what the history does not hold"
    )
