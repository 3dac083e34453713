"""Activities and workflows the end-to-end tests run on the moto server (and on the local host).

Activities that must fail or stall a given number of times keep their attempt count in a
file under a directory the test passes in: worker children, retries and the two hosts then
see the same count. Timeouts are short so that a lost task comes back within seconds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from simpleflow import Workflow, activity, futures

TASK_LIST = "swf-e2e"
VERSION = "e2e"


def _attempt(workdir: str, name: str) -> int:
    """Count one more attempt of *name* in *workdir*; the attempt's number, from 1."""
    path = Path(workdir) / f"{name}.attempts"
    count = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(count))
    return count


def _write_pid_file(workdir: str, name: str) -> None:
    """``<name>.pid`` holds "pid ppid": the activity's own process and its worker's."""
    path = Path(workdir) / f"{name}.pid"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{os.getpid()} {os.getppid()}")
    tmp.replace(path)


@activity.with_attributes(name="tests.swf.square", task_list=TASK_LIST, version=VERSION)
def square(x: int) -> int:
    return x * x


@activity.with_attributes(name="tests.swf.flaky", task_list=TASK_LIST, version=VERSION, retry=3)
def flaky(workdir: str, failures: int, value: int) -> int:
    """Raises on its first *failures* attempts, then returns *value*."""
    attempt = _attempt(workdir, "flaky")
    if attempt <= failures:
        raise RuntimeError(f"flaky: attempt {attempt} of {failures + 1} fails")
    return value


@activity.with_attributes(
    name="tests.swf.doomed", task_list=TASK_LIST, version=VERSION, retry=1, raises_on_failure=True
)
def doomed(workdir: str) -> None:
    """Always raises; its failure, once retries are spent, fails the workflow."""
    raise RuntimeError(f"doomed: attempt {_attempt(workdir, 'doomed')} fails")


@activity.with_attributes(
    name="tests.swf.stall_once",
    task_list=TASK_LIST,
    version=VERSION,
    retry=2,
    heartbeat_timeout=2,
    start_to_close_timeout=60,
)
def stall_once(workdir: str, value: int) -> int:
    """First attempt: writes its pid file and hangs (the test kills it); later ones return *value*."""
    if _attempt(workdir, "stall_once") == 1:
        _write_pid_file(workdir, "stall_once")
        time.sleep(60)
        return -1
    return value


@activity.with_attributes(name="tests.swf.nap", task_list=TASK_LIST, version=VERSION, heartbeat_timeout=5)
def nap(workdir: str, seconds: float) -> str:
    """Writes its pid file, sleeps *seconds*, returns "rested" (a task in hand when the worker is stopped)."""
    _write_pid_file(workdir, "nap")
    time.sleep(seconds)
    return "rested"


class FanOutWorkflow(Workflow):
    """Squares of range(n), plus a task that fails *failures* times before it succeeds."""

    name = "tests.swf.fan_out"
    version = VERSION
    task_list = TASK_LIST
    execution_timeout = 120
    decision_tasks_timeout = 30

    def run(self, n: int, workdir: str, failures: int = 1) -> dict:
        squares = [self.submit(square, i) for i in range(n)]
        retried = self.submit(flaky, workdir, failures, 100)
        futures.wait(*squares, retried)
        return {"sum": sum(f.result for f in squares), "flaky": retried.result}


class RetryWorkflow(Workflow):
    """One flaky task, retried until it succeeds."""

    name = "tests.swf.retry"
    version = VERSION
    task_list = TASK_LIST
    execution_timeout = 120
    decision_tasks_timeout = 30

    def run(self, workdir: str, failures: int) -> int:
        return self.submit(flaky, workdir, failures, 42).result


class DoomedWorkflow(Workflow):
    """One task that never succeeds."""

    name = "tests.swf.doomed"
    version = VERSION
    task_list = TASK_LIST
    execution_timeout = 120
    decision_tasks_timeout = 30

    def run(self, workdir: str) -> None:
        return self.submit(doomed, workdir).result  # raises: the task failed


class StallWorkflow(Workflow):
    """One task whose first attempt hangs until the test kills it (or its worker)."""

    name = "tests.swf.stall"
    version = VERSION
    task_list = TASK_LIST
    execution_timeout = 120
    decision_tasks_timeout = 30

    def run(self, workdir: str) -> int:
        return self.submit(stall_once, workdir, 7).result


class WideWorkflow(Workflow):
    """More tasks at once than one SWF decision can schedule."""

    name = "tests.swf.wide"
    version = VERSION
    task_list = TASK_LIST
    execution_timeout = 120
    decision_tasks_timeout = 30

    def run(self, n: int) -> int:
        squares = [self.submit(square, i) for i in range(n)]
        futures.wait(*squares)
        return sum(f.result for f in squares)


class UndeclaredWorkflow(Workflow):
    """Submits an activity the worker never declared: it lives in a module only ``run`` imports
    (so the decider knows it), while the worker scans this module alone."""

    name = "tests.swf.undeclared"
    version = VERSION
    task_list = TASK_LIST
    execution_timeout = 120
    decision_tasks_timeout = 30

    def run(self) -> int:
        from tests.undeclared_activity_for_swf import ghost

        return self.submit(ghost).result


class NapWorkflow(Workflow):
    """One task that takes a while."""

    name = "tests.swf.nap"
    version = VERSION
    task_list = TASK_LIST
    execution_timeout = 120
    decision_tasks_timeout = 30

    def run(self, workdir: str, seconds: float) -> str:
        return self.submit(nap, workdir, seconds).result


class BrokenWorkflow(Workflow):
    """Its code raises while replaying, after a first task."""

    name = "tests.swf.broken"
    version = VERSION
    task_list = TASK_LIST
    execution_timeout = 120
    decision_tasks_timeout = 30

    def run(self) -> int:
        value = self.submit(square, 3).result
        return {}["no such key"] + value
