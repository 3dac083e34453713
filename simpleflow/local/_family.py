"""A family of local runs: a root execution, its children, theirs, and the runs that continue them.

They share one virtual clock (timers fire by jumping it ahead, unless in real time), the signals and cancel
request scheduled from outside (delivered to the root workflow's open run), and one loop that gives a
decision task to each run an event woke up, lets time pass while none is awake (a run open past its
execution timeout times out, as on SWF), and stops when the root workflow's last run closed and so did the
runs a closed parent's child policy asked to cancel (their deciders act on the request, as on SWF). One run's
emulation (its events, decisions, activities) is :class:`~simpleflow.local._run_host.RunHost`.
"""

from __future__ import annotations

import concurrent.futures
import heapq
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simpleflow import activity as activity_registry
from simpleflow import format
from simpleflow.runtime.middleware import NONE, Middlewares
from simpleflow.runtime.outcome import FAILED, Outcome

if TYPE_CHECKING:
    from simpleflow.engine import WorkflowRun
    from simpleflow.local._activities import ActivityLookup
    from simpleflow.local._run_host import RunHost

STUCK_PREFIX = "workflow is stuck: "  # how every stuck reason begins
STUCK = f"{STUCK_PREFIX}it waits for a result, timer or signal that can never come"


def stuck(run: WorkflowRun, children: list[RunHost] = ()) -> str:
    """Why *run* fails as stuck, in one line: the signals it waits for, those it got that nothing waits for, and
    the signals its open *children* (runs of the family) wait for."""
    awaited, unawaited = run.awaited_signals(), run.unawaited_signals()
    reason = STUCK
    if awaited:
        reason = f"{STUCK_PREFIX}it waits for {_signals(awaited)}, which can never come"
    if unawaited:
        reason += f" (it received {_quoted(unawaited)}, which no wait_signal asks for)"
    for child in children:
        waits = child.run.awaited_signals()
        if waits:
            reason += f"; its child {child.workflow_id!r} waits for {_signals(waits)}"
    return reason


def stuck_child_line(outcome: Outcome) -> str:
    """One line naming a child run (its *outcome*) that failed as stuck, and why."""
    why = (outcome.reason or "").removeprefix(STUCK_PREFIX)
    return f"child workflow {outcome.workflow_id!r} (run {outcome.run_id}) is stuck: {why}"


def _signals(names: list[str]) -> str:
    return f"signal{'s' if len(names) > 1 else ''} {_quoted(names)}"


def _quoted(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)


BLOCKED = (
    f"{STUCK_PREFIX}run() raised ExecutionBlocked with no task, timer or signal pending, so no decision task"
    " can ever come to run it again"
)


@dataclass(order=True)
class _Signal:
    at: float  # seconds after the family started
    seq: int
    name: str | None = field(compare=False)  # None: a cancel request
    input: Any = field(compare=False)


