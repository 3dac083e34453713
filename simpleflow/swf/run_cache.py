"""The decider's cache of suspended runs: ``RunCache``, bounded in runs and in estimated bytes.

A run put here is compacted; the next decision task of its execution resumes it with only the
events it has not seen (see ``simpleflow.swf.decider``).
"""

from __future__ import annotations

import collections
import sys
from collections.abc import Callable
from typing import Any

from simpleflow import settings, telemetry
from simpleflow.engine import ExecutionInfo, WorkflowRun, decode_events
from simpleflow.swf import client
from simpleflow.telemetry import names

DEFAULT_CACHE_RUNS = settings.default.SIMPLEFLOW_DECIDER_CACHE_RUNS
DEFAULT_CACHE_MB = settings.default.SIMPLEFLOW_DECIDER_CACHE_MB

# What a cached run costs, estimated from counts the run keeps (no walk of its objects), calibrated
# against RSS by bench/decider_memory.py on Chain and FanOut histories: a run and its parked thread;
# each compacted activity (its record, command, future and task: what resuming keeps per task, how
# many events it took does not matter); each task record kept whole (an open activity, a child
# workflow: more fields, and its workflow's future); each event folded in (timers, signals, markers
# keep records of their own); each raw event still held (a run that replays in full at each decision
# keeps them); each character of activity inputs and results (kept as text, and as values).
RUN_BYTES = 32_000
# (Python 3.10 gives each instance a dict of its own where 3.11 keeps the values inline: a compacted task
# costs it about a fifth more, 1,520 B measured by tests/swf/test_decider_cache.py.)
COMPACT_TASK_BYTES = 1_250 if sys.version_info >= (3, 11) else 1_650
WHOLE_TASK_BYTES = 1_800
EVENT_BYTES = 10
HELD_EVENT_BYTES = 800
PAYLOAD_CHAR_BYTES = 2


def estimated_bytes(run: WorkflowRun) -> int:
    """What *run* holds, roughly: from its task, event and payload counts (see ``RUN_BYTES``)."""
    history = run.history
    tasks = len(history.activities) + len(history.child_workflows)
    compacted = min(history.compacted_records, tasks)  # a record completed twice was counted twice
    return (
        RUN_BYTES
        + compacted * COMPACT_TASK_BYTES
        + (tasks - compacted) * WHOLE_TASK_BYTES
        + history.event_count * EVENT_BYTES
        + history.held_events * HELD_EVENT_BYTES
        + history.payload_chars * PAYLOAD_CHAR_BYTES
    )


def _reload_from_swf(info: ExecutionInfo):
    """The events of *info*'s execution, fetched again and decoded: what a compacted run reloads.

    Those past the events folded in (newer than the decision task in hand) are dropped by ``History.expand``.
    """
    return lambda: decode_events(client.get_history(info.domain, info.workflow_id, info.run_id))


class RunCache:
    """Suspended runs of recently seen executions, least recently used out first.

    Bounded by a number of runs (``SIMPLEFLOW_DECIDER_CACHE_RUNS``, default 256; 0 disables the
    cache) and by the memory they hold (``SIMPLEFLOW_DECIDER_CACHE_MB``, default 256), estimated
    per run from its counts (``estimated_bytes``). ``SIMPLEFLOW_DECIDER_CACHE_EVENTS``, when set,
    also bounds the events their histories hold, as it did before the budget in bytes.

    A run put here is compacted (``WorkflowRun.compact``): its raw events and what resuming does
    not read are let go, and fetched again from SWF (*reload*) in the rare case something needs them.
    A run whose hooks read the whole history is kept whole instead (``History.keep_whole``).
    """

    def __init__(
        self,
        max_runs: int | None = None,
        max_events: int | None = None,
        *,
        max_bytes: int | None = None,
        reload: Callable[[ExecutionInfo], Callable[[], list[dict[str, Any]]]] = _reload_from_swf,
    ) -> None:
        self.max_runs = settings.get("SIMPLEFLOW_DECIDER_CACHE_RUNS") if max_runs is None else max_runs
        self.max_events = settings.get("SIMPLEFLOW_DECIDER_CACHE_EVENTS") if max_events is None else max_events
        if max_bytes is None:
            max_bytes = int(settings.get("SIMPLEFLOW_DECIDER_CACHE_MB") * 1024 * 1024)
        self.max_bytes = max_bytes
        self._reload = reload
        self._runs: collections.OrderedDict[str, WorkflowRun] = collections.OrderedDict()
        self._sizes: dict[str, tuple[int, int]] = {}  # run id -> (estimated bytes, events) when put
        self.bytes = 0  # estimated, of every cached run
        self.events = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        self.telemetry_attributes: dict[str, str] = {}  # domain and task list, set by the decider

    def __len__(self) -> int:
        return len(self._runs)

    def __contains__(self, run_id: object) -> bool:
        return run_id in self._runs

    def take(self, run_id: str) -> WorkflowRun | None:
        """Remove and return the run of *run_id*, if cached."""
        run = self._runs.pop(run_id, None)
        if run is None:
            self.misses += 1
            telemetry.count(names.M_CACHE_MISSES, 1, self.telemetry_attributes)
            return None
        self.hits += 1
        telemetry.count(names.M_CACHE_HITS, 1, self.telemetry_attributes)
        size, events = self._sizes.pop(run_id)
        self.bytes -= size
        self.events -= events
        return run

    def put(self, run_id: str, run: WorkflowRun) -> None:
        """Keep *run* (compacted), evicting the least recently used runs past the bounds."""
        if self.max_runs <= 0:
            run.close()
            return
        if run_id in self._runs:  # not taken first: the newer run replaces it
            self._drop(run_id)
        run.compact(self._reload(run.info))
        size, events = estimated_bytes(run), run.history.event_count
        self._runs[run_id] = run
        self._sizes[run_id] = (size, events)
        self.bytes += size
        self.events += events
        while self._runs and (
            len(self._runs) > self.max_runs
            or self.bytes > self.max_bytes
            or (self.max_events is not None and self.events > self.max_events)
        ):
            self._drop(next(iter(self._runs)))
            self.evictions += 1
            telemetry.count(names.M_CACHE_EVICTIONS, 1, self.telemetry_attributes)

    def _drop(self, run_id: str) -> None:
        run = self._runs.pop(run_id)
        size, events = self._sizes.pop(run_id)
        self.bytes -= size
        self.events -= events
        run.close()  # its parked thread is unwound and ends

    def clear(self) -> None:
        while self._runs:
            self._drop(next(reversed(self._runs)))
