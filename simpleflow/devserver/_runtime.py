"""What the dev server's parts share in one process: its lock, its clock, its held polls, its settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from simpleflow.devserver._clock import Clock
from simpleflow.devserver._polls import Waiters

POLL_WAIT = 60.0  # SWF holds an empty poll up to 60 s
PAGE_SIZE = 1000  # SWF's default (and largest) maximumPageSize


@dataclass(slots=True)
class Runtime:
    """The server's shared state.

    Args:
        poll_wait: how long an empty poll is held (seconds).
        page_size: the page size when a request gives none.
        timer_speed: how many times faster than written timers fire (tests run hour-long timers in seconds).
    """

    poll_wait: float = POLL_WAIT
    page_size: int = PAGE_SIZE
    timer_speed: float = 1.0
    # One SWF request at a time: moto's models take no lock, and SWF hands a task to one poller only.
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock: Clock = field(init=False)
    waiters: Waiters = field(init=False)

    def __post_init__(self) -> None:
        self.clock = Clock(self.lock)
        self.waiters = Waiters(self.lock)


_current: list[Runtime] = [Runtime()]


def current() -> Runtime:
    """The runtime of this process's dev server."""
    return _current[0]


def configure(runtime: Runtime) -> None:
    _current[0] = runtime
