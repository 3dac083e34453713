"""Heartbeats from inside a running activity: progress out (``heartbeat``), progress back (``last_heartbeat_details``).

The host running the activity (the SWF worker's child, the local host's thread) installs a ``Beat`` for the
call with ``beating``; ``heartbeat`` sends through it. When an attempt times out, SWF's ActivityTaskTimedOut
carries the details of its last heartbeat: the engine hands them to the next attempt in its task input
(``HEARTBEAT_DETAILS_KEY``, stripped before the activity is called) and ``last_heartbeat_details`` reads them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from simpleflow import format
from simpleflow.exceptions import TaskCanceled

__all__ = ["HEARTBEAT_DETAILS_KEY", "Beat", "beating", "heartbeat", "last_heartbeat_details"]

# The task input's key for the previous attempt's last heartbeat details (absent on a first attempt, so an
# input without it is what simpleflow 0.36 reads and writes).
HEARTBEAT_DETAILS_KEY = "__last_heartbeat_details"


@dataclass
class Beat:
    """How the running activity heartbeats.

    Attributes:
        send: records a heartbeat with these details (JSON text or None); returns True when the task's
            cancellation was requested.
        last_details: the previous attempt's last heartbeat details, decoded (None: there are none).
    """

    send: Callable[[str | None], bool]
    last_details: Any = None


_current = threading.local()


@contextlib.contextmanager
def beating(beat: Beat) -> Iterator[None]:
    """Make *beat* the running activity's for this thread while the block runs."""
    previous = getattr(_current, "beat", None)
    _current.beat = beat
    try:
        yield
    finally:
        _current.beat = previous


def heartbeat(details: Any = None) -> None:
    """Tell SWF the activity is alive, with *details* (any JSON value: the progress to resume from).

    Over SWF's 2,048 characters the details go to S3 as a jumbo field (SIMPLEFLOW_JUMBO_FIELDS_BUCKET).
    Outside a running activity (a plain call in a test) it does nothing.

    Raises:
        TaskCanceled: the task's cancellation was requested; the activity should stop (and may re-raise).
    """
    beat = getattr(_current, "beat", None)
    if beat is None:
        return
    if beat.send(None if details is None else format.dumps(details)):
        raise TaskCanceled("cancellation requested")


def last_heartbeat_details() -> Any:
    """The details of the last heartbeat of the previous attempt, which timed out; None on a first attempt."""
    beat = getattr(_current, "beat", None)
    return None if beat is None else beat.last_details
