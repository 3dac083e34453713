"""What OpenTelemetry costs simpleflow: decisions per second and activities per second, three ways.

    python3 bench/otel_overhead.py [--chain 2000] [--fanout 2000] [--repeats 5]

Each mode runs in a fresh process, on the local host (the same per-decision-task and per-attempt code the
SWF decider and worker run: ``simpleflow.runtime.observed``), timing ``LocalExecution.execute`` alone:

- ``absent``: OpenTelemetry made unimportable (as without ``simpleflow[otel]``);
- ``off``: ``opentelemetry-api`` importable, no provider set (the API's no-op);
- ``on``: the SDK's ``TracerProvider`` with an in-memory span exporter (``SimpleSpanProcessor``) and a
  ``MeterProvider`` with an in-memory reader: every span and metric point is made and kept.

With ``--before DIR`` (simpleflow before the telemetry: ``mkdir /tmp/before && git archive 439a4e2 simpleflow
| tar -x -C /tmp/before``), a fourth row times that code: the cost of the hooks themselves, OpenTelemetry absent.

Chain N: N activities in a row, one decision task each (decisions/s). FanOut N: N activities at once
(activities/s). Medians of the repeats; ratios against ``absent``, from this one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
MODES = ("absent", "off", "on")

_BLOCK = """
import sys

class _NoOpenTelemetry:
    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, _NoOpenTelemetry())
"""


def child(mode: str, chain: int, fanout: int, repeats: int) -> dict:
    if mode in ("absent", "before"):
        exec(_BLOCK, {})
    from bench_workflows import Chain, FanOut

    from simpleflow.local.host import LocalExecution

    if mode == "before":
        return _timings(LocalExecution, Chain, FanOut, chain, fanout, repeats, None)
    from simpleflow import telemetry

    spans = None
    if mode == "on":
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        spans = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(spans))
        telemetry.configure(provider, MeterProvider(metric_readers=[InMemoryMetricReader()]))
    assert telemetry.available() == (mode != "absent")
    return {**_timings(LocalExecution, Chain, FanOut, chain, fanout, repeats, spans), **_hooks(spans)}


def _hooks(spans) -> dict:
    """Microseconds the hooks take around one trivial attempt and one decision task, in this process."""
    import timeit

    from simpleflow.runtime.observed import DecisionTasks, observed_attempt
    from simpleflow.runtime.outcome import Outcome

    context = {"name": "inc", "workflow_id": "w", "run_id": "r", "activity_id": "activity-inc-1", "attempt": 1}
    context.update(domain_name="local", activity_task_list="bench", workflow_type="bench-chain")
    done = Outcome("completed", result="1")

    class Run:  # what a decision task's telemetry reads of a run
        class history:  # noqa: N801
            event_count, activities, child_workflows, started, started_timestamp = 3, {}, {}, {}, None

        fallbacks = 0

    tasks = DecisionTasks(domain="local", task_list="bench", workflow_type="bench-chain", workflow_id="w", run_id="r")

    def decision() -> None:
        tasks.begin([], 3, Run)
        tasks.done(Run, [])

    n = 20_000
    attempt_us = min(timeit.repeat(lambda: observed_attempt(context, lambda: done), number=n, repeat=3)) / n * 1e6
    if spans is not None:
        spans.clear()
    decision_us = min(timeit.repeat(decision, number=n, repeat=3)) / n * 1e6
    if spans is not None:
        spans.clear()
    return {"attempt_us": attempt_us, "decision_us": decision_us}


def _timings(local: type, chain_class: type, fanout_class: type, chain: int, fanout: int, repeats: int, spans) -> dict:
    def timed(workflow: type, n: int) -> list[float]:
        local(workflow, {"args": [n]}).execute()  # warm-up, untimed
        out = []
        for _ in range(repeats):
            if spans is not None:
                spans.clear()
            started = time.perf_counter()
            outcome = local(workflow, {"args": [n]}).execute()
            out.append(time.perf_counter() - started)
            assert outcome.status == "completed", outcome
        return out

    chain_times = timed(chain_class, chain)
    spans_per_chain = len(spans.get_finished_spans()) if spans is not None else 0  # the last Chain run's
    fanout_times = timed(fanout_class, fanout)
    return {
        "chain_s": statistics.median(chain_times),
        "fanout_s": statistics.median(fanout_times),
        "spans_per_chain": spans_per_chain,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chain", type=int, default=2000)
    parser.add_argument("--fanout", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of every mode in turn (the load on the machine varies)"
    )
    parser.add_argument("--before", metavar="DIR", help="a checkout of simpleflow before the telemetry")
    parser.add_argument("--child", choices=(*MODES, "before"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.chain, args.fanout, args.repeats)))
        return
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(BENCH_DIR), str(ROOT)]), LOG_LEVEL="WARNING")
    env = {k: v for k, v in env.items() if not k.startswith("OTEL_")}
    modes = (*MODES, "before") if args.before else MODES
    rounds: dict[str, list[dict]] = {mode: [] for mode in modes}
    for _ in range(args.rounds):
        for mode in modes:
            command = [sys.executable, __file__, "--child", mode, "--chain", str(args.chain)]
            command += ["--fanout", str(args.fanout), "--repeats", str(args.repeats)]
            run_env = env
            if mode == "before":
                run_env = dict(env, PYTHONPATH=os.pathsep.join([str(BENCH_DIR), str(Path(args.before).resolve())]))
            done = subprocess.run(command, env=run_env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(f"{mode}: {done.stderr[-2000:]}")
            rounds[mode].append(json.loads(done.stdout.splitlines()[-1]))
    results = {mode: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for mode, runs in rounds.items()}
    base = results["absent"]
    print(
        f"Chain {args.chain} (one decision task per activity), FanOut {args.fanout}; "
        f"medians of {args.rounds} rounds of {args.repeats} runs, the modes in turn"
    )
    print("| mode | decisions/s (Chain) | vs absent | activities/s (FanOut) | vs absent |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for mode in modes:
        r = results[mode]
        decisions = (args.chain + 1) / r["chain_s"]
        activities = args.fanout / r["fanout_s"]
        print(
            f"| {mode} | {decisions:,.0f} | {base['chain_s'] / r['chain_s']:.2f}x "
            f"| {activities:,.0f} | {base['fanout_s'] / r['fanout_s']:.2f}x |"
        )
    print(f"spans kept per Chain run with tracing on: {int(results['on']['spans_per_chain']):,}")
    print()
    print("| mode | hooks around one activity attempt | hooks around one decision task |")
    print("| --- | ---: | ---: |")
    for mode in MODES:
        print(f"| {mode} | {results[mode]['attempt_us']:.1f} us | {results[mode]['decision_us']:.1f} us |")


if __name__ == "__main__":
    main()
