"""What the decider's run cache holds: bytes per cached event, and the decider's RSS with the cache full.

    python3 bench/decider_memory.py [--code DIR] [--events N] [--runs N]

Every measure runs in a fresh process whose ``simpleflow`` is imported from
*DIR* (default: this checkout), so the same script measures an older checkout
(``--code /path/to/main``) for a before/after figure. Histories come from
gen_history.py (``Chain 4000 DONE``: 6 events per completed activity + 6).

- *bytes per cached event*: tracemalloc's count of what one run holds once the
  cache took it (the run replayed a history parsed from JSON, as the decider
  gets it, then ``RunCache.put``; the history's own list dropped), divided by
  its events.
- *RSS*: VmRSS of a process that replays runs of distinct executions into a
  ``RunCache()`` built from the default settings, as a decider does, until it
  is full (and then some: the cache evicts); VmSize shows the parked threads'
  stacks (address space, mostly not resident). With the byte budget, the
  cache's own estimate (``RunCache.bytes``) is printed beside the RSS growth.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent


def _history_text(events: int) -> str:
    import gen_history

    done = max(0, (events - 6) // 6)
    return json.dumps(gen_history.history("Chain", max(4000, done + 1), done))


def _replayed_run(text: str, run_id: str):
    import bench_workflows

    from simpleflow.engine import ExecutionInfo, WorkflowRun

    events = json.loads(text)["events"]
    run = WorkflowRun(bench_workflows.Chain, ExecutionInfo(domain="bench", workflow_id=run_id, run_id=run_id))
    decisions = run.advance(events)
    assert decisions and decisions[0]["decisionType"] == "ScheduleActivityTask", decisions
    return run, len(events)


def _status(field: str) -> int:
    """A /proc/self/status field, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def child_bytes(events: int) -> dict:
    import gc
    import tracemalloc

    from simpleflow.swf.decider import RunCache

    text = _history_text(events)
    cache = RunCache(max_runs=4)
    run, count = _replayed_run(text, "warm-up")  # imports, caches of the interpreter: not the run's
    cache.put("warm-up", run)
    cache.clear()
    del run
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run, count = _replayed_run(text, "measured")
    cache.put("measured", run)
    del run
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {"events": count, "bytes": held, "per_event": held / count}


def child_rss(events: int, runs: int) -> dict:
    import gc
    import threading

    from simpleflow.swf.decider import RunCache

    text = _history_text(events)
    gc.collect()
    start_rss = _status("VmRSS")
    cache = RunCache()
    count = 0
    for k in range(runs):
        run, count = _replayed_run(text, f"run-{k}")
        cache.put(f"run-{k}", run)
        del run
    gc.collect()
    parked = sum(t.name.startswith("simpleflow-run") for t in threading.enumerate())
    return {
        "events": count,
        "runs_put": runs,
        "cached": len(cache),
        "estimated": getattr(cache, "bytes", None),  # the cache's own estimate (none before the byte budget)
        "budget": getattr(cache, "max_bytes", None),
        "parked_threads": parked,
        "rss_start": start_rss,
        "rss": _status("VmRSS"),
        "vmsize": _status("VmSize"),
    }


def _in_child(code: Path, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIMPLEFLOW_DECIDER_")}  # the defaults
    env.update(PYTHONPATH=os.pathsep.join([str(code), str(BENCH_DIR)]), LOG_LEVEL="WARNING")
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"measure {args} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _mb(value: float) -> str:
    return f"{value / 1e6:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout whose simpleflow is measured")
    parser.add_argument("--events", type=int, default=3000, help="events of the Chain history (3,000)")
    parser.add_argument("--runs", type=int, default=300, help="runs put in the cache for the RSS figure (300)")
    parser.add_argument("--big-events", type=int, default=24006, help="events of the larger histories (24,006)")
    parser.add_argument("--big-runs", type=int, default=120, help="runs of the larger history put in the cache")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        numbers = [int(x) for x in rest]
        result = child_bytes(*numbers) if kind == "bytes" else child_rss(*numbers)
        print(json.dumps(result))
        return

    code = args.code.resolve()
    commit = subprocess.run(
        ["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    load = os.getloadavg()
    print(f"simpleflow from {code} ({commit or 'no git'}), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    held = _in_child(code, "bytes", str(args.events))
    print(
        f"bytes per cached event, Chain {held['events']:,} events: {held['per_event']:.0f} B"
        f" ({_mb(held['bytes'])} for the run)"
    )
    for events, runs in ((args.events, args.runs), (args.big_events, args.big_runs)):
        rss = _in_child(code, "rss", str(events), str(runs))
        print(
            f"RunCache() at its defaults, {runs} runs of Chain {rss['events']:,} events put: {rss['cached']} cached,"
            f" {rss['parked_threads']} parked threads; RSS {_mb(rss['rss'])} (before the runs {_mb(rss['rss_start'])}),"
            f" VmSize {_mb(rss['vmsize'])}"
        )
        if rss["estimated"] is not None:
            grown, budget = rss["rss"] - rss["rss_start"], rss["budget"]
            print(
                f"  the cache's estimate {_mb(rss['estimated'])} of a {_mb(budget)} ({budget / 2**20:.0f} MiB) budget;"
                f" RSS grew {grown / rss['estimated']:.2f}x the estimate, {grown / budget:.2f}x the budget"
            )


if __name__ == "__main__":
    main()
