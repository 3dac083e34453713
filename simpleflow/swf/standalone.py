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
from typing import Any, TextIO

from simpleflow import format, jumbo
from simpleflow.engine import RepairSource
from simpleflow.history import CLOSING_EVENTS, attributes
from simpleflow.runtime.middleware import NONE, Middlewares
from simpleflow.runtime.outcome import Outcome
from simpleflow.swf import client, poller, starter
from simpleflow.swf.decider import run_decider
from simpleflow.swf.process import run_child
from simpleflow.swf.worker import run_worker

STOP_GRACE_PERIOD = 10.0
# Polls kept in flight by each standalone process (see simpleflow.swf.poller.run_pollers): an endpoint that
# answers an empty poll only after a while (moto: 1 s) then costs ~1/(2*POLLERS) s per step. A worker
# process runs up to that many activities at once.
POLLERS = 16


def _closing_event(events: list[dict[str, Any]]) -> dict[str, Any]:
    return next((event for event in reversed(events) if event["eventType"] in CLOSING_EVENTS), events[-1])


def _count_tasks(events: list[dict[str, Any]]) -> tuple[int, int]:
    scheduled = done = 0
    for event in events:
        etype = event["eventType"]
        if etype == "ActivityTaskScheduled":
            scheduled += 1
        elif etype == "ActivityTaskCompleted":
            done += 1
    return done, scheduled


# Events that say a task did not succeed, and the attribute naming what went wrong.
_FAILURE_EVENTS = {
    "ActivityTaskFailed": "reason",
    "ActivityTaskTimedOut": "timeoutType",
    "ScheduleActivityTaskFailed": "cause",
    "ChildWorkflowExecutionFailed": "reason",
    "ChildWorkflowExecutionTimedOut": "timeoutType",
    "StartChildWorkflowExecutionFailed": "cause",
}


def task_failures(events: list[dict[str, Any]], after: int = 0) -> list[str]:
    """One line per task failure among *events* whose id is above *after*: the task id and why."""
    task_ids: dict[int, str] = {}
    lines = []
    for event in events:
        etype = event["eventType"]
        attrs = next((v for k, v in event.items() if k.endswith("EventAttributes")), {})
        if etype in ("ActivityTaskScheduled", "StartChildWorkflowExecutionInitiated"):
            task_ids[event["eventId"]] = attrs.get("activityId") or attrs.get("workflowId", "?")
        if etype not in _FAILURE_EVENTS or event["eventId"] <= after:
            continue
        task_id = (
            attrs.get("activityId")
            or task_ids.get(attrs.get("scheduledEventId") or attrs.get("initiatedEventId"))
            or (attrs.get("workflowExecution") or {}).get("workflowId")
            or attrs.get("workflowId")
            or "?"
        )
        why = jumbo.decode(attrs.get(_FAILURE_EVENTS[etype])) or ""
        if etype.endswith("TimedOut"):
            why = f"timed out ({why})"
        lines.append(f"task {task_id} {'failed' if 'Fail' in etype else 'did not finish'}: {why}".rstrip(": "))
    return lines


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
) -> Outcome:
    """Run one execution to its end with processes of our own; they are all stopped on any exit.

    *on_started* is called with ``{"workflowId", "runId"}`` once the execution is started;
    *middlewares* run around each activity; with *repair*, the activities the repaired execution
    completed are not run again (simpleflow.engine._repair). Workers scan *modules* for activities
    (default: the workflow's module).
    """
    # Checked before SWF or any process of ours sees them: one line, no child stopped as it starts.
    starter.check_durations(execution_timeout, decision_tasks_timeout)
    client.check_domain(domain)
    task_list = f"standalone-{uuid.uuid4().hex}"
    path = f"{workflow_class.__module__}.{workflow_class.__qualname__}"
    context = multiprocessing.get_context("fork")
    # Each child dies with this process, even a kill -9-ed one (process.run_child).
    me = os.getpid()
    bells = _Doorbells(nb_deciders, nb_workers)
    processes = [
        context.Process(
            target=run_child,
            args=(me, STOP_GRACE_PERIOD, bells.decider(i, run_decider), domain, task_list, [path], task_list),
            # One decider alone on its own list gets every task back anyway: no sticky list then.
            kwargs={"pollers": POLLERS, "repair": repair, "sticky_timeout": 0 if nb_deciders == 1 else None},
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
        return _wait(domain, execution, progress, timeout, processes)
    finally:
        _stop(processes)
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
    target(*args, **kwargs)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt()


def _wait(
    domain: str, execution: dict[str, str], progress: TextIO | None, timeout: float | None, processes: list[Any]
) -> Outcome:
    swf = client.swf_client()
    target = {"workflowId": execution["workflowId"], "runId": execution["runId"]}
    started = time.monotonic()
    last_report = last_look = 0.0
    reported = 0  # the last event whose failures were written to *progress*
    delay = 0.02
    while True:
        info = swf.describe_workflow_execution(domain=domain, execution=target)["executionInfo"]
        now = time.monotonic()
        if info["executionStatus"] == "CLOSED":
            break
        if timeout is not None and now - started > timeout:
            raise TimeoutError(f"execution {target['workflowId']} still open after {timeout:.0f}s")
        if not any(p.is_alive() for p in processes):
            raise RuntimeError("every decider and worker process died")
        if progress is not None and now - last_look >= 1.0:
            events = client.get_history(domain, **_ids(target))
            reported = _report_failures(progress, events, reported, now - started)
            last_look = now
            if now - last_report >= 2.0:
                done, scheduled = _count_tasks(events)
                progress.write(f"[{now - started:6.1f}s] {done}/{scheduled} tasks done\n")
                progress.flush()
                last_report = now
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)
    events = client.get_history(domain, **_ids(target))
    if progress is not None:
        _report_failures(progress, events, reported, time.monotonic() - started)
        done, scheduled = _count_tasks(events)
        progress.write(
            f"[{time.monotonic() - started:6.1f}s] {done}/{scheduled} tasks done, "
            f"{info.get('closeStatus', '').lower()}\n"
        )
    closing = _closing_event(events)
    attrs = attributes(closing)
    status = info.get("closeStatus", "UNKNOWN").lower()
    outcome = Outcome(status, workflow_id=target["workflowId"], run_id=target["runId"])
    if outcome.completed:
        outcome.result = format.loads(jumbo.decode(attrs.get("result")))
    else:
        outcome.reason = jumbo.decode(attrs.get("reason")) or attrs.get("cause")
        outcome.details = jumbo.decode(attrs.get("details"))
    return outcome


def _report_failures(progress: TextIO, events: list[dict[str, Any]], after: int, elapsed: float) -> int:
    for line in task_failures(events, after):
        progress.write(f"[{elapsed:6.1f}s] {line}\n")
    progress.flush()
    return events[-1]["eventId"] if events else after


def _ids(target: dict[str, str]) -> dict[str, str]:
    return {"workflow_id": target["workflowId"], "run_id": target["runId"]}


def _stop(processes: list[Any]) -> None:
    for process in processes:
        if process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_PERIOD
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
