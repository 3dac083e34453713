"""Program and Python tasks (simpleflow.execute): the cost of one call, ours against the released 0.36.0.

Each side runs in a process of its own (the peer from the bench's own venv, bench/.peer-venv, created
on first use as bench/run.py does, or from ``--peer-python``),
calling ``execute.python`` (a function in a fresh interpreter, JSON in and out) and
``execute.program`` (``true``) *--runs* times per round, ours and the peer's rounds alternating;
medians in milliseconds, and peer/ours.
Run: ``python3 bench/bench_execute.py [--runs N] [--rounds N] [--peer-python PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from _peer import DEFAULT_VENV, ensure_peer

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

_TIMER = """
import json, sys, time
import execute_tasks
def times_ms(call, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times
runs = int(sys.argv[1])
assert execute_tasks.add(2, 3) == 5 and execute_tasks.true() is not None  # checked, and warmed up
python = times_ms(lambda: execute_tasks.add(2, 3), runs)
print(json.dumps({"python": python, "program": times_ms(execute_tasks.true, runs)}))
"""


def measure(python: str, path: list[Path], runs: int) -> dict[str, list[float]]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in path))
    done = subprocess.run(
        [python, "-c", _TIMER, str(runs)], cwd=BENCH, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def alternated(peer_python: str, runs: int, rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Call times in ms, (ours, the peer's), by kind ("python", "program"): *rounds* of *runs* calls a side,
    ours and the peer's rounds alternating so that both sides share the machine's load alike."""
    ours: dict[str, list[float]] = {"python": [], "program": []}
    peer: dict[str, list[float]] = {"python": [], "program": []}
    for _ in range(rounds):
        for kind, times in measure(sys.executable, [ROOT, BENCH], runs).items():
            ours[kind] += times
        for kind, times in measure(peer_python, [BENCH], runs).items():
            peer[kind] += times
    return ours, peer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="calls of each kind per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, ours and the peer's alternating")
    parser.add_argument(
        "--peer-python", help="the peer's interpreter (default: bench/.peer-venv's, installed if missing)"
    )
    args = parser.parse_args()
    peer_python = args.peer_python or str(ensure_peer(DEFAULT_VENV).python)
    load = os.getloadavg()[0]
    ours, peer = alternated(peer_python, args.runs, args.rounds)
    print(
        f"{args.rounds} rounds of {args.runs} calls each side; load average {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after; medians"
    )
    print()
    print("| call | ours | peer 0.36.0 | peer/ours |")
    print("| --- | ---: | ---: | ---: |")
    for kind, label in (("python", "`execute.python` (fresh interpreter)"), ("program", "`execute.program` (`true`)")):
        mine, theirs = statistics.median(ours[kind]), statistics.median(peer[kind])
        print(f"| {label} | {mine:.2f} ms | {theirs:.2f} ms | {theirs / mine:.2f}x |")


if __name__ == "__main__":
    main()
