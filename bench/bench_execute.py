"""Program and Python tasks (simpleflow.execute): the cost of one call, ours against the released 0.36.0.

Each side runs in a process of its own (the peer from the bench's own venv, bench/.peer-venv, created
on first use as bench/run.py does, or from ``--peer-python``),
calling ``execute.python`` (a function in a fresh interpreter, JSON in and out) and
``execute.program`` (``true``) *--runs* times; medians in milliseconds, and peer/ours.
Run: ``python3 bench/bench_execute.py [--runs N] [--peer-python PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from _peer import DEFAULT_VENV, ensure_peer

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

_TIMER = """
import json, statistics, sys, time
import execute_tasks
def median_ms(call, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000
runs = int(sys.argv[1])
assert execute_tasks.add(2, 3) == 5
print(json.dumps({"python": median_ms(lambda: execute_tasks.add(2, 3), runs),
                  "program": median_ms(execute_tasks.true, runs)}))
"""


def measure(python: str, path: list[Path], runs: int) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in path))
    done = subprocess.run(
        [python, "-c", _TIMER, str(runs)], cwd=BENCH, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--peer-python", help="the peer's interpreter (default: bench/.peer-venv's, installed if missing)")
    args = parser.parse_args()
    peer_python = args.peer_python or str(ensure_peer(DEFAULT_VENV).python)
    ours = measure(sys.executable, [ROOT, BENCH], args.runs)
    peer = measure(peer_python, [BENCH], args.runs)
    print("| call | ours | peer 0.36.0 | peer/ours |")
    print("| --- | ---: | ---: | ---: |")
    for kind, label in (("python", "`execute.python` (fresh interpreter)"), ("program", "`execute.program` (`true`)")):
        print(f"| {label} | {ours[kind]:.1f} ms | {peer[kind]:.1f} ms | {peer[kind] / ours[kind]:.2f}x |")


if __name__ == "__main__":
    main()
