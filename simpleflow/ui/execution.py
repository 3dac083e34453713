"""One execution's view (``ExecutionView``, simpleflow.ui.view) fetched from SWF, and the cache that keeps it.

``build_view`` is pure (description and decoded events in); ``load_view`` fetches them. Closed executions
do not change: their views are kept a minute after last asked for (``ViewCache``). What the page derives from
the history of a few open ones is kept too (``LiveRun``): the page's update every few seconds fetches only the
new events and derives only them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from simpleflow.ui.live import LiveRun, build_view
from simpleflow.ui.view import ChildLink, EventRow, ExecutionView, dag_spec_of

__all__ = ["ChildLink", "EventRow", "ExecutionView", "ViewCache", "build_view", "dag_spec_of", "load_view"]

Key = tuple[str, str, str]  # domain, workflow id, run id


class ViewCache:
    """Views of closed executions, kept *ttl* seconds since last asked for (a closed history does not change; a
    big one's "show more" pages read it a while after its page), at most *size*;
    and what the page derived from the history of the last *open_size* open runs looked at, so that the
    page's update fetches and derives only the events added since (a history only grows)."""

    def __init__(self, ttl: float = 60.0, size: int = 64, open_size: int = 4) -> None:
        self.ttl, self.size, self.open_size = ttl, size, open_size
        self._views: OrderedDict[Key, tuple[float, ExecutionView]] = OrderedDict()
        self._open: OrderedDict[Key, LiveRun] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> ExecutionView | None:
        with self._lock:
            found = self._views.get(key)
            if found is None or time.monotonic() - found[0] > self.ttl:
                self._views.pop(key, None)
                return None
            self._views[key] = (time.monotonic(), found[1])
            self._views.move_to_end(key)
            return found[1]

    def put(self, key: Key, view: ExecutionView) -> None:
        """Keep *view* of a closed run (an open one's is made anew each time from its ``live`` run)."""
        if view.is_open:
            return
        with self._lock:
            live = self._open.pop(key, None)
            self._views[key] = (time.monotonic(), view)
            while len(self._views) > self.size:
                self._views.popitem(last=False)
        if live is not None:
            live.close()

    def live(self, key: Key) -> LiveRun:
        """The run *key*'s derived history (empty the first time), the last one looked at from now on."""
        with self._lock:
            run = self._open.get(key)
            if run is None:
                run = self._open[key] = LiveRun(key[0])
            self._open.move_to_end(key)
            evicted = [self._open.popitem(last=False)[1] for _ in range(len(self._open) - self.open_size)]
        for old in evicted:  # (outside the cache's lock: closing takes the run's)
            old.close()
        return run

    def events_held(self, key: Key) -> list[dict[str, Any]]:
        """The events of open run *key* held (decoded, oldest first), or none."""
        with self._lock:
            run = self._open.get(key)
            return list(run.events) if run is not None else []


def _catch_up(run: LiveRun, domain: str, workflow_id: str, run_id: str) -> None:
    """Derive the events *run* lacks: those added since its last one, or the whole history."""
    from simpleflow.swf.inspection import fetch_execution

    last = run.last_event_id
    if not last:
        run.restart(fetch_execution(domain, workflow_id, run_id).events)
        return
    new = fetch_execution(domain, workflow_id, run_id, after=last).events
    if new and new[0]["eventId"] != last + 1:  # not the history held going on (never seen): read it whole
        run.restart(fetch_execution(domain, workflow_id, run_id).events)
    else:
        run.extend(new)


def load_view(domain: str, workflow_id: str, run_id: str | None, cache: ViewCache | None = None) -> ExecutionView:
    """Fetch an execution (its latest run without *run_id*) and build its view.

    Raises:
        UsageError: no such execution in the domain (one line).
    """
    from simpleflow.swf import executions
    from simpleflow.swf.inspection import fetch_execution

    run_id = executions.resolve_run_id(domain, workflow_id, run_id)
    key = (domain, workflow_id, run_id)
    if cache is not None and (view := cache.get(key)) is not None:
        return view
    description = executions.describe(domain, workflow_id, run_id)
    if cache is None:
        return build_view(domain, description, fetch_execution(domain, workflow_id, run_id).events, time.time())
    run = cache.live(key)
    with run.lock:
        _catch_up(run, domain, workflow_id, run_id)
        view = run.view(description, time.time())
    cache.put(key, view)
    return view
