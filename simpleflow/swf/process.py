"""A small process supervisor: N children run one target, a crashed one is restarted.

SIGTERM or SIGINT on the supervisor is forwarded to the children as SIGTERM; they get a grace
period to finish what they hold, then SIGKILL. Deciders and activity workers run under it.
Children die with their supervisor, even a ``kill -9``-ed one (``die_with_parent``): an orphan
would go on taking tasks with the code of a previous deploy.

In the process a user started (``attended``: decider.start, worker.start), the first SIGTERM or
SIGINT also says on stderr, in one line, what the stop waits for, and a second one quits at once
(``quit_now``).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from simpleflow.exceptions import ChildrenKeepDying

__all__ = [
    "DEFAULT_GRACE_PERIOD",
    "attended",
    "die_with_parent",
    "exit_on_sigterm",
    "is_attended",
    "quit_now",
    "run_child",
    "say_stopping",
    "supervise",
]

log = logging.getLogger(__name__)

DEFAULT_GRACE_PERIOD = 60.0
# A child that dies sooner than this after its start is restarted only after RESTART_DELAY, doubled at each
# such death in a row, so a target that crashes at once does not turn the supervisor into a fork loop; after
# QUICK_DEATHS of them in a row the supervisor stops the other children and gives up (ChildrenKeepDying).
QUICK_DEATH = 5.0
RESTART_DELAY = 1.0
QUICK_DEATHS = 5
_TICK = 0.2
# How often a child without a parent-death signal (not Linux) checks its parent is alive.
PARENT_CHECK = 0.5
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
_attended = False  # see attended()


@contextlib.contextmanager
def attended() -> Iterator[None]:
    """Within the block, this process is the one a user started (not a child it forks: ``run_child`` clears it).

    A stop there is said on stderr as it begins (it may wait up to a minute for a long poll), and a
    second SIGTERM or SIGINT quits at once.
    """
    global _attended
    previous, _attended = _attended, True
    try:
        yield
    finally:
        _attended = previous


def is_attended() -> bool:
    """Whether this process is the one a user started (``attended``)."""
    return _attended


def _say(line: str) -> None:
    # os.write: called from signal handlers, which may interrupt a write to sys.stderr (a reentrant call).
    try:
        os.write(2, f"simpleflow: {line}\n".encode())
    except OSError:
        pass


def say_stopping(signum: int, waits_for: str) -> None:
    """The one line an attended process says when a stop begins: what it waits for, and how not to."""
    again = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    _say(f"stopping: waiting {waits_for} ({again} again to quit now)")


def quit_now(signum: int) -> None:
    """A second stop in an attended process: leave at once, with status 128 + *signum* (130 for Ctrl-C).

    The polls in flight and the tasks in hand are dropped: SWF hands such a task out again once its
    timeout ends (a decision task's start-to-close, an activity task's start-to-close or heartbeat
    timeout). ``os._exit``: the way out of a graceful stop passes ``finally`` blocks that wait for them.
    """
    _say("quitting now: a task SWF handed to a poll in flight, or one in hand, comes back once its timeout ends")
    os._exit(128 + signum)


def _exit_cleanly(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def exit_on_sigterm() -> None:
    """Until a graceful handler replaces it, SIGTERM exits at once, cleanly (status 0, finally blocks run)."""
    signal.signal(signal.SIGTERM, _exit_cleanly)


@contextlib.contextmanager
def _stop_signals_held() -> Iterator[None]:
    """SIGTERM and SIGINT wait (blocked) within the block: fork a child in it.

    A forked child starts with its parent's handlers, which would take a stop meant for the child
    (the supervisor's sends it as soon as it forked). Blocked, the stop waits until ``run_child``
    has put the child's own handlers in place and unblocks it.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _parent_death_signal(signum: int) -> bool:
    """Ask Linux to send *signum* to this process when its parent dies; whether it could."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int, signum: int = signal.SIGKILL, grace_period: float | None = None) -> None:
    """Make this forked process get *signum* when *parent_pid*, its parent, dies (even by SIGKILL).

    On Linux the kernel sends it (PR_SET_PDEATHSIG, through ctypes; it fires when the parent's
    forking thread ends, so fork from a thread that outlives the child). Elsewhere a daemon
    thread checks every ``PARENT_CHECK`` seconds that the parent is still there. With
    *grace_period*, a process still alive that long after its parent died is killed (SIGKILL):
    a graceful stop that hangs must not leave an orphan either.
    """
    signalled = _parent_death_signal(signum)
    if os.getppid() != parent_pid:  # the parent died before the kernel could be asked
        os.kill(os.getpid(), signum)
    if signalled and grace_period is None:
        return
    watch = threading.Thread(
        target=_watch_parent, args=(parent_pid, signum, grace_period, signalled), name="parent-watch", daemon=True
    )
    watch.start()


def _watch_parent(parent_pid: int, signum: int, grace_period: float | None, signalled: bool) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK)
    if not signalled:
        os.kill(os.getpid(), signum)
    if grace_period is not None:
        time.sleep(grace_period)
        log.warning("parent %s died %ss ago and this process is still running: killing it", parent_pid, grace_period)
        os.kill(os.getpid(), signal.SIGKILL)


def run_child(parent_pid: int, grace_period: float, target: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """The body of a long-running forked child (a decider, a worker): ``target(*args, **kwargs)``.

    It stops cleanly on SIGTERM from its first instant (the target then installs its graceful
    handler, which finishes the task in hand), and gets SIGTERM when its parent dies, then
    SIGKILL *grace_period* seconds later if it is still there.
    """
    global _attended
    _attended = False  # its parent says what a stop waits for
    exit_on_sigterm()  # the parent's handlers would swallow SIGTERM
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if hasattr(signal, "pthread_sigmask"):  # a stop sent while it was forked (_stop_signals_held) lands now
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    die_with_parent(parent_pid, signal.SIGTERM, grace_period)
    try:
        target(*args, **kwargs)
    except Exception as err:  # one line (its traceback with DEBUG): the supervisor says it restarts the child
        if log.isEnabledFor(logging.DEBUG):
            log.exception("child pid=%s failed", os.getpid())
        else:
            from simpleflow.runtime.loader import first_line

            _say(f"child pid={os.getpid()} failed: {type(err).__name__}: {first_line(str(err))}")
        raise SystemExit(1) from None
    finally:
        from simpleflow import telemetry

        telemetry.flush()  # a forked child leaves without running atexit: its last spans would be lost


class _Slot:
    def __init__(self, index: int) -> None:
        self.index = index
        self.process: Any = None
        self.started_at = 0.0
        self.restart_at: float | None = None
        self.done = False
        self.quick_deaths = 0  # in a row


def _restart_at(slot: _Slot, now: float, name: str, pid: int, exitcode: int | None) -> float:
    """When to start *slot*'s child again, now it died; raises ChildrenKeepDying after QUICK_DEATHS in a row."""
    quick = now - slot.started_at < QUICK_DEATH
    slot.quick_deaths = slot.quick_deaths + 1 if quick else 0
    if slot.quick_deaths >= QUICK_DEATHS:
        raise ChildrenKeepDying(
            f"{name}: a child died within {QUICK_DEATH:g} s of its start {slot.quick_deaths} times in a row "
            f"(last exit code {exitcode}): giving up"
        )
    delay = RESTART_DELAY * 2 ** (slot.quick_deaths - 1) if quick else 0.0
    log.warning("%s: child pid=%s died (exit code %s), restarting it in %gs", name, pid, exitcode, delay)
    return now + delay


def supervise(
    target: Callable[..., Any],
    args: Sequence[Any] = (),
    nb_processes: int = 1,
    name: str = "simpleflow",
    *,
    grace_period: float = DEFAULT_GRACE_PERIOD,
    stop_event: threading.Event | None = None,
) -> None:
    """Run ``target(*args)`` in *nb_processes* forked children until told to stop.

    A child that dies with a non-zero status or a signal is restarted; one that exits 0 has
    finished on purpose and is not. One that dies at its start QUICK_DEATHS times in a row stops the
    others, and this raises ``ChildrenKeepDying``. Returns when every child has exited 0, or after a
    SIGTERM/SIGINT (or *stop_event*) once the children have stopped: they get SIGTERM, then
    SIGKILL after *grace_period* seconds.
    """
    if nb_processes < 1:
        raise ValueError(f"nb_processes must be at least 1, not {nb_processes}")
    context = multiprocessing.get_context("fork")
    stopping = threading.Event()

    slots = [_Slot(i) for i in range(nb_processes)]

    def on_signal(signum: int, frame: Any) -> None:
        log.info("%s: got %s, stopping children", name, signal.Signals(signum).name)
        if _attended and stopping.is_set():
            _kill([slot.process for slot in slots if slot.process is not None])
            quit_now(signum)
        if _attended:
            started = sum(1 for slot in slots if slot.process is not None)
            waits_for = f"up to {grace_period:g} s for the polls in flight and tasks in hand of {started} processes"
            say_stopping(signum, waits_for)
        stopping.set()

    saved: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            saved[signum] = signal.signal(signum, on_signal)

    def stopped() -> bool:
        return stopping.is_set() or (stop_event is not None and stop_event.is_set())

    def start(slot: _Slot) -> None:
        slot.process = context.Process(
            target=run_child, args=(os.getpid(), grace_period, target, *args), name=f"{name}-{slot.index}"
        )
        with _stop_signals_held():
            slot.process.start()
        slot.started_at = time.monotonic()
        slot.restart_at = None
        log.info("%s: started child pid=%s", name, slot.process.pid)

    try:
        for slot in slots:
            if stopped():  # asked while the children start: start no more, stop those started (below)
                break
            start(slot)
        while not stopped():
            alive = [s.process.sentinel for s in slots if s.process is not None]
            if alive:
                multiprocessing.connection.wait(alive, timeout=_TICK)
            else:
                time.sleep(_TICK)
            now = time.monotonic()
            for slot in slots:
                proc = slot.process
                if proc is not None and not proc.is_alive():
                    proc.join()
                    slot.process = None
                    if proc.exitcode == 0:
                        slot.done = True
                        log.info("%s: child pid=%s finished", name, proc.pid)
                        continue
                    try:
                        slot.restart_at = _restart_at(slot, now, name, proc.pid, proc.exitcode)
                    except ChildrenKeepDying:
                        _stop(slots, name, grace_period)
                        raise
                if slot.process is None and not slot.done and slot.restart_at is not None and now >= slot.restart_at:
                    start(slot)
            if all(slot.done for slot in slots):
                return
        _stop(slots, name, grace_period)
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def _kill(procs: list[Any]) -> None:
    for proc in procs:
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):  # gone, or not started yet (no pid)
            pass


def _stop(slots: list[_Slot], name: str, grace_period: float) -> None:
    procs = [slot.process for slot in slots if slot.process is not None and slot.process.is_alive()]
    for proc in procs:
        try:
            os.kill(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace_period
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
    for proc in procs:
        if proc.is_alive():
            log.warning("%s: child pid=%s still running after %ss, killing it", name, proc.pid, grace_period)
            proc.kill()
            proc.join()
