"""Where a cold replay's time goes: its parts timed one by one, in one process.

    python3 bench/replay_parts.py [--code DIR] [--repeat N] [--floor] [HISTORY]

The same work as ``replay_ours.py`` (what ``workflow.replay`` does once the file is read), cut into
its parts, each timed on its own (ms, medians of N replays; the cyclic collector held off throughout,
as ``check_history`` holds it):

- parse: ``history.load_events`` of the file's bytes;
- jumbo: ``local.replay.replayed_events`` (jumbo fields and nesting looked for, a closed history cut);
- fold-alone: ``History().extend`` of the events (the fold and its checks, without the run; not counted
  in the total: ``advance`` does it again);
- advance: ``WorkflowRun.advance``, the fold then ``run`` (its submits resolved against the records);
- mismatches, close: ``WorkflowRun.mismatches`` and ``close``;
- free: dropping the events and the run.

``--floor`` also times what any replay of the file in Python pays, whatever its design: the parse, a walk
reading each event's id, type and attributes, a settled ``Future`` per completed activity with its result
decoded, and freeing the events. The distance between the two totals is what the engine's own work
costs (its checks, records, ids, the non-determinism check...).

``--code DIR`` imports simpleflow from another checkout, for a before/after figure in one sitting
(alternate the two). The default history is ``gen_history.py Chain 4000 4000`` under bench/out/
(24,006 events), made by ``bench/run.py`` the first time.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("history", nargs="?", type=Path, default=BENCH_DIR / "out" / "history-Chain-4000-4000.json")
    parser.add_argument("--code", type=Path, default=BENCH_DIR.parent, help="checkout to import simpleflow from")
    parser.add_argument("--repeat", type=int, default=20, help="replays (default 20)")
    parser.add_argument("--floor", action="store_true", help="also time the floor of any replay in Python")
    args = parser.parse_args()
    sys.path[:0] = [str(args.code.resolve()), str(BENCH_DIR)]
    logging.disable(logging.CRITICAL)

    import bench_workflows

    from simpleflow.engine import ON_NONDETERMINISM_REPORT, ExecutionInfo, WorkflowRun
    from simpleflow.history import History, load_events
    from simpleflow.local.replay import replayed_events
    from simpleflow.utils._gc import collector_paused

    raw = args.history.read_bytes()
    times: dict[str, list[float]] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        times.setdefault(name, []).append((now - since) * 1000)
        return now

    for _ in range(args.repeat):
        with collector_paused():
            start = time.perf_counter()
            events = load_events(raw)
            start = lap("parse", start)
            events, _ = replayed_events(events)
            start = lap("jumbo", start)
            folded = History()
            folded.extend(events)
            lap("fold-alone", start)
            del folded  # (not timed)
            start = time.perf_counter()
            run = WorkflowRun(bench_workflows.Chain, ExecutionInfo(on_nondeterminism=ON_NONDETERMINISM_REPORT))
            run.advance(events)
            start = lap("advance", start)
            run.mismatches  # noqa: B018 - timed
            start = lap("mismatches", start)
            run.close()
            start = lap("close", start)
            del run, events
            lap("free", start)
            if args.floor:
                _time_floor(raw, lap)
    total = floor = 0.0
    for name, values in times.items():
        value = statistics.median(values)
        if name.startswith("floor"):
            floor += value
        else:
            total += 0 if name == "fold-alone" else value
        print(f"{name:12} {value:6.2f}")
    print(f"{'total':12} {total:6.2f}")
    if args.floor:
        print(f"{'floor total':12} {floor:6.2f}")


def _time_floor(raw: bytes, lap) -> None:
    """The least any replay of *raw* in Python does, each part timed (``lap``): see the module's docstring."""
    from simpleflow import format, futures
    from simpleflow.history import load_events
    from simpleflow.history._shapes import attributes_key

    keys: dict[str, str] = {}
    start = time.perf_counter()
    events = load_events(raw)
    start = lap("floor parse", start)
    for event in events:
        etype = event["eventType"]
        key = keys.get(etype) or keys.setdefault(etype, attributes_key(etype))
        event.get(key), event["eventId"]
    start = lap("floor walk", start)
    settled = []
    for event in events:
        if event["eventType"] == "ActivityTaskCompleted":
            future = futures.Future()
            future.set_finished(format.loads(event["activityTaskCompletedEventAttributes"].get("result")))
            settled.append(future)
    start = lap("floor runs", start)
    del events, settled
    lap("floor free", start)


if __name__ == "__main__":
    main()
