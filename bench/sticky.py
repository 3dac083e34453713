"""Sticky deciders: cache hit rate and decider CPU per decision, sticky task lists on against off.

    python3 bench/sticky.py [--executions N] [--activities A] [--deciders D] [--workers W] [--timeout S]
                            [--poll-wait S] [--profile DIR]

One dev server (tests/moto_server.py: simpleflow dev-server, which carries out SWF's task list override), one
run: D decider processes on one task list and W worker processes run N concurrent executions of
``bench_workflows.Chain`` of A activities, first with ``SIMPLEFLOW_DECIDER_STICKY_TIMEOUT=S``, then
with 0 (each in a fresh server state). For each: the share of decision tasks resumed from a
decider's cache (the deciders' own counts) and the CPU seconds the decider processes spent per
decision task (/proc, from when they are up and polling to when the last execution closed;
empty polls included); from the histories, the mean time a decision task waited from
DecisionTaskScheduled to DecisionTaskStarted and how many executions each decider ended up holding
(the one that started an execution's last decision task). The server holds an empty poll until a
task comes or ``--poll-wait`` seconds pass (SWF: 60 s; 20 here so that the fleets stop sooner): a
decider idle on its two lists costs next to nothing, as on SWF. The load average is printed with
the table: other work on the machine slows the server, not the CPU counted here. ``--profile DIR``:
each decider runs under py-spy (``pip install py-spy``), which writes its samples (on-CPU threads,
collapsed stacks) to ``DIR/<on|off>-<k>.txt``; the CPU figures of such a run are not the benchmark's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from _common import BENCH_DIR, REPO, BenchError, pythonpath, say, tree_cpu
from _fleet import DECISIONS, decision_waits, histories, last_decider, start_chains, swf_client, wait_chains


@dataclass
class StickyFigures:
    hits: int
    misses: int
    sticky_tasks: int
    cpu_seconds: float
    seconds: float
    decision_wait: float  # mean seconds a decision task waited, scheduled to started
    held: list[int]  # executions per decider (the one that took its last decision task), most first

    @property
    def decisions(self) -> int:
        return self.hits + self.misses

    @property
    def hit_rate(self) -> float:
        return self.hits / self.decisions

    @property
    def cpu_ms_per_decision(self) -> float:
        return 1000 * self.cpu_seconds / self.decisions


def measure(label: str, environ: dict[str, str], args: argparse.Namespace, sticky_timeout: int) -> StickyFigures:
    swf = swf_client(environ)
    domain = f"sticky-{label}-{uuid.uuid4().hex[:6]}"
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    say(f"{label}: {args.executions} x Chain {args.activities}, {args.deciders} deciders, {args.workers} workers")
    env = dict(environ, SIMPLEFLOW_DECIDER_STICKY_TIMEOUT=str(sticky_timeout))
    decider = [sys.executable, str(BENCH_DIR / "_sticky_decider.py"), domain, DECISIONS]
    worker = [sys.executable, "-m", "simpleflow.command", "worker.start", "--domain", domain]
    worker += ["--task-list", DECISIONS, "bench_workflows"]
    logs = open(BENCH_DIR / "out" / f"sticky-{label}.log", "w")  # noqa: SIM115 - closed below
    deciders = [
        subprocess.Popen(
            _profiled(decider, args.profile, f"{label}-{k}"),
            env=env,
            cwd="/",
            stdout=subprocess.PIPE,
            stderr=logs,
            text=True,
        )
        for k in range(args.deciders)
    ]
    workers = [subprocess.Popen(worker, env=env, cwd="/", stdout=logs, stderr=logs) for _ in range(args.workers)]
    counts = []
    try:
        time.sleep(5)  # up and polling
        cpu_at_start = tree_cpu(deciders)
        began = time.perf_counter()
        started = start_chains(swf, domain, args.executions, args.activities)
        wait_chains(swf, domain, started, args.activities, timeout=1800)
        seconds = time.perf_counter() - began
        cpu = tree_cpu(deciders) - cpu_at_start
        events = histories(swf, domain, started)
    finally:
        for process in deciders:
            for pid in _stopped_pids(process, args.profile):
                os.kill(pid, signal.SIGTERM)
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in deciders:
            out, _ = process.communicate(timeout=args.poll_wait + 60)  # its polls in flight end first
            lines = [line for line in out.splitlines() if line.startswith("{")]  # py-spy prints its own too
            if lines:
                counts.append(json.loads(lines[-1]))
        for process in workers:
            process.wait(timeout=args.poll_wait + 60)
        logs.close()
    if len(counts) != args.deciders:
        raise BenchError(f"{label}: {len(counts)} of {args.deciders} deciders reported their counts")
    return StickyFigures(
        hits=sum(c["hits"] for c in counts),
        misses=sum(c["misses"] for c in counts),
        sticky_tasks=sum(c["sticky"] for c in counts),
        cpu_seconds=cpu,
        seconds=seconds,
        decision_wait=statistics.mean(w for e in events for w in decision_waits(e)),
        held=sorted(Counter(last_decider(e) for e in events).values(), reverse=True),
    )


def _profiled(command: list[str], profile: str | None, name: str) -> list[str]:
    """*command*, run under py-spy when profiling (its samples to ``profile/name.txt``)."""
    if not profile:
        return command
    out = os.path.join(os.path.abspath(profile), f"{name}.txt")
    return ["py-spy", "record", "--rate", "200", "--format", "raw", "--output", out, "--", *command]


def _stopped_pids(process: subprocess.Popen, profile: str | None) -> list[int]:
    """The process to send SIGTERM to: under py-spy, the decider it runs (py-spy then writes and ends)."""
    if profile:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        try:
            pids = [int(pid) for pid in children.read_text().split()]
        except OSError:
            pids = []
        if pids:
            return pids
    return [process.pid]


def table(on: StickyFigures, off: StickyFigures, args: argparse.Namespace, load: str) -> str:
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    cpu_ratio = off.cpu_ms_per_decision / on.cpu_ms_per_decision
    rows = [
        "| what | sticky on | sticky off | on vs off | target |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| decision tasks | {on.decisions} | {off.decisions} | | |",
        f"| resumed from the cache (hit rate) | {on.hit_rate:.1%} | {off.hit_rate:.1%} | | "
        f"on ≥ 95%: {met(on.hit_rate >= 0.95)} |",
        f"| taken from a sticky list | {on.sticky_tasks} | {off.sticky_tasks} | | |",
        f"| decider CPU per decision task | {on.cpu_ms_per_decision:.2f} ms | {off.cpu_ms_per_decision:.2f} ms | "
        f"{cpu_ratio:.1f}x less | ≥ 3x less: {met(cpu_ratio >= 3)} |",
        f"| wall time, first start to last close | {on.seconds:.1f} s | {off.seconds:.1f} s | "
        f"{off.seconds / on.seconds:.2f}x | for information |",
        f"| decision task wait, scheduled to started (mean) | {on.decision_wait * 1000:.0f} ms | "
        f"{off.decision_wait * 1000:.0f} ms | | for information |",
        f"| executions per decider (last decision) | {_held(on)} | {_held(off)} | | for information |",
    ]
    setting = (
        f"{args.executions} concurrent executions of a {args.activities}-activity Chain, {args.deciders} decider and "
        f"{args.workers} worker processes, sticky timeout {args.timeout} s, the dev server "
        f"(empty polls held {args.poll_wait:g} s), "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, load average {load}"
    )
    return setting + "\n\n" + "\n".join(rows)


def _held(figures: StickyFigures) -> str:
    return " / ".join(str(n) for n in figures.held)


def _load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=20)
    parser.add_argument("--activities", type=int, default=100)
    parser.add_argument("--deciders", type=int, default=4)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--timeout", type=int, default=5, help="SIMPLEFLOW_DECIDER_STICKY_TIMEOUT when on")
    parser.add_argument("--poll-wait", type=float, default=20.0, help="seconds the server holds an empty poll")
    parser.add_argument("--profile", metavar="DIR", help="run each decider under py-spy, its samples to DIR")
    args = parser.parse_args(argv)
    (BENCH_DIR / "out").mkdir(exist_ok=True)
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.moto_server import MotoServer

    server = MotoServer(poll_wait=args.poll_wait, moto_api=True)  # reset() between the two fleets
    server.start()
    try:
        environ = dict(os.environ, **server.environ(), LOG_LEVEL="WARNING")
        environ["PYTHONPATH"] = pythonpath(REPO, BENCH_DIR)
        loads = [_load_average()]
        on = measure("on", environ, args, args.timeout)
        loads.append(_load_average())
        server.reset()  # the second fleet finds a server as empty as the first did
        off = measure("off", environ, args, 0)
        loads.append(_load_average())
    finally:
        server.stop()
    print(table(on, off, args, " / ".join(loads)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
