"""Time one decision of ours over a synthetic history, as replay_peer.py times the peer's.

usage: python replay_ours.py HISTORY.json WORKFLOW_CLASS REPEAT
Prints: decisions=<n> first=<decision type> ms=<median ms per decision>
Run in a process of its own (as the peer's script is), with bench/ on sys.path.
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import time

import bench_workflows

from simpleflow.engine import replay

logging.disable(logging.CRITICAL)


def main() -> None:
    path, class_name, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
    raw = open(path).read()
    workflow_class = getattr(bench_workflows, class_name)
    times = []
    decisions: list[dict] = []
    for _ in range(repeat):
        start = time.perf_counter()
        events = json.loads(raw)["events"]  # a decider gets the history fresh on every decision task
        decisions = replay(workflow_class, events)
        times.append((time.perf_counter() - start) * 1000)
    first = decisions[0]["decisionType"] if decisions else None
    print(f"decisions={len(decisions)} first={first} ms={statistics.median(times):.2f}")


if __name__ == "__main__":
    main()
