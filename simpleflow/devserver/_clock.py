"""The dev server's clock: one thread that calls what is due, on time.

moto looks for timeouts only when a request comes in and fires timers on a thread each. SWF enforces
timeouts and fires timers when they are due, whoever calls. Every deadline of the server (a timer, a
timeout of an activity, a decision task or an execution) is an entry here; the thread sleeps until
the earliest one and calls it under the server's lock, so it never runs beside a request. An entry that
raises is logged and the clock goes on: one execution's bad data must not stop every other one's.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(order=True, slots=True)
class Entry:
    """One deadline: *call* runs at *due* (unix time) unless cancelled."""

    due: float
    seq: int
    call: Callable[[], Any] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Clock:
    """Calls each entry once its time came, holding *lock* (the server's) meanwhile."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock
        self._heap: list[Entry] = []
        self._seq = itertools.count()
        self._changed = threading.Condition(threading.Lock())  # never held while *lock* is taken
        self._thread: threading.Thread | None = None
        self._stopped = False

    def call_at(self, due: float, call: Callable[[], Any]) -> Entry:
        """Run *call* at *due* (unix time); the entry can be cancelled."""
        entry = Entry(due, next(self._seq), call)
        with self._changed:
            heapq.heappush(self._heap, entry)
            if self._heap[0] is entry:
                self._changed.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="devserver-clock", daemon=True)
                self._thread.start()
        return entry

    def call_later(self, seconds: float, call: Callable[[], Any]) -> Entry:
        return self.call_at(time.time() + seconds, call)

    def run_due(self) -> None:
        """Run every entry due now (the caller holds the server's lock)."""
        while True:
            with self._changed:
                if not self._heap or self._heap[0].due > time.time():
                    return
                entry = heapq.heappop(self._heap)
            if entry.cancelled:
                continue
            try:
                entry.call()
            except Exception:
                logger.exception("simpleflow dev-server: a deadline due at %.3f failed (the clock goes on)", entry.due)

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._stopped:
                    while self._heap and self._heap[0].cancelled:
                        heapq.heappop(self._heap)
                    wait = self._heap[0].due - time.time() if self._heap else None
                    if wait is not None and wait <= 0:
                        break
                    self._changed.wait(wait)
                if self._stopped:
                    return
            with self._lock:
                self.run_due()
