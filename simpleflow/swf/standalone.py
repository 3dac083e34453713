"""``simpleflow standalone``: decider, workers and starter together, on a task list of their own."""

from __future__ import annotations

import functools
import multiprocessing
import os
import select
import signal
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from simpleflow import format, jumbo
from simpleflow.engine import RepairSource
from simpleflow.history import CLOSING_EVENTS, attributes, task_failures
from simpleflow.runtime.middleware import NONE, Middlewares
from simpleflow.runtime.outcome import Outcome, limit_reason
from simpleflow.swf import client, poller, starter
from simpleflow.swf.decider import run_decider
from simpleflow.swf.process import run_child, say_stopping
from simpleflow.swf.stats import epoch, timer_purpose
from simpleflow.swf.worker import run_worker

STOP_GRACE_PERIOD = 10.0
CLOSED_GRACE_PERIOD = 1.0  # once the execution closed (see run_standalone)
# Polls kept in flight by each standalone process (see simpleflow.swf.poller.PollLoop): on an endpoint that
# holds every empty poll a fixed time, a task then waits ~1/(2*POLLERS) of it for a poll. A worker process
# runs up to that many activities at once.
POLLERS = 16
# The task list of an execution standalone starts: its own, which only that standalone command polls.
TASK_LIST_PREFIX = "standalone-"


def _closing_event(events: list[dict[str, Any]]) -> dict[str, Any]:
    return next((event for event in reversed(events) if event["eventType"] in CLOSING_EVENTS), events[-1])


def _count_tasks(events: list[dict[str, Any]]) -> tuple[int, int]:
    """(done, scheduled): the activities and child workflows *events* started, by id (a task tried again
    counts once), and those of them whose last try completed."""
    started: dict[str, bool] = {}  # task id -> its last try completed
    activity_of: dict[int, str] = {}  # ActivityTaskScheduled event id -> activity id
    for event in events:
        etype = event["eventType"]
        if etype == "ActivityTaskScheduled":
            activity_of[event["eventId"]] = task = f"activity {attributes(event)['activityId']}"
            started[task] = False
        elif etype == "StartChildWorkflowExecutionInitiated":
            started[f"child {attributes(event)['workflowId']}"] = False
        elif etype == "ActivityTaskCompleted":
            task = activity_of.get(attributes(event)["scheduledEventId"])
            if task is not None:
                started[task] = True
        elif etype == "ChildWorkflowExecutionCompleted":
            started[f"child {attributes(event)['workflowExecution']['workflowId']}"] = True
    return sum(started.values()), len(started)


_WAKE_UP_TIMER = "_simpleflow_wake_up_timer"
_CLOSES = {  # event type -> the attribute naming the event that opened what it closes
    **{f"ActivityTask{end}": "scheduledEventId" for end in ("Completed", "Failed", "TimedOut", "Canceled")},
    **{f"ChildWorkflowExecution{end}": "initiatedEventId" for end in ("Completed", "Failed", "TimedOut", "Canceled")},
    "ChildWorkflowExecutionTerminated": "initiatedEventId",
    "StartChildWorkflowExecutionFailed": "initiatedEventId",
    "TimerFired": "startedEventId",
    "TimerCanceled": "startedEventId",
    "DecisionTaskCompleted": "scheduledEventId",
    "DecisionTaskTimedOut": "scheduledEventId",
}


