"""The activity process: a forked child that runs tasks one after another, orders in and answers out as JSON lines.

A worker forks one such process per poller and hands it task after task over a pipe, instead of forking
for every task: a fork, the copy-on-write faults of a fresh child and its teardown cost more CPU than a
short activity. A process is replaced when it dies (a crash, ``kill -9``: only the task it held fails),
when the worker kills it (an activity timeout, a cancel), after ``tasks_per_child`` tasks
(``SIMPLEFLOW_WORKER_TASKS_PER_CHILD``; 1 is simpleflow 0.36's one process per task) or once its resident
memory is over ``max_memory`` bytes (``SIMPLEFLOW_WORKER_CHILD_MAX_MEMORY``). Module state an activity
leaves behind is seen by the next tasks of the same process, and by no other.

Between the two sides only JSON travels: ``{"progress": ...}`` lines while a task runs (its heartbeats),
then one ``{"answer": {...}, "retire": bool}`` line. A process gets SIGKILL when its worker dies.
"""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from simpleflow import telemetry
from simpleflow.swf.process import die_with_parent

__all__ = ["ActivityProcess", "ActivityProcesses", "Perform", "run_order"]

# perform(order, progress) -> answer, run in the child; progress(message) sends a progress line.
Perform = Callable[[dict[str, Any], Callable[[Any], None]], dict[str, Any]]

# Without a pidfd (not Linux), how often a process's exit is checked.
_NO_PIDFD_TICK = 0.05
# How long an idle process has to leave once told to (its order pipe closed), before SIGKILL.
CLOSE_GRACE = 1.0


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_line(fd: int, message: Any) -> None:
    _write_all(fd, (json.dumps(message) + "\n").encode("utf-8", errors="replace"))


def _resident_bytes() -> int:
    """This process's resident memory (Linux), else 0."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _child_main(
    orders: int, replies: int, parent_pid: int, perform: Perform, tasks_per_child: int, max_memory: int
) -> None:
    """The child's loop: one order line in, progress lines and one answer line out, until told to stop."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Ctrl-C reaches the whole process group: the worker stops gracefully and the task in hand finishes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # If the worker is SIGKILLed, its activity must not live on as an orphan.
    die_with_parent(parent_pid)
    reader = os.fdopen(orders, "rb")
    done = 0
    for line in reader:  # EOF: the worker has no more work for this process
        order = json.loads(line)
        answer = perform(order, lambda message: _write_line(replies, {"progress": message}))
        done += 1
        retire = (tasks_per_child > 0 and done >= tasks_per_child) or (
            max_memory > 0 and _resident_bytes() > max_memory
        )
        _flush_stdio()
        _write_line(replies, {"answer": answer, "retire": retire})
        if retire:
            break
    telemetry.flush()  # the spans the activities made here: the process leaves without running atexit


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return None


class ActivityProcess:
    """The worker's handle on one activity process: its pid, its two pipes, how it ended."""

    def __init__(self, pid: int, orders: int, replies: int) -> None:
        self.pid = pid
        self.orders = orders
        self.replies = replies
        self.pidfd = _pidfd(pid)
        os.set_blocking(replies, False)
        self.lines = bytearray()
        self.exit_code: int | None = None  # set once reaped; negative for a signal
        self.retiring = False
        self.tasks = 0

    def fds(self) -> list[int]:
        return [fd for fd in (self.orders, self.replies, self.pidfd) if fd is not None and fd >= 0]

    def reap(self, block: bool = False) -> bool:
        """Whether the process has exited (reaped now or before)."""
        if self.exit_code is not None:
            return True
        try:
            done, raw = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere
            self.exit_code = 0
            return True
        if not done:
            return False
        self.exit_code = os.waitstatus_to_exitcode(raw)
        return True

    def kill(self) -> None:
        if self.exit_code is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.reap(block=True)

    def send(self, order: dict[str, Any]) -> bool:
        """Hand the process an order; False when it is gone."""
        try:
            _write_line(self.orders, order)
        except OSError:  # BrokenPipeError: it died while idle
            return False
        return True

    def wait(
        self, period: float | None, on_period: Callable[[], bool], on_progress: Callable[[Any], None]
    ) -> tuple[str, Any]:
        """Wait for the answer to the order sent, calling *on_progress* with each progress message and
        *on_period* every *period* seconds (False: kill the process). Returns (outcome, value):

        ('answer', dict) | ('died', exit code, negative for a signal) | ('stopped', None).
        """
        next_tick = time.monotonic() + period if period else None
        while True:
            timeout = None if next_tick is None else max(0.0, next_tick - time.monotonic())
            fds = [self.replies]
            if self.pidfd is not None:
                fds.append(self.pidfd)
            else:
                timeout = _NO_PIDFD_TICK if timeout is None else min(timeout, _NO_PIDFD_TICK)
            ready = select.select(fds, [], [], timeout)[0]
            if self.replies in ready or self.pidfd in ready or self.pidfd is None:
                exited = self.reap()
                answer = self._read(on_progress, drain=exited)
                if answer is not None:
                    self.tasks += 1
                    self.retiring = bool(answer.get("retire")) or exited
                    return "answer", answer.get("answer")
                if exited:
                    return "died", self.exit_code
            if next_tick is not None and time.monotonic() >= next_tick:
                if not on_period():
                    self.kill()
                    return "stopped", None
                next_tick = time.monotonic() + period  # type: ignore[operator]

    def _read(self, on_progress: Callable[[Any], None], drain: bool) -> dict[str, Any] | None:
        """Read what is there; the answer once its line is complete, progress messages handed on."""
        try:
            while chunk := os.read(self.replies, 1 << 16):
                self.lines += chunk
                if not drain:
                    break
        except BlockingIOError:
            pass
        while (end := self.lines.find(b"\n")) >= 0:
            line = bytes(self.lines[:end])
            del self.lines[: end + 1]
            try:
                message = json.loads(line.decode("utf-8"))
            except ValueError:
                continue  # not from our side of the pipe: a grandchild's stray write
            if not isinstance(message, dict):
                continue
            if "answer" in message:
                return message
            if "progress" in message:
                on_progress(message["progress"])
        return None

    def close(self, grace: float = CLOSE_GRACE) -> None:
        """Let an idle process go: it leaves when its order pipe closes; SIGKILL after *grace* seconds."""
        for fd in (self.orders, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
        self.orders = self.replies = -1
        deadline = time.monotonic() + grace
        while not self.reap():
            if time.monotonic() >= deadline:
                self.kill()
                break
            time.sleep(0.01)
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


class _Forker:
    """Forks from one long-lived thread. A child's parent-death signal fires when the *thread* that forked it
    ends, and pollers run on short-lived threads: a process forked by one would be killed with it."""

    def __init__(self) -> None:
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def fork(self, child: Callable[[], None]) -> int:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="activity-forker", daemon=True)
                self._thread.start()
        answer: list[Any] = []
        done = threading.Event()
        self._requests.put((child, answer, done))
        done.wait()
        if isinstance(answer[0], BaseException):
            raise answer[0]
        return answer[0]

    def _loop(self) -> None:
        while True:
            request = self._requests.get()
            if request is None:
                return
            child, answer, done = request
            try:
                answer.append(_fork(child))
            except BaseException as error:  # noqa: B036 - handed to the thread that asked
                answer.append(error)
            done.set()

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._requests.put(None)
                self._thread.join()
                self._thread = None


