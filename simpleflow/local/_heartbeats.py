"""The local host's side of an activity's heartbeats: their details, a cancel request, a heartbeat timeout.

No worker beats for a local activity, so the one simulated timeout is SWF's for a worker that hung: an
activity that heartbeated (its details say where it is) and then went silent for longer than its
``heartbeat_timeout``, in real time, timed out (HEARTBEAT) with the details of its last heartbeat, whatever
it returned afterwards (SWF refuses a late answer). Details over SWF's 2,048 characters become jumbo
fields, as the worker sends them, so the local history holds what SWF's would.
"""

from __future__ import annotations

import threading
import time

from simpleflow import jumbo


def _seconds(timeout: str | None) -> float | None:
    if not timeout or timeout == "NONE":
        return None
    try:
        return float(timeout)
    except ValueError:
        return None


class LocalBeat:
    """One local activity attempt's heartbeats.

    Args:
        heartbeat_timeout: the task's ``heartbeatTimeout`` as SWF takes it (seconds, ``NONE`` or None).
    """

    def __init__(self, heartbeat_timeout: str | None) -> None:
        self._timeout = _seconds(heartbeat_timeout)
        self._lock = threading.Lock()
        self._last_at: float | None = None
        self._silent_too_long = False
        self.details: str | None = None
        self.cancel_requested = False

    def send(self, details: str | None) -> bool:
        """Record a heartbeat (its details, when some); True when the task's cancellation was requested.

        Raises:
            JumboFieldTooLarge: the details are over SWF's limit and no jumbo-field bucket is set.
        """
        details = jumbo.encode(details, "heartbeat_details")
        with self._lock:
            self._check_silence()
            self._last_at = time.monotonic()
            if details is not None:
                self.details = details
            return self.cancel_requested

    def request_cancel(self) -> None:
        with self._lock:
            self.cancel_requested = True

    def timed_out(self) -> bool:
        """At the activity's end: whether SWF would have timed it out since its first heartbeat."""
        with self._lock:
            self._check_silence()
            return self._silent_too_long

    def _check_silence(self) -> None:
        if self._timeout is not None and self._last_at is not None:
            if time.monotonic() - self._last_at > self._timeout:
                self._silent_too_long = True