def waiting_on(events: list[dict[str, Any]]) -> str:
    """What an open execution waits on, from its history: its timers (until when), its activities running or
    waiting for a worker, its children, a decision; with none of them open, a signal."""
    opened: dict[int, dict[str, Any]] = {}
    for event in events:
        etype = event["eventType"]
        if etype in ("ActivityTaskScheduled", "StartChildWorkflowExecutionInitiated", "TimerStarted"):
            opened[event["eventId"]] = event
        elif etype == "DecisionTaskScheduled":
            opened[event["eventId"]] = event
        elif etype == "ActivityTaskStarted":
            scheduled = opened.get(attributes(event).get("scheduledEventId"))
            if scheduled is not None:
                opened[scheduled["eventId"]] = {**scheduled, "started": True}
        elif etype in _CLOSES:
            opened.pop(attributes(event).get(_CLOSES[etype]), None)
    parts = []
    timers = [e for e in opened.values() if e["eventType"] == "TimerStarted"]
    for timer in timers:
        attrs = attributes(timer)
        if attrs.get("timerId") == _WAKE_UP_TIMER:
            continue
        fires = datetime.fromtimestamp(epoch(timer["eventTimestamp"]) + float(attrs.get("startToFireTimeout") or 0))
        what = timer_purpose(attrs.get("timerId", ""))
        started = datetime.fromtimestamp(epoch(timer["eventTimestamp"]))
        # The time of day alone while it fires the day it started, else the date too (a 24 h timer).
        parts.append(
            f"{what} at {fires:%H:%M:%S}" if fires.date() == started.date() else f"{what} at {fires:%Y-%m-%d %H:%M:%S}"
        )
    activities = [e for e in opened.values() if e["eventType"] == "ActivityTaskScheduled"]
    running = sum(1 for e in activities if e.get("started"))
    if running:
        parts.append(f"{running} running")
    if len(activities) > running:
        parts.append(f"{len(activities) - running} waiting for a worker")
    children = [e for e in opened.values() if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    parts += [f"child {attributes(e).get('workflowId')}" for e in children[:2]]
    if len(children) > 2:
        parts.append(f"{len(children) - 2} more children")
    if any(e["eventType"] == "DecisionTaskScheduled" for e in opened.values()):
        parts.append("a decision")
    return ", ".join(parts) or "a signal (no task, timer or child open)"


def run_standalone(
    domain: str,
    workflow_class: type,
    input: dict[str, Any],
    *,
    workflow_id: str | None = None,
    nb_workers: int = 1,
    nb_deciders: int = 1,
    heartbeat: float = 60,
    progress: TextIO | None = sys.stderr,
    timeout: float | None = None,
    execution_timeout: str | int | None = None,
    decision_tasks_timeout: str | int | None = None,
    tag_list: list[str] | None = None,
    on_started: Callable[[dict[str, str]], None] | None = None,
    middlewares: Middlewares = NONE,
    repair: RepairSource | None = None,
    modules: list[str] | None = None,
    children: list[str] | None = None,
) -> Outcome:
    """Run one execution to its end with processes of our own; they are all stopped on any exit.

    *on_started* is called with ``{"workflowId", "runId"}`` once the execution is started;
    *middlewares* run around each activity; with *repair*, the activities the repaired execution
    completed are not run again (simpleflow.engine._repair). Workers scan *modules* for activities
    (default: the workflow's module). The deciders also serve the workflow classes *children* names (class
    paths: a spec's child workflow nodes, whose classes a decider would not import by itself).
    """
    # Checked before SWF or any process of ours sees them: one line, no child stopped as it starts.
    starter.check_durations(execution_timeout, decision_tasks_timeout)
    client.check_domain(domain, to_start=True)
    task_list = f"{TASK_LIST_PREFIX}{uuid.uuid4().hex}"
    path = f"{workflow_class.__module__}.{workflow_class.__qualname__}"
    context = multiprocessing.get_context("fork")
    # Each child dies with this process, even a kill -9-ed one (process.run_child).
    me = os.getpid()
    bells = _Doorbells(nb_deciders, nb_workers)
    processes = [
        context.Process(
            target=run_child,
            args=(
                me,
                STOP_GRACE_PERIOD,
                bells.decider(i, run_decider),
                domain,
                task_list,
                [path, *(children or [])],
                task_list,
            ),
            # One decider alone on its own list gets every task back anyway: no sticky list then.
            # No other code comes to its task list: code that does not fit the history fails the execution.
            kwargs={
                "pollers": POLLERS,
                "repair": repair,
                "sticky_timeout": 0 if nb_deciders == 1 else None,
                "on_nondeterminism": "fail",
            },
            name=f"decider-{i}",
            daemon=True,
        )
        for i in range(nb_deciders)
    ]
    processes += [
        context.Process(
            target=run_child,
            args=(me, STOP_GRACE_PERIOD, bells.worker(i, run_worker), domain, task_list),
            kwargs={
                "modules": modules or [workflow_class.__module__],
                "heartbeat": heartbeat,
                "pollers": POLLERS,
                "middlewares": middlewares,
            },
            name=f"worker-{i}",
            daemon=True,
        )
        for i in range(nb_workers)
    ]
    previous = signal.getsignal(signal.SIGTERM)
    try:
        for process in processes:
            process.start()
        # Only now: children forked under this handler would raise KeyboardInterrupt wherever a stop finds them.
        signal.signal(signal.SIGTERM, _raise_interrupt)
        execution = starter.start_workflow(
            domain,
            workflow_class,
            input,
            workflow_id=workflow_id,
            task_list=task_list,
            execution_timeout=execution_timeout,
            tag_list=tag_list,
            decision_tasks_timeout=decision_tasks_timeout,
        )
        if on_started is not None:
            on_started(execution)
        outcome = _wait(domain, execution, progress, timeout, processes)
        # The execution closed: nothing more can come on its task list, so a poll SWF holds (up to 60 s)
        # is not waited for.
        _stop(processes, CLOSED_GRACE_PERIOD)
        return outcome
    except KeyboardInterrupt as stop:
        _stop_interrupted(processes, getattr(stop, "signum", signal.SIGINT))
        raise
    finally:
        _stop(processes, STOP_GRACE_PERIOD)
        bells.close()
        signal.signal(signal.SIGTERM, previous)


class _Doorbell:
    """One process's side of ``_Doorbells``: its own pipe to wait on, the other side's pipes to ring."""

    def __init__(self, own: int, others: list[int]) -> None:
        self._own = own
        self._others = others

    def ring(self) -> None:
        for fd in self._others:
            try:
                os.write(fd, b"!")
            except OSError:
                pass  # full: a ring already waits to be heard

    def wait(self, timeout: float) -> bool:
        if not select.select([self._own], [], [], timeout)[0]:
            return False
        try:
            os.read(self._own, 4096)  # every ring so far: one poll answers them
        except OSError:
            pass  # another thread of the process read them first
        return True


class _Doorbells:
    """A pipe per decider and worker process: a decider that answered a decision task rings the workers
    (an activity task is likely there now), a worker that answered an activity task rings the deciders
    (a decision task is). A rung process polls at once (``poller.doorbell``): on an endpoint that answers
    an empty poll only after a while (moto: 1 s), a chain's step then waits for no poll to start."""

    def __init__(self, nb_deciders: int, nb_workers: int) -> None:
        self._deciders = [self._pipe() for _ in range(nb_deciders)]
        self._workers = [self._pipe() for _ in range(nb_workers)]

    @staticmethod
    def _pipe() -> tuple[int, int]:
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        os.set_blocking(write_end, False)
        return read_end, write_end

    def decider(self, index: int, target: Callable[..., Any]) -> Callable[..., Any]:
        bell = _Doorbell(self._deciders[index][0], [w for _, w in self._workers])
        return functools.partial(_with_doorbell, bell, target)

    def worker(self, index: int, target: Callable[..., Any]) -> Callable[..., Any]:
        bell = _Doorbell(self._workers[index][0], [w for _, w in self._deciders])
        return functools.partial(_with_doorbell, bell, target)

    def close(self) -> None:
        for pipe in self._deciders + self._workers:
            for fd in pipe:
                os.close(fd)


def _with_doorbell(bell: _Doorbell, target: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    poller.doorbell = bell  # in this child process only
    # Stopped, the run is interrupted: the execution is left as it stands, so no activity starts and the polls
    # in flight (up to a minute) are not waited for; a decision task taken is answered (poller.keep).
    poller.drop_late_tasks = True
    # Ctrl-C reaches the whole process group: the parent stops its children itself, workers first (_stop_interrupted).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    target(*args, **kwargs)


class Interrupted(KeyboardInterrupt):
    """A stop signal (SIGTERM) interrupted ``run_standalone``; *signum* is the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


def latest_run(domain: str, execution: dict[str, str]) -> tuple[dict[str, str], Outcome | None]:
    """The last run of *execution* (``{"workflowId", "runId"}``: it, or the run it continued as, and so on), and
    how it closed (None while it is open)."""
    target = {"workflowId": execution["workflowId"], "runId": execution["runId"]}
    while True:
        info = client.swf_client().describe_workflow_execution(domain=domain, execution=target)["executionInfo"]
        if info["executionStatus"] != "CLOSED":
            return target, None
        following = _continued_in(domain, target) if info.get("closeStatus") == "CONTINUED_AS_NEW" else None
        if following is None:
            return target, _outcome(domain, target, info)
        target = {"workflowId": target["workflowId"], "runId": following}


def _wait(
    domain: str, execution: dict[str, str], progress: TextIO | None, timeout: float | None, processes: list[Any]
) -> Outcome:
    swf = client.swf_client()
    target = {"workflowId": execution["workflowId"], "runId": execution["runId"]}
    started = time.monotonic()
    last_report = last_look = 0.0
    last_line = ""
    reported = 0  # the last event whose failures were written to *progress*
    delay = 0.02
    while True:
        info = swf.describe_workflow_execution(domain=domain, execution=target)["executionInfo"]
        now = time.monotonic()
        if info["executionStatus"] == "CLOSED":
            following = _continued_in(domain, target) if info.get("closeStatus") == "CONTINUED_AS_NEW" else None
            if following is None:
                break
            # The execution goes on in its next run: its outcome is the last run's, as --local's is.
            target = {"workflowId": target["workflowId"], "runId": following}
            reported = 0
            if progress is not None:
                progress.write(f"[{now - started:6.1f}s] continued as new: run {following}\n")
            continue
        if timeout is not None and now - started > timeout:
            raise TimeoutError(f"execution {target['workflowId']} still open after {timeout:.0f}s")
        if not any(p.is_alive() for p in processes):
            raise RuntimeError("every decider and worker process died")
        if progress is not None and now - last_look >= 1.0:
            events = client.get_history(domain, **_ids(target))
            reported = _report_failures(progress, events, reported, now - started)
            last_look = now
            line = _progress_line(events)
            # Every 2 s while it changes, every 30 s while it stays (a long timer says so once in a while).
            if line is not None and now - last_report >= (2.0 if line != last_line else 30.0):
                progress.write(f"[{now - started:6.1f}s] {line}\n")
                progress.flush()
                last_report, last_line = now, line
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)
    outcome = _outcome(domain, target, info)
    if progress is not None:
        _report_failures(progress, outcome.events, reported, time.monotonic() - started)
        done, scheduled = _count_tasks(outcome.events)
        progress.write(f"[{time.monotonic() - started:6.1f}s] {done}/{scheduled} tasks done, {outcome.status}\n")
    return outcome


def _outcome(domain: str, target: dict[str, str], info: dict[str, Any]) -> Outcome:
    """The outcome of the closed run *target* (*info*: its description)."""
    events = client.get_history(domain, **_ids(target))
    closing = _closing_event(events)
    attrs = attributes(closing)
    status = info.get("closeStatus", "UNKNOWN").lower()
    outcome = Outcome(status, workflow_id=target["workflowId"], run_id=target["runId"], events=events)
    if outcome.completed:
        outcome.result = format.loads(jumbo.decode(attrs.get("result")))
    else:
        outcome.reason = jumbo.decode(attrs.get("reason")) or limit_reason(attrs.get("cause")) or attrs.get("cause")
        outcome.details = jumbo.decode(attrs.get("details"))
    return outcome


def _progress_line(events: list[dict[str, Any]]) -> str | None:
    """What an open execution's progress line says; None once *events* close it: it closed after the
    describe that found it open (a workflow that fails at its first decision), and the closing line says how."""
    if events and events[-1]["eventType"] in CLOSING_EVENTS:
        return None
    done, scheduled = _count_tasks(events)
    return f"{done}/{scheduled} tasks done; waiting on: {waiting_on(events)}"


def _continued_in(domain: str, target: dict[str, str]) -> str | None:
    """The run id of the run that continues *target* (closed as CONTINUED_AS_NEW)."""
    closing = _closing_event(client.get_history(domain, **_ids(target)))
    return attributes(closing).get("newExecutionRunId")


def _report_failures(progress: TextIO, events: list[dict[str, Any]], after: int, elapsed: float) -> int:
    for failure in task_failures(events, after, decode=jumbo.decode):
        progress.write(f"[{elapsed:6.1f}s] {failure.line}\n")
    progress.flush()
    return events[-1]["eventId"] if events else after


def _ids(target: dict[str, str]) -> dict[str, str]:
    return {"workflow_id": target["workflowId"], "run_id": target["runId"]}


def _stop_interrupted(processes: list[Any], signum: int) -> None:
    """Stop the processes of an interrupted run, saying so at once: the workers first (each finishes its activity
    in hand), then the deciders, which meanwhile answer the decision tasks those answers bring (taken and left
    unanswered, one would hold the execution until its timeout). A second stop signal kills them at once."""

    def kill_now(signum: int, frame: Any) -> None:
        for child in processes:
            if child.is_alive():
                child.kill()

    handlers = {s: signal.signal(s, kill_now) for s in (signal.SIGINT, signal.SIGTERM)}  # before the line says so
    try:
        workers = [p for p in processes if p.name.startswith("worker") and p.is_alive()]
        what = f"for the activities in hand (up to {STOP_GRACE_PERIOD:g} s)" if workers else "for the decisions in hand"
        say_stopping(signum, what)
        _stop(workers, STOP_GRACE_PERIOD)
        _stop([p for p in processes if not p.name.startswith("worker")], CLOSED_GRACE_PERIOD)
    finally:
        for s, handler in handlers.items():
            signal.signal(s, handler)


def _stop(processes: list[Any], grace: float) -> None:
    for process in processes:
        if process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
