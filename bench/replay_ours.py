"""Time one cold decision of ours over a synthetic history, as replay_peer.py times the peer's.

usage: python replay_ours.py HISTORY.json WORKFLOW_CLASS REPEAT
Prints: decisions=<n> first=<decision type> ms=<median wall ms per decision> cpu=<median CPU ms>
Run in a process of its own (as the peer's script is), with bench/ on sys.path.

What is timed is ``simpleflow workflow.replay``'s work once the file is read: the JSON parsed
(``history.load_events``: orjson when installed), the events checked as they are folded, jumbo
fields looked for, and a full replay (``local.replay.check_history``).
"""

from __future__ import annotations

import logging
import statistics
import sys
import time

import bench_workflows

from simpleflow.history import load_events
from simpleflow.local.replay import check_history

logging.disable(logging.CRITICAL)


def main() -> None:
    path, class_name, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, "rb") as f:
        raw = f.read()
    workflow_class = getattr(bench_workflows, class_name)
    times, cpu = [], []
    decisions: list[dict] = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        decisions, _ = check_history(workflow_class, load_events(raw))  # fresh events: a decider's cold path
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    first = decisions[0]["decisionType"] if decisions else None
    wall_ms, cpu_ms = statistics.median(times), statistics.median(cpu)
    print(f"decisions={len(decisions)} first={first} ms={wall_ms:.2f} cpu={cpu_ms:.2f}")


if __name__ == "__main__":
    main()
