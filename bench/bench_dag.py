"""What a DAG spec costs against the same workflow written in Python, on the local host (one run).

    python3 bench/bench_dag.py [--n 200] [--repeats 3] [--check-nodes 10000] [--json]

A spec's walk is resumed at each decision task as a Python workflow is (simpleflow.dag):
the first table says what running a spec costs beside the same workflow in Python. The
second says what checking a spec costs (``dag.check`` without the process start-up): a
long chain, and a YAML "billion laughs" (nine levels of nine aliases) refused unexpanded.
The spec's runs and the Python workflow's alternate, so that both share the machine's load;
``--json`` prints the medians as one JSON object instead (what ``bench/run.py`` reads).
"""

from __future__ import annotations

import argparse
import json
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


def _alternated(first, second, repeats: int) -> tuple[float, float]:
    """Medians of *first* and *second*, timed in turn (one warm-up call of each, not timed)."""
    first(), second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for run, kept in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            run()
            kept.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


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


def _check_chain(n: int) -> None:
    nodes = {"n0": {"activity": INC, "args": [0]}}
    for i in range(1, n):
        nodes[f"n{i}"] = {"activity": INC, "args": [f"$nodes.n{i - 1}.result"]}
    text = json.dumps({"name": "bench-dag-check", "modules": ["bench.bench_workflows"], "nodes": nodes})
    dag.compile_spec(dag.parse(dag.load_text(text, "chain.json")))


def _check_laughs() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    lines += ["name: laughs", "nodes:", f"  x: {{activity: {INC}, args: [*a8]}}"]
    try:
        dag.parse(dag.load_text("\n".join(lines) + "\n", "laughs.yaml"))
    except dag.SpecError:
        return
    raise AssertionError("the billion laughs was accepted")


def compare(n: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Seconds of a local run, (DAG spec, Python workflow), for a chain and a fan-out of *n* activities."""
    return {
        label: _alternated(_dag_runner(spec), _python_runner(workflow_class, n), repeats)
        for label, spec, workflow_class in (("chain", _chain_spec(n), Chain), ("fan-out", _fanout_spec(n), FanOut))
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--check-nodes", type=int, default=10000)
    parser.add_argument("--json", action="store_true", help="print the medians as one JSON object")
    args = parser.parse_args()
    runs = compare(args.n, args.repeats)
    check_chain = _time(lambda: _check_chain(args.check_nodes), args.repeats)
    laughs = _time(_check_laughs, args.repeats)
    if args.json:
        print(json.dumps({"runs": runs, "check_chain": check_chain, "laughs": laughs}))
        return
    print(f"| local run, {args.n} activities | DAG spec | Python workflow | spec/Python |")
    print("| --- | ---: | ---: | ---: |")
    for label, (ours, python) in runs.items():
        print(f"| {label} | {ours:.3f} s | {python:.3f} s | {ours / python:.1f}x |")
    print()
    print("| checking a spec | time |")
    print("| --- | ---: |")
    print(f"| chain of {args.check_nodes:,} nodes | {check_chain:.3f} s |")
    print(f"| billion laughs (refused) | {laughs:.3f} s |")


if __name__ == "__main__":
    main()
