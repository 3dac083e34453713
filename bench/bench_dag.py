"""What a DAG spec costs against the same workflow written in Python, on the local host (one run).

    python3 bench/bench_dag.py [--n 200]

A spec's walk reads futures without waiting for them, so the engine replays it in full
at every decision task (simpleflow.dag): its cost grows with the history, where a
Python workflow is resumed. The figures say how much that costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.bench_workflows import Chain, FanOut  # noqa: E402
from simpleflow import dag  # noqa: E402
from simpleflow.local import LocalExecution  # noqa: E402

INC = "bench.bench_workflows.inc"


def _chain_spec(n: int) -> dict:
    nodes = {"n0": {"activity": INC, "args": [0]}}
    for i in range(1, n):
        nodes[f"n{i}"] = {"activity": INC, "args": [f"$nodes.n{i - 1}.result"]}
    return {"name": "bench-dag-chain", "nodes": nodes, "result": f"$nodes.n{n - 1}.result"}


def _fanout_spec(n: int) -> dict:
    return {
        "name": "bench-dag-fanout",
        "nodes": {"each": {"activity": INC, "foreach": list(range(n)), "args": ["$item"]}},
    }


def _time(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _dag_runner(raw: dict):
    compiled = dag.compile_spec(dag.parse(raw), ["bench.bench_workflows"])
    workflow_class = dag.workflow_class_for(compiled)

    def run():
        result = LocalExecution(workflow_class, dag.execution_input(compiled)).execute()
        assert result.status == "completed", result.reason

    return run


def _python_runner(workflow_class: type, n: int):
    def run():
        result = LocalExecution(workflow_class, {"args": [n]}).execute()
        assert result.status == "completed", result.reason

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for label, spec, workflow_class in (
        ("chain", _chain_spec(args.n), Chain),
        ("fan-out", _fanout_spec(args.n), FanOut),
    ):
        ours = _time(_dag_runner(spec), args.repeats)
        python = _time(_python_runner(workflow_class, args.n), args.repeats)
        rows.append((label, ours, python))
    print(f"| local run, {args.n} activities | DAG spec | Python workflow | spec/Python |")
    print("| --- | ---: | ---: | ---: |")
    for label, ours, python in rows:
        print(f"| {label} | {ours:.3f} s | {python:.3f} s | {ours / python:.1f}x |")


if __name__ == "__main__":
    main()
