"""What every polling loop shares: backoff after empty polls, stopping on SIGTERM.

SWF holds a poll up to 60 s when there is no task; the moto server answers at
once, so an empty poll is followed by a short, growing pause: the loop never
spins the CPU and a new task still waits at most ``Backoff.maximum``.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


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
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
