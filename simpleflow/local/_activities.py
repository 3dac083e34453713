"""The activity tasks of one local run, carried out in this process as SWF's workers would.

With one worker an activity runs as soon as it is scheduled, in order, on the decision's thread; with more,
on a pool of threads. Each one's heartbeats go to a ``LocalBeat`` (a cancel request reaches the activity as
the answer to its next heartbeat), and its outcome becomes the event a worker's answer gives SWF.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any

from simpleflow import activity as activity_registry
from simpleflow import format
from simpleflow.local._heartbeats import LocalBeat
from simpleflow.runtime.middleware import Middlewares
from simpleflow.runtime.observed import attempt_of, observed_attempt
from simpleflow.runtime.outcome import FAILED, Outcome, failed, is_cancellation, named_failure, run_activity


class LocalActivities:
    """The activity tasks of one run.

    Args:
        add: appends an event to the run's history (type, attributes) and returns its id.
        workers: activities run at once (1: each runs when scheduled, in order, on this thread).
        workflow_id, run_id: the run's, as an activity's context names them.
        middlewares: called around each activity (simpleflow.runtime.middleware).
        workflow_type: the run's type name, as an activity's context names it.
        clock: the family's virtual clock (an attempt's telemetry reads its time).
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
    ) -> None:
        self._add = add
        self._workflow_type = workflow_type
        self._clock = clock
        self.workers = workers
        self._workflow_id = workflow_id
        self._run_id = run_id
        self._middlewares = middlewares
        self._running: dict[concurrent.futures.Future, tuple[int, int]] = {}  # job -> scheduled, started ids
        self._beats: dict[int, tuple[str, LocalBeat]] = {}  # scheduled id -> activity id, its heartbeats
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    @property
    def running(self) -> list[concurrent.futures.Future]:
        """The jobs of the activities that have not been collected yet."""
        return list(self._running)

    def schedule(self, a: dict[str, Any], completed_id: int) -> None:
        """A ScheduleActivityTask decision (its attributes *a*): scheduled, started, run or handed to the pool."""
        scheduled = self._add("ActivityTaskScheduled", dict(a, decisionTaskCompletedEventId=completed_id))
        act = activity_registry.find(a["activityType"]["name"])
        # The context a worker gives (simpleflow.swf.worker), this host standing for the domain and task list.
        context = {
            "name": a["activityType"]["name"],
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
        if act is None:
            message = f"activity '{a['activityType']['name']}' is not declared in this process"
            job: Callable[[], Outcome] = lambda: failed(named_failure("ActivityNotDeclared", message))  # noqa: E731
        else:
            beat = LocalBeat(a.get("heartbeatTimeout"))
            self._beats[scheduled] = (a["activityId"], beat)
            run = lambda: run_activity(act, a.get("input"), context, self._middlewares, beat.send)  # noqa: E731
            job = lambda: observed_attempt(context, run, started_event_id=started, clock=self._clock)  # noqa: E731
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="simpleflow-activity")
        started = self._add("ActivityTaskStarted", {"scheduledEventId": scheduled, "identity": "local"})
        if self.workers == 1:
            # One worker: run it now, in order, as a single SWF worker would (and without a thread hop).
            done: concurrent.futures.Future = concurrent.futures.Future()
            done.set_result(job())
            self._running[done] = (scheduled, started)
        else:
            self._running[self._pool.submit(job)] = (scheduled, started)

    def collect(self, block: bool) -> None:
        """Append the results of the activities that ended (with *block*, wait for one first)."""
        if not self._running:
            return
        if block:
            done, _ = concurrent.futures.wait(self._running, return_when=concurrent.futures.FIRST_COMPLETED)
        else:
            done = [f for f in self._running if f.done()]
        for job in [f for f in self._running if f in done]:
            scheduled, started = self._running.pop(job)
            outcome: Outcome = job.result()
            ids = {"scheduledEventId": scheduled, "startedEventId": started}
            _, beat = self._beats.pop(scheduled, (None, None))
            if beat is not None and beat.timed_out():
                self._add("ActivityTaskTimedOut", dict(ids, timeoutType="HEARTBEAT", details=beat.details))
            elif _was_canceled(outcome):  # it let TaskCanceled out: RespondActivityTaskCanceled, as a worker does
                self._add("ActivityTaskCanceled", without_none(dict(ids, details=beat.details if beat else None)))
            elif outcome.completed:
                self._add("ActivityTaskCompleted", dict(ids, result=outcome.result))
            else:
                self._add("ActivityTaskFailed", dict(ids, reason=outcome.reason, details=outcome.details))

    def request_cancel(self, a: dict[str, Any], completed_id: int) -> None:
        """A RequestCancelActivityTask decision (its attributes *a*)."""
        running = [beat for activity_id, beat in self._beats.values() if activity_id == a["activityId"]]
        if not running:  # it closed already (activities here start as soon as they are scheduled)
            self._add(
                "RequestCancelActivityTaskFailed",
                {
                    "activityId": a["activityId"],
                    "cause": "ACTIVITY_ID_UNKNOWN",
                    "decisionTaskCompletedEventId": completed_id,
                },
            )
            return
        for beat in running:
            beat.request_cancel()  # its next heartbeat() raises TaskCanceled, as a worker's would
        self._add(
            "ActivityTaskCancelRequested", {"activityId": a["activityId"], "decisionTaskCompletedEventId": completed_id}
        )

    def shut_down(self) -> None:
        """Release the activity threads (activities not started are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _was_canceled(outcome: Outcome) -> bool:
    """The activity stopped on a cancellation: it let ``heartbeat()``'s TaskCanceled (or one of its own) out."""
    return outcome.status == FAILED and is_cancellation(format.loads(outcome.details))


def without_none(attrs: dict[str, Any]) -> dict[str, Any]:
    """*attrs* without the keys whose value is None (SWF leaves them out)."""
    return {k: v for k, v in attrs.items() if v is not None}
