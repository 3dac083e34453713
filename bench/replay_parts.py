"""Where a cold replay's time goes: its parts timed one by one, in one process.

    python3 bench/replay_parts.py [--code DIR] [--repeat N] [HISTORY]

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
    total = 0.0
    for name, values in times.items():
        value = statistics.median(values)
        total += 0 if name == "fold-alone" else value
        print(f"{name:12} {value:6.2f}")
    print(f"{'total':12} {total:6.2f}")


if __name__ == "__main__":
    main()
