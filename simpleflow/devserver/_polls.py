"""Long polls: a poll that finds no task waits until one is scheduled on its list, or its time is up.

SWF's API reference (PollForDecisionTask): "This action initiates a long poll, where the service holds the
HTTP connection open and responds as soon as a task becomes available. [...] If no decision task is
available in the specified task list before the timeout of 60 seconds expires, an empty result is
returned." PollForActivityTask reads the same. moto answers an empty poll after sleeping one second,
whatever is scheduled meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

Key = tuple[str, str, str]  # (kind: "decision" | "activity", domain, task list)


class Waiters:
    """The polls held now, by kind, domain and task list; woken when a task comes for them.

    The conditions share the server's lock: a held poll lets go of it while it waits.
    """

    def __init__(self, lock: Any) -> None:
        self._lock = lock
        self._held: dict[Key, list[Any]] = {}  # key -> [condition, polls waiting on it]

    def hold(self, key: Key, wait: float, take: Callable[[], T | None]) -> T | None:
        """``take()`` until it gives a task or *wait* seconds passed (the caller holds the lock)."""
        deadline = time.monotonic() + wait
        while True:
            task = take()
            remaining = deadline - time.monotonic()
            if task is not None or remaining <= 0:
                return task
            entry = self._held.setdefault(key, [threading.Condition(self._lock), 0])
            entry[1] += 1
            try:
                entry[0].wait(remaining)
            finally:
                entry[1] -= 1
                if not entry[1]:
                    del self._held[key]

    def wake(self, key: Key) -> None:
        """A task may be there for the polls of *key* (the caller holds the lock)."""
        entry = self._held.get(key)
        if entry is not None:
            entry[0].notify_all()