def _fork(child: Callable[[], None]) -> int:
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            child()
            status = 0
        finally:
            _flush_stdio()
            os._exit(status)
    return pid


class ActivityProcesses:
    """The idle activity processes of one worker process, handed to its pollers' tasks one at a time.

    With ``tasks_per_child`` 1 every task gets a process of its own, forked for it (simpleflow 0.36's model).
    """

    def __init__(
        self, perform: Perform, tasks_per_child: int = 1, max_memory: int = 0, *, own_thread: bool = True
    ) -> None:
        self.perform = perform
        self.tasks_per_child = tasks_per_child
        self.max_memory = max_memory
        self._forker = _Forker() if own_thread else None
        self._idle: list[ActivityProcess] = []
        self._all: set[ActivityProcess] = set()
        self._lock = threading.Lock()
        self._closed = False

    def _spawn(self) -> ActivityProcess:
        order_read, order_write = os.pipe()
        reply_read, reply_write = os.pipe()
        parent_pid = os.getpid()
        with self._lock:
            siblings = [fd for process in self._all for fd in process.fds()]

        def child() -> None:
            for fd in (order_write, reply_read, *siblings):  # an EOF on a sibling's orders must reach it
                try:
                    os.close(fd)
                except OSError:
                    pass
            _child_main(order_read, reply_write, parent_pid, self.perform, self.tasks_per_child, self.max_memory)

        try:
            pid = self._forker.fork(child) if self._forker is not None else _fork(child)
        finally:
            os.close(order_read)
            os.close(reply_write)
        process = ActivityProcess(pid, order_write, reply_read)
        with self._lock:
            self._all.add(process)
        return process

    def take(self) -> ActivityProcess:
        """An idle process still alive, else a new one."""
        while True:
            with self._lock:
                process = self._idle.pop() if self._idle else None
            if process is None:
                return self._spawn()
            if not process.reap():
                return process
            self._discard(process)

    def give_back(self, process: ActivityProcess) -> None:
        """After a task: kept for the next one, unless it is done with (retiring, dead, or the pool closed)."""
        with self._lock:
            keep = not self._closed and not process.retiring and process.exit_code is None
            if keep:
                self._idle.append(process)
        if not keep:
            self._discard(process)

    def _discard(self, process: ActivityProcess) -> None:
        if process.retiring:
            process.reap(block=True)  # it leaves right after its last answer
        process.close()
        with self._lock:
            self._all.discard(process)

    def close(self) -> None:
        """Let every idle process go; a process busy with a task goes once the task is answered."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for process in idle:
            self._discard(process)
        if self._forker is not None:
            self._forker.stop()


def run_order(
    processes: ActivityProcesses,
    order: dict[str, Any],
    period: float | None,
    on_period: Callable[[], bool],
    on_progress: Callable[[Any], None],
) -> tuple[str, Any]:
    """Run *order* in one of *processes* (see ``ActivityProcess.wait`` for the outcome and callbacks)."""
    process = processes.take()
    if not process.send(order):  # it died while idle, just now: a fresh one takes the order
        process.kill()
        processes.give_back(process)
        process = processes.take()
        if not process.send(order):
            process.kill()
            processes.give_back(process)
            return "died", process.exit_code
    try:
        outcome, value = process.wait(period, on_period, on_progress)
    except BaseException:
        process.kill()
        raise
    finally:
        processes.give_back(process)
    return outcome, value
