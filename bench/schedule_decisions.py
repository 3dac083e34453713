"""A per-minute schedule: what each decision costs as its history grows, and a local run of its fires.

    PYTHONPATH=$PWD python3 bench/schedule_decisions.py [--fires 300] [--at 250,2400,4600] [--minutes 400]

The schedule starts ``bench_workflows.Chain`` of one activity at each fire (it ends within the minute).

1. Local: ``schedule.run_local`` of a ``* * * * *`` schedule for ``--fires``
   virtual minutes (one run: ``fires_per_run`` is that many), timed on the wall clock.
2. Per decision: one history of ``--minutes`` virtual minutes (no continue-as-new), made on the local host,
   then fed to a ``WorkflowRun`` one decision task at a time, compacted between two as the SWF decider's
   cache does (simpleflow.swf.run_cache). The table gives the decider CPU of the decisions nearest each
   ``--at`` event count (the mean of the 5 nearest), how many of all decisions replayed in full, and what a
   full replay from the first event costs at that point (a decider without the run cached).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]  # simpleflow, and bench_workflows for the local host

from simpleflow import schedule  # noqa: E402
from simpleflow.engine import ExecutionInfo, WorkflowRun, replay  # noqa: E402
from simpleflow.local import LocalExecution  # noqa: E402
from simpleflow.schedule import ScheduleWorkflow  # noqa: E402

EVERY_MINUTE = "* * * * *"


def _input(name: str, fires_per_run: int, events_per_run: int | None = None) -> dict:
    target = schedule.target_of("bench_workflows.Chain", "[1]")
    return schedule.schedule_input(
        name, EVERY_MINUTE, target, fires_per_run=fires_per_run, events_per_run=events_per_run
    )


def local_run(fires: int) -> tuple[float, int]:
    """Seconds of wall clock for *fires* per-minute fires on the local host, and the fires started."""
    started = time.perf_counter()
    ids = schedule.run_local(_input("bench", fires), fires * 60 + 30)
    return time.perf_counter() - started, len(ids)


def long_history(minutes: int) -> list[dict]:
    """The events of one schedule run of *minutes* virtual minutes (budgets raised: no continue-as-new)."""
    payload = _input("long", 100_000, 19_000)
    execution = LocalExecution(ScheduleWorkflow, payload, workflow_id="schedule-long", cancel_at=minutes * 60 + 30)
    return execution.execute().events


def per_decision(events: list[dict]) -> tuple[list[tuple[int, float]], int]:
    """(events so far, ms of ``advance`` plus ``compact``) of each decision task, and the full replays."""
    run = WorkflowRun(ScheduleWorkflow, ExecutionInfo(domain="bench", workflow_id="schedule-long", run_id="r"))
    costs: list[tuple[int, float]] = []
    fed = 0
    for i, event in enumerate(events):
        if event["eventType"] != "DecisionTaskStarted":
            continue
        new, fed = events[fed : i + 1], i + 1
        started = time.process_time()
        run.advance(new)
        run.compact(lambda upto=fed: events[:upto])
        costs.append((fed, (time.process_time() - started) * 1000))
    fallbacks = run.fallbacks
    run.close()
    return costs, fallbacks


def nearest(costs: list[tuple[int, float]], at: int, count: int = 5) -> tuple[int, float]:
    """The mean event count and cost of the *count* decisions nearest *at* events."""
    chosen = sorted(costs, key=lambda c: abs(c[0] - at))[:count]
    return round(sum(c[0] for c in chosen) / len(chosen)), sum(c[1] for c in chosen) / len(chosen)


def cold_replay_ms(events: list[dict], at: int) -> float:
    """The CPU ms of a fresh full replay up to the decision task nearest *at* events."""
    ends = [i + 1 for i, e in enumerate(events) if e["eventType"] == "DecisionTaskStarted"]
    end = min(ends, key=lambda n: abs(n - at))
    started = time.process_time()
    replay(ScheduleWorkflow, events[:end])
    return (time.process_time() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fires", type=int, default=300, help="fires of the local run (300)")
    parser.add_argument("--at", default="250,2400,4600", help="event counts to report (250,2400,4600)")
    parser.add_argument("--minutes", type=int, default=400, help="virtual minutes of the long history (400)")
    args = parser.parse_args()
    seconds, started = local_run(args.fires)
    print(f"local: {started} per-minute fires in {seconds:.1f} s of wall clock")
    events = long_history(args.minutes)
    costs, fallbacks = per_decision(events)
    print(f"history: {len(events)} events, {len(costs)} decision tasks, {fallbacks} replayed in full")
    print("| events | decider CPU per decision (cached run) | full replay from the first event |")
    print("|---:|---:|---:|")
    for at in (int(a) for a in args.at.split(",")):
        count, ms = nearest(costs, at)
        print(f"| {count} | {ms:.2f} ms | {cold_replay_ms(events, at):.2f} ms |")


if __name__ == "__main__":
    main()
