"""What every polling loop shares: backoff after empty polls, stopping on SIGTERM.

SWF holds a poll up to 60 s when there is no task (the client's 70 s read
timeout outlasts it); stock moto sleeps 1 s and the test suite's server holds
it only briefly, so an empty poll is followed by a short, growing pause: the
loop never spins the CPU and a new task still waits at most ``Backoff.maximum``.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


class Backoff:
    """Pauses after empty polls: ``minimum`` doubling up to ``maximum`` seconds."""

    def __init__(self, minimum: float = 0.01, maximum: float = 0.25) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self._current = minimum

    def next(self) -> float:
        delay = self._current
        self._current = min(self._current * 2, self.maximum)
        return delay

    def reset(self) -> None:
        self._current = self.minimum


def stop_on_signals(stop: threading.Event) -> None:
    """Set *stop* on SIGTERM/SIGINT, so the task in hand finishes before the loop ends (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: Any) -> None:
        # Event.set takes a lock the interrupted main thread may hold (inside stop.wait): set it
        # from another thread instead of deadlocking here.
        threading.Thread(target=stop.set, daemon=True).start()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


# Set in each of its processes by a host whose processes hand each other their tasks (``standalone``):
# ``ring()`` after a poll handled a task (the other side may have one now), ``wait(timeout)`` True once
# rung. A ring starts a poll at once, beside the metronome's: on an endpoint that answers an empty poll
# only after a while (moto: 1 s), the task then waits for no metronome tick.
doorbell: Any = None


def _answer_rings(bell: Any, one: Callable[..., None], count: int, stop: threading.Event) -> None:
    """Start a poll each time *bell* rings (at most *count* of them in flight), until *stop*; then wait
    for those still running (a task in hand is handled)."""
    slots = threading.Semaphore(count)
    running: list[threading.Thread] = []
    while not stop.is_set():
        if bell.wait(0.2) and not stop.is_set() and slots.acquire(blocking=False):
            thread = threading.Thread(target=one, args=(slots,), name="poller", daemon=True)
            thread.start()
            running[:] = [t for t in running if t.is_alive()] + [thread]
    for thread in running:
        thread.join()


def run_pollers(poll_and_handle: Callable[[], bool], count: int, stop: threading.Event, cycle: float = 1.0) -> None:
    """Keep up to *count* polls in flight, their starts evenly spaced, until *stop* is set.

    A task that comes while every poll is in flight waits for the next one to start: on an
    endpoint that holds an empty poll for *cycle* seconds (the moto server: 1 s) that is up to a
    whole cycle with one poller, and about ``cycle / (2 * count)`` with polls started one every
    ``cycle / count`` seconds. Pollers left to themselves drift into step with each other (each
    task shifts the phase of the one that took it), so a metronome starts them instead. Each
    poll runs ``poll_and_handle`` (False: no task) on a thread of its own; a task in hand is
    always handled, even after *stop*.
    """
    slots = threading.Semaphore(count)
    spacing = cycle / count
    running: list[threading.Thread] = []
    bell = doorbell  # see ``doorbell``

    def one(slots: threading.Semaphore = slots) -> None:
        try:
            if poll_and_handle() and bell is not None:
                bell.ring()
        except Exception:
            logger.exception("poll failed")
            stop.wait(1.0)  # holds the slot: a failing endpoint is polled at most `count` times a second
        finally:
            slots.release()

    if bell is not None:
        answering = threading.Thread(target=_answer_rings, args=(bell, one, count, stop), name="doorbell", daemon=True)
        answering.start()
        running.append(answering)
    while not stop.is_set():
        if not slots.acquire(timeout=0.2):
            continue
        thread = threading.Thread(target=one, name="poller", daemon=True)
        thread.start()
        running[:] = [t for t in running if t.is_alive()] + [thread]
        stop.wait(spacing)
    for thread in running:
        while thread.is_alive():
            thread.join(0.2)
