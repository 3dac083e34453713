"""The activity tasks of one local run, carried out in this process as SWF's workers would.

Each attempt runs on a thread of the run's pool (``ActivityThreads``): one thread with one worker, so that
activities run one at a time in the order scheduled and each decision's are done before the next decision
task; more with ``workers``. A task starts (ActivityTaskStarted) once one of the ``workers`` is free, as a
worker's poll takes it on SWF; until then it waits, scheduled. The host keeps SWF's timeouts
(``_timeouts``): an attempt past its start-to-close, schedule-to-close or heartbeat timeout, or still
waiting for a worker past its schedule-to-start timeout, closes with ActivityTaskTimedOut, as on SWF; its
thread is given up on and whatever it returns later is dropped, as SWF refuses a late answer.

With one worker, an attempt that cannot time out in practice runs on the decision's own thread instead,
in its turn, once the decision's attempts are scheduled: one whose task has no timeout, or whose activity's
previous attempt in this run ended within a tenth of its shortest timeout (``QUICK_SHARE``). Handing a task
to a thread and its answer back costs two thread wake-ups (~80 us on a 2-core machine: 40% of a
5,000-activity chain's time). The events and their timing are those a thread gives; an attempt that does
outlast its timeout there is still timed out when it ends (its answer dropped), only not given up on at the
instant, and its activity goes back to a thread. Each attempt's
heartbeats go to a ``LocalBeat`` (a cancel request reaches the activity as the answer to its next
heartbeat), and its outcome becomes the event a worker's answer gives SWF.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow import activity as activity_registry
from simpleflow import format
from simpleflow.local._heartbeats import LocalBeat
from simpleflow.local._threads import ActivityThreads
from simpleflow.local._timeouts import SCHEDULE_TO_CLOSE, SCHEDULE_TO_START, Limits, first_due
from simpleflow.runtime.middleware import Middlewares
from simpleflow.runtime.observed import attempt_of, observed_attempt
from simpleflow.runtime.outcome import FAILED, Outcome, error_details, failed, is_cancellation, named_failure
from simpleflow.runtime.outcome import run_activity as run_declared

# How the host finds the activity a task names (``activity.find``; a test may stand another in, whose
# ``answered(outcome)``, if it has one, is given each attempt's answer as the history records it, and
# ``timed_out(timeout_type)`` each attempt that timed out once started, ``abandoned()`` each one still running
# when its run closed).
ActivityLookup = Callable[[str], Any]

# An activity whose last attempt ended within this share of its shortest timeout runs on the decision's
# thread next time (one worker only): it is not expected to come near the timeout.
QUICK_SHARE = 0.1


@dataclass(slots=True, eq=False)
class _Attempt:
    """One attempt of an activity task, from its scheduling to the event that closes it."""

    scheduled_id: int
    activity_id: str
    limits: Limits
    scheduled_at: float
    beat: LocalBeat
    work: Callable[[], Outcome]
    job: concurrent.futures.Future | None = None  # once started: its thread's, or a placeholder for here
    started_id: int = 0  # its ActivityTaskStarted (0: none yet)
    waiting: bool = True  # no worker took it yet, and it is not closed
    started_at: float | None = None  # when a thread took it (set on that thread)
    ended_at: float | None = None
    activity: Any = None  # what the task names, as found (None: not declared)
    name: str = ""  # the activity's name (what its quickness is kept under: a test's lookup finds a new stand-in)
    here: Callable[[], Outcome] | None = None  # its work, while it waits its turn on the decision's thread

    def due(self, now: float) -> tuple[float, str] | None:
        """Its first timeout once started (while it waits: ``LocalActivities._waiting_dues``)."""
        return first_due(self.limits, self.scheduled_at, self.started_at, self.beat.last_at, now)

    def answered_late(self, now: float) -> bool:
        """It ended at *now*: whether too late for its answer (given up, or past a timeout: ``_close_ended``)."""
        self.ended_at = now
        due = None if self.ended_in_time() else self.due(now)
        return self.beat.gone or (due is not None and due[0] < now)

    def ended_in_time(self) -> bool:
        """Whether it ended before the shortest of its timeouts could fall (the common case, checked cheaply)."""
        return self.ended_at is not None and self.ended_at - self.scheduled_at < self.limits.shortest


class LocalActivities:
    """The activity tasks of one run.

    Args:
        add: appends an event to the run's history (type, attributes) and returns its id.
        workers: activities run at once (1: one at a time, in order, each decision's before the next).
        workflow_id, run_id: the run's, as an activity's context names them.
        middlewares: called around each activity (simpleflow.runtime.middleware).
        workflow_type: the run's type name, as an activity's context names it.
        clock: the family's clock (timeouts are counted on it; an attempt's telemetry reads it).
        lookup: finds the activity a task names (``activity.find`` by default).
    """

    def __init__(
        self,
        add: Callable[[str, dict[str, Any]], int],
        workers: int,
        workflow_id: str,
        run_id: str,
        middlewares: Middlewares,
        workflow_type: str,
        clock: Callable[[], float],
        lookup: ActivityLookup | None = None,
    ) -> None:
        self._workflow_type = workflow_type
        self._add = add
        self.workers = workers
        self._workflow_id = workflow_id
        self._run_id = run_id
        self._middlewares = middlewares
        self._clock = clock
        self._lookup = lookup or activity_registry.find
        self._running: list[_Attempt] = []  # started, in the order scheduled (their events come in that order)
        self._waiting: deque[_Attempt] = deque()  # scheduled, waiting for a worker, in the order scheduled
        # When those with a schedule-to-start or schedule-to-close limit time out: (due, seq, timeoutType, attempt).
        self._waiting_dues: list[tuple[float, int, str, _Attempt]] = []
        self._seq = itertools.count()
        self._threads: ActivityThreads | None = None
        self._quick: dict[str, bool] = {}  # activity name -> its last attempt ended well within its timeouts
        self._took: dict[str, float] = {}  # activity name -> how long its last attempt that ended in time took
        self.deadline: float | None = None  # the run's execution timeout: what ends after it is never answered
        self.given_up = False  # its run closed under its attempts (give_up)

    @property
    def running(self) -> list[concurrent.futures.Future]:
        """The jobs of the attempts not closed yet."""
        return [attempt.job for attempt in self._running]

    def next_due(self, now: float) -> float | None:
        """When the next timeout of an attempt falls (None: none can)."""
        due = [d[0] for d in (attempt.due(now) for attempt in self._running) if d is not None]
        waiting = self._first_waiting_due()
        if waiting is not None:
            due.append(waiting[0])
        return min(due, default=None)

    def _first_waiting_due(self) -> tuple[float, int, str, _Attempt] | None:
        """The first timeout of a task still waiting for a worker (those started or closed meanwhile dropped)."""
        dues = self._waiting_dues
        while dues and not dues[0][3].waiting:
            heapq.heappop(dues)
        return dues[0] if dues else None

    def schedule(self, a: dict[str, Any], completed_id: int) -> None:
        """A ScheduleActivityTask decision (its attributes *a*): scheduled; it waits for a worker (``dispatch``)."""
        scheduled = self._add("ActivityTaskScheduled", dict(a, decisionTaskCompletedEventId=completed_id))
        if not scheduled:  # not recorded: the run's history is full, it was terminated
            return
        name = a["activityType"]["name"]
        act = self._lookup(name)
        # The context a worker gives (simpleflow.swf.worker), this host standing for the domain and task list.
        context = {
            "name": name,
            "version": a["activityType"]["version"],
            "workflow_id": self._workflow_id,
            "run_id": self._run_id,
            "activity_id": a["activityId"],
            "input": a.get("input"),
            "domain_name": "local",
            "activity_task_list": a["taskList"]["name"],
            "workflow_type": self._workflow_type,
            "attempt": attempt_of(a.get("input")),
        }

        def job() -> Outcome:
            attempt.started_at = self._clock()
            try:
                if act is None:
                    message = f"activity '{name}' is not declared in this process"
                    return failed(named_failure("ActivityNotDeclared", message))
                run = lambda: run_declared(act, a.get("input"), context, self._middlewares, attempt.beat.send)  # noqa: E731
                dropped = lambda: attempt.answered_late(self._clock())  # noqa: E731
                return observed_attempt(
                    context, run, started_event_id=attempt.started_id, clock=self._clock, dropped=dropped
                )
            finally:
                if attempt.ended_at is None:  # not judged by answered_late
                    attempt.ended_at = self._clock()

        limits = Limits.of_decision(a)
        beat = LocalBeat(self._clock)
        attempt = _Attempt(scheduled, a["activityId"], limits, self._clock(), beat, job, activity=act, name=name)
        self._waiting.append(attempt)
        for limit, kind in (
            (limits.schedule_to_start, SCHEDULE_TO_START),
            (limits.schedule_to_close, SCHEDULE_TO_CLOSE),
        ):
            if limit is not None:
                heapq.heappush(self._waiting_dues, (attempt.scheduled_at + limit, next(self._seq), kind, attempt))

    def dispatch(self) -> None:
        """Start the tasks waiting for a worker, in the order scheduled, while one of the ``workers`` is free
        (an attempt holds one until it is answered): ActivityTaskStarted, as a worker's poll gives it. The host
        calls it once a decision's events are all recorded: SWF records them when the decision task completes,
        and a worker's poll starts a task only after. None after the run's execution timeout (the run times
        out with them not started)."""
        while self._waiting and len(self._running) < self.workers and not self._past_deadline():
            attempt = self._waiting.popleft()
            attempt.waiting = False
            attempt.started_id = self._add(
                "ActivityTaskStarted", {"scheduledEventId": attempt.scheduled_id, "identity": "local"}
            )
            if not attempt.started_id:  # not recorded: the run's history is full, it was terminated (give_up)
                return
            if self._runs_here(attempt):
                attempt.job = concurrent.futures.Future()
                attempt.here = attempt.work  # run by collect(), in its turn
            else:
                attempt.job = self._submit(attempt.work)
            self._running.append(attempt)

    def _submit(self, work: Callable[[], Outcome]) -> concurrent.futures.Future:
        if self._threads is None:
            self._threads = ActivityThreads(self.workers)
        return self._threads.submit(work)

    def _runs_here(self, attempt: _Attempt) -> bool:
        """Whether *attempt* runs on the decision's thread: one worker, and no timeout it could come near (see
        the module)."""
        if self.workers != 1:
            return False
        return attempt.limits.shortest == math.inf or self._quick.get(attempt.name, False)

    def _run_here(self) -> None:
        """Run the attempts waiting for the decision's thread, in the order scheduled (none past the run's
        execution timeout: the run times out with them not started). One that a task waiting for the worker
        could time out behind (its activity's last attempt does not say it ends well before) goes to a thread
        instead, so that the task times out at its instant."""
        for attempt in self._running:
            if attempt.here is None or self._past_deadline():
                continue
            job, attempt.here = attempt.here, None
            waiting = self._first_waiting_due()
            if waiting is not None and not self._ends_well_before(attempt, waiting[0]):
                attempt.job = self._submit(job)
                continue
            if attempt.job.set_running_or_notify_cancel():
                try:
                    attempt.job.set_result(contextvars.copy_context().run(job))  # as a pool thread runs it
                except KeyboardInterrupt:  # Ctrl-C stops the run (on a pool thread, it never reaches the activity)
                    raise
                except BaseException as error:  # the job's own failure is its future's, as on a thread
                    attempt.job.set_exception(error)

    def _ends_well_before(self, attempt: _Attempt, instant: float) -> bool:
        """Whether *attempt* is expected to end well before *instant* (when a task waiting for the worker would
        time out): its activity's last attempt took under ``QUICK_SHARE`` of the time left."""
        took = self._took.get(attempt.name)
        return took is not None and took < QUICK_SHARE * (instant - self._clock())

    def collect(self, block: bool, every: bool = False) -> None:
        """Append the events of the attempts that ended or timed out; with *block*, wait for one first (with
        *every*, for all of them)."""
        while self._running or self._waiting:
            self._run_here()  # the attempt the worker took last, if it runs here
            if block:
                self._wait()
            closed = self._close_ended()
            if not block or not (self._running or self._waiting) or (closed and not every) or self._past_deadline():
                return

    def _past_deadline(self) -> bool:
        return self.deadline is not None and self._clock() >= self.deadline

    def _wait(self) -> None:
        """Until an attempt ends, the next timeout falls or the run's time runs out (at once if one has)."""
        now = self._clock()
        due = min((d for d in (self.next_due(now), self.deadline) if d is not None), default=None)
        timeout = None if due is None else max(0.0, due - now)
        if len(self._running) == 1:  # one worker's case: a lighter wait than concurrent.futures.wait
            try:
                self._running[0].job.exception(timeout)
            except (concurrent.futures.TimeoutError, concurrent.futures.CancelledError):
                pass
            return
        concurrent.futures.wait(self.running, timeout=timeout, return_when=concurrent.futures.FIRST_COMPLETED)

    def _close_ended(self) -> bool:
        """Close the attempts that finished or are past a timeout, in the order scheduled; True if any. Not
        after the run's execution timeout: what ends later is never answered (the run timed out first)."""
        now = self._clock() if self.deadline is None else min(self._clock(), self.deadline)
        closed = False
        for attempt in list(self._running):
            if self.given_up:  # the last answer filled the run's history: it was terminated
                return True
            job = attempt.job
            if job.done() and (attempt.ended_at is None or attempt.ended_at <= now):
                ended = attempt.ended_at if attempt.ended_at is not None else now
                due = None if attempt.ended_in_time() else attempt.due(ended)
                if due is not None and due[0] < ended:  # it answered too late: SWF had timed it out
                    self._time_out(attempt, due[1])
                else:
                    self._running.remove(attempt)
                    self._answer(attempt, _outcome_of(job))
                    taken = ended - (attempt.started_at if attempt.started_at is not None else attempt.scheduled_at)
                    self._quick[attempt.name] = taken < QUICK_SHARE * attempt.limits.shortest
                    self._took[attempt.name] = taken
                closed = True
                continue
            due = attempt.due(now)
            if due is not None and due[0] <= now:
                self._time_out(attempt, due[1])
                closed = True
        waiting = None if self.given_up else self._first_waiting_due()
        while waiting is not None and waiting[0] <= now:  # no worker took it in time
            self._waiting.remove(waiting[3])
            self._time_out(waiting[3], waiting[2])
            closed = True
            waiting = self._first_waiting_due()
        if closed:  # a worker is free: the next task waiting for one starts
            self.dispatch()
        return closed

    def _time_out(self, attempt: _Attempt, timeout_type: str) -> None:
        if attempt.waiting:
            attempt.waiting = False
        else:
            self._running.remove(attempt)
            self._quick[attempt.name] = False
            self._took.pop(attempt.name, None)
        details = attempt.beat.give_up()
        if self._threads is not None and attempt.job is not None:
            self._threads.give_up(attempt.job)
        ids = {"scheduledEventId": attempt.scheduled_id, "startedEventId": attempt.started_id}  # 0: never started
        self._add("ActivityTaskTimedOut", without_none(dict(ids, timeoutType=timeout_type, details=details)))
        timed_out = getattr(attempt.activity, "timed_out", None)
        if timed_out is not None and attempt.started_id:  # a test's stand-in: its call shows the timeout
            timed_out(timeout_type)

    def _answer(self, attempt: _Attempt, outcome: Outcome) -> None:
        ids = {"scheduledEventId": attempt.scheduled_id, "startedEventId": attempt.started_id}
        if _was_canceled(outcome):  # it let TaskCanceled out: RespondActivityTaskCanceled, as a worker does
            self._add("ActivityTaskCanceled", without_none(dict(ids, details=attempt.beat.details)))
        elif outcome.completed:
            self._add("ActivityTaskCompleted", dict(ids, result=outcome.result))
        else:
            self._add("ActivityTaskFailed", dict(ids, reason=outcome.reason, details=outcome.details))
        answered = getattr(attempt.activity, "answered", None)
        if answered is not None:  # a test's stand-in (simpleflow.testing): its recorded call as the history says
            answered(outcome)

    def request_cancel(self, a: dict[str, Any], completed_id: int) -> None:
        """A RequestCancelActivityTask decision (its attributes *a*)."""
        running = [attempt for attempt in (*self._running, *self._waiting) if attempt.activity_id == a["activityId"]]
        if not running:  # it closed already
            self._add(
                "RequestCancelActivityTaskFailed",
                {
                    "activityId": a["activityId"],
                    "cause": "ACTIVITY_ID_UNKNOWN",
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        for attempt in running:
            attempt.beat.request_cancel()  # its next heartbeat() raises TaskCanceled, as a worker's would
        requested = self._add(
            "ActivityTaskCancelRequested", {"activityId": a["activityId"], "decisionTaskCompletedEventId": completed_id}
        )
        for attempt in running:
            if attempt.waiting:  # no worker took it: canceled at once, as SWF does
                attempt.waiting = False
                self._waiting.remove(attempt)
                ids = {"scheduledEventId": attempt.scheduled_id, "startedEventId": 0}
                self._add("ActivityTaskCanceled", dict(ids, latestCancelRequestedEventId=requested))

    def give_up(self) -> None:
        """The run closed under them (it timed out, SWF terminated it): every attempt is given up, its answer
        dropped (SWF refuses it), those not started never start."""
        self.given_up = True
        for attempt in self._waiting:
            attempt.waiting = False
        self._waiting.clear()
        for attempt in self._running:
            attempt.beat.give_up()  # an attempt that heartbeats is told to stop
            if attempt.here is not None:
                attempt.here = None
                attempt.job.cancel()
                continue
            if self._threads is not None:
                self._threads.give_up(attempt.job)
            abandoned = getattr(attempt.activity, "abandoned", None)
            if abandoned is not None:  # a test's stand-in: its call shows the attempt given up
                abandoned()
        self._running.clear()

    def shut_down(self) -> None:
        """Release the activity threads: attempts not started are dropped, running ones waited for (not those
        given up on)."""
        for attempt in self._running:
            if attempt.here is not None:  # never ran: dropped, as a task no worker took
                attempt.here = None
                attempt.job.cancel()
        if self._threads is not None:
            self._threads.shut_down()


def _outcome_of(job: concurrent.futures.Future) -> Outcome:
    error = job.exception()
    if error is not None:  # the lookup or a middleware raised around the activity
        return failed(error_details(error))
    return job.result()


def _was_canceled(outcome: Outcome) -> bool:
    """The activity stopped on a cancellation: it let ``heartbeat()``'s TaskCanceled (or one of its own) out."""
    return outcome.status == FAILED and is_cancellation(format.loads(outcome.details))


def without_none(attrs: dict[str, Any]) -> dict[str, Any]:
    """*attrs* without the keys whose value is None (SWF leaves them out)."""
    return {k: v for k, v in attrs.items() if v is not None}
