"""The local host's side of an activity attempt's heartbeats: their details, when the last came, a cancel
request, and the attempt given up (timed out).

Details over SWF's 2,048 characters become jumbo fields, as the worker sends them, so the local history
holds what SWF's would. Once the attempt timed out, its heartbeats are answered as SWF answers a worker's
for a task it timed out (the worker then kills the activity): ``heartbeat()`` raises ``TaskCanceled`` in the
activity, which stops an attempt that heartbeats instead of letting it run on unseen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from simpleflow import jumbo


class LocalBeat:
    """One local activity attempt's heartbeats, timed by *clock* (the family's)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.last_at: float | None = None  # the activity's own latest heartbeat
        self.details: str | None = None
        self.cancel_requested = False
        self.gone = False  # the attempt timed out: nobody waits for it any more

    def send(self, details: str | None) -> bool:
        """Record a heartbeat (its details, when some); True when the activity should stop (its cancellation
        was requested, or the attempt timed out).

        Raises:
            JumboFieldTooLarge: the details are over SWF's limit and no jumbo-field bucket is set.
        """
        details = jumbo.encode(details, "heartbeat_details")
        with self._lock:
            if self.gone:
                return True
            self.last_at = self._clock()
            if details is not None:
                self.details = details
            return self.cancel_requested

    def request_cancel(self) -> None:
        with self._lock:
            self.cancel_requested = True

    def give_up(self) -> str | None:
        """The attempt timed out: later heartbeats are refused. Its last details."""
        with self._lock:
            self.gone = True
            return self.details