class Family:
    """The runs of one local execution tree, on one clock.

    Args:
        real_time: sleep until a timer fires or a scheduled signal is due, instead of jumping the clock.
        signals: ``(seconds after the start, name, input)`` to send the root workflow's open run.
        cancel_at: seconds after the start at which its cancellation is requested (None: never).
        middlewares: called around every activity of every run of the family (simpleflow.runtime.middleware).
        lookup: finds the activity a task names (``activity.find``; a test may stand in replacements).
    """

    def __init__(
        self,
        *,
        real_time: bool = False,
        signals: Iterable[tuple[float, str, Any]] = (),
        cancel_at: float | None = None,
        middlewares: Middlewares = NONE,
        lookup: ActivityLookup | None = None,
    ) -> None:
        self.real_time = real_time
        self.middlewares = middlewares
        self.lookup = lookup or activity_registry.find
        self.pause_at: float | None = None  # the clock's instant at which ``execute`` stops (None: at the end)
        self.max_continued: int | None = None  # runs continued as new after which ``execute`` stops (None: never)
        self.continued_count = 0  # runs continued as new during the latest ``execute``
        self.interrupted = False  # Ctrl-C stopped ``execute``: a run's thread stops at its next step
        self.members: list[RunHost] = []
        self.stuck_runs: list[RunHost] = []  # those that failed as stuck, in that order
        self.current: RunHost | None = None  # the root workflow's run open now (continue-as-new moves it on)
        # Told (parent's workflow id, child's) as a run asks for a child's start, on the loop's thread: a run
        # may decide on its own thread, where what this raises would fail the run instead of reaching the caller.
        self.on_child_initiated: Callable[[str, str], None] | None = None
        self._initiated: list[tuple[str, str]] = []  # not told yet
        self._offset = 0.0  # virtual seconds the clock jumped ahead (timers)
        self._t0 = time.time()
        seq = itertools.count()
        self._signals = [_Signal(at, next(seq), name, value) for at, name, value in signals]
        if cancel_at is not None:
            self._signals.append(_Signal(cancel_at, next(seq), None, None))
        heapq.heapify(self._signals)

    def now(self) -> float:
        """The family's clock: the time plus the jumps timers made."""
        return time.time() + self._offset

    def started_at(self, timestamp: float) -> None:
        """The root's first run started at *timestamp*: the instant the signals' seconds count from."""
        self._t0 = timestamp

    def join(self, member: RunHost) -> None:
        """A new run of the family (the root's first run becomes ``current``)."""
        self.members.append(member)
        if self.current is None:
            self.current = member

    def continued(self, previous: RunHost, successor: RunHost) -> None:
        """*previous* continued as new in *successor*: if it was the root workflow's run, so is the successor."""
        self.continued_count += 1
        if self.current is previous:
            self.current = successor

    def child_initiated(self, parent: RunHost, workflow_id: str) -> None:
        """*parent* asked for the start of child *workflow_id*: ``on_child_initiated`` hears it after the decision."""
        if self.on_child_initiated is not None:
            self._initiated.append((parent.workflow_id, workflow_id))

    def _tell_initiated(self) -> None:
        while self._initiated:
            self.on_child_initiated(*self._initiated.pop(0))

    def alone(self, member: RunHost) -> bool:
        """Whether every other run of the family is closed."""
        return all(m is member or m.closed is not None for m in self.members)

    def find_open(self, workflow_id: str, run_id: str | None = None) -> RunHost | None:
        """The open run of *workflow_id* in this family (SWF looks the whole domain up)."""
        for member in self.members:
            if member.workflow_id == workflow_id and member.closed is None and run_id in (None, "", member.run_id):
                return member
        return None

    @property
    def elapsed(self) -> float:
        """Seconds on the family's clock since it started (virtual jumps included)."""
        return self.now() - self._t0

    def at(self, seconds: float) -> float:
        """The clock's instant *seconds* after the family started."""
        return self._t0 + seconds

    # -- the loop -------------------------------------------------------------

    def execute(self, until: float | None = None) -> Outcome | None:
        """Run until the root workflow's last run closed; its outcome (earlier runs chained by ``previous``).

        With *until* (seconds after the start), stop there instead if it is still open, once no activity
        runs, and return None; a later call goes on from there. So it does once ``max_continued`` runs (of any
        workflow of the family) continued as new during this call (``continued_count``): the outcome if the
        root closed meanwhile, else None.
        """
        self.pause_at = None if until is None else self.at(until)
        self.continued_count = 0
        try:
            while self.current.closed is None or self.asked_to_cancel():
                if self._step():
                    if self.max_continued is not None and self.continued_count >= self.max_continued:
                        return self.current.closed
                    continue
                news = self.wait_for_news()
                if news is PAUSED:
                    return self.current.closed
                if news is NONE_CAN_COME:
                    self._close_stuck()
        except KeyboardInterrupt:
            # Nothing is waited for: the activity and run threads are daemons, left where they are (an activity
            # cannot be stopped from outside; shut_down would wait for it, and a run's thread for its timer).
            self.interrupted = True
            raise
        except BaseException:
            self.shut_down()
            raise
        self.shut_down()
        return self.current.closed

    def asked_to_cancel(self) -> list[RunHost]:
        """The open runs a closed parent's child policy asked to cancel. SWF's API reference (childPolicy):
        "REQUEST_CANCEL - A request to cancel is attempted for each child execution by recording a
        WorkflowExecutionCancelRequested event in its history. It is up to the decider to take appropriate
        actions when it receives an execution history with this event." Their deciders act on it (cancel, or
        run on) after the root closed, so the loop goes on for them until they close."""
        return [m for m in self.members if m.closed is None and m.asked_by_policy]

    def _close_stuck(self) -> None:
        """Nothing can wake a run again: the root's open run fails as stuck, else those asked to cancel do."""
        runs = [self.current] if self.current.closed is None else self.asked_to_cancel()
        for run in runs:
            self.fail_stuck(run, [m for m in self.members if m.closed is None and _descends(m, run)])

    def fail_stuck(self, run: RunHost, below: list[RunHost] = ()) -> None:
        """*run* fails as stuck, saying why (the signals its open runs *below* wait for too)."""
        run.close(FAILED, reason=BLOCKED if run.run.blocked else stuck(run.run, below))
        self.stuck_runs.append(run)

    def shut_down(self) -> None:
        """Release every run's threads; after Ctrl-C (``interrupted``), wait for none: a run's thread may be
        waiting for an activity (it drives the loop inline), and all of them are daemons, gone at exit."""
        for member in self.members:
            if self.interrupted:
                member.activities.give_up()
            else:
                member.shut_down()

    def _step(self) -> bool:
        """Give a decision task to each open run an event woke up; False when none was."""
        stepped = False
        for member in list(self.members):
            if member.closed is None and member.awake:
                member.take_decision_task()
                self._tell_initiated()  # before the next run's decision: a child's activities may take long
                stepped = True
        return stepped

    def wait_for_news(self) -> str:
        """Let time pass until an event wakes a run of the family, or one times out: NEWS; NONE_CAN_COME when
        none ever can (an execution timeout alone does not count: such a run is stuck, and fails so at once);
        PAUSED at ``pause_at`` (only while no activity runs: their time is real)."""
        while True:
            open_runs = [m for m in self.members if m.closed is None]
            if any(m.awake for m in open_runs):
                return NEWS
            jobs = [job for m in open_runs for job in m.running_activities]
            deadlines = [m.deadline for m in open_runs if m.deadline is not None]
            if jobs:
                # The clock runs while activities do: a timer, signal or timeout due meanwhile comes first.
                now = self.now()
                due = self._due_times(open_runs) + deadlines
                due += [when for when in (m.activities.next_due(now) for m in open_runs) if when is not None]
                timeout = None if not due else max(0.0, min(due) - now)
                concurrent.futures.wait(jobs, timeout=timeout, return_when=concurrent.futures.FIRST_COMPLETED)
                for member in open_runs:
                    member.collect_activities(block=False)
                if self._fire_due(open_runs, self.now()):
                    return NEWS
                continue
            due = min(self._due_times(open_runs), default=None)
            if self.pause_at is not None:
                due = min((when for when in (due, *deadlines) if when is not None), default=None)
                if due is None or due > self.pause_at:
                    self._let_time_pass(self.pause_at)
                    return PAUSED
            if due is None:
                return NONE_CAN_COME
            self._let_time_pass(min([due, *deadlines]))
            if self._fire_due(open_runs, self.now()):
                return NEWS

    def _due_times(self, open_runs: list[RunHost]) -> list[float]:
        due = [m.next_timer() for m in open_runs]
        if self._signals:
            due.append(self._signals[0].at + self._t0)
        return [when for when in due if when is not None]

    def _let_time_pass(self, until: float) -> None:
        """Jump the clock (or, in real time, sleep) to *until*."""
        wait = until - self.now()
        if wait > 0:
            if self.real_time:
                time.sleep(wait)
            else:
                self._offset += wait

    def catch_up(self) -> None:
        """Apply what fell due by now, in its order: a run found past its execution timeout after its activities
        ran (one worker) times out after the timers, signals and timeouts due before it, as on SWF."""
        self._fire_due([m for m in self.members if m.closed is None], self.now())

    def _fire_due(self, open_runs: list[RunHost], now: float) -> bool:
        """Apply what fell due by *now*, in its order (True if a run timed out): the runs' execution timeouts,
        the scheduled signals and cancel request, the timers. SWF records each when it falls due; the loop may
        see several at once (it waited for an activity). At one instant a timeout comes first, as on the dev
        server, whose clock calls deadlines in their order and registers a run's timeout at its start, before
        any of its timers (SWF's API reference orders no two events due at one instant)."""
        timed_out = False
        while (due := self._first_due(open_runs, now)) is not None:
            when, kind, member = due
            if kind == _TIMEOUT:
                member.time_out()
                timed_out = True
            elif kind == _SIGNAL:
                self._deliver_signal()
            else:
                member.fire_timers(when)
        return timed_out

    def _first_due(self, open_runs: list[RunHost], now: float) -> tuple[float, int, RunHost | None] | None:
        """The first of what fell due by *now*: (when, its kind, its run); None if nothing did."""
        due: list[tuple[float, int, int]] = []
        for index, member in enumerate(open_runs):
            if member.closed is not None:
                continue
            if member.deadline is not None and member.deadline <= now:
                due.append((member.deadline, _TIMEOUT, index))
            timer = member.next_timer()
            if timer is not None and timer <= now:
                due.append((timer, _TIMER, index))
        if self._signals and self._signals[0].at + self._t0 <= now:
            due.append((self._signals[0].at + self._t0, _SIGNAL, -1))
        if not due:
            return None
        when, kind, index = min(due)
        return when, kind, open_runs[index] if index >= 0 else None

    def _deliver_signal(self) -> None:
        """The next scheduled signal (or cancel request) goes to the root workflow's open run (none: dropped)."""
        signal = heapq.heappop(self._signals)
        target = self.current
        if target.closed is not None:
            return
        if signal.name is None:
            target.request_cancel()
        else:
            target.deliver_signal(signal.name, format.dumps(signal.input))


# What falls due, in the order applied at one instant.
_TIMEOUT, _SIGNAL, _TIMER = 0, 1, 2


def _descends(member: RunHost, ancestor: RunHost) -> bool:
    """Whether *member* is a child of *ancestor*'s workflow, or of one of its children (any run of them)."""
    parent = member.parent
    while parent is not None:
        if parent.workflow_id == ancestor.workflow_id:
            return True
        parent = parent.parent
    return False


# What ``Family.wait_for_news`` found.
NEWS = "news"
NONE_CAN_COME = "none can come"
PAUSED = "paused"
