"""Load: N concurrent executions on one task list, D deciders and W workers, ours against the peer.

    python3 bench/load.py [--executions N] [--activities A] [--deciders D] [--workers W] [--peer-venv DIR]

Both implementations run the same workflow (bench_workflows.Chain of A activities)
on the same stock moto server in the same run, one after the other, each in a
domain of its own, with ``decider.start`` and ``worker.start`` processes started
the same way. For each it gives executions and activities per second (wall
time from the first start to the last close) and the CPU seconds its decider and
worker processes spent per activity: the part an implementation controls (on a
small machine the moto server's own CPU is the bottleneck, and it is left out).
CPU is read from /proc/<pid>/stat (user + system time of each process and of the
activity processes it forked and waited for) once the processes are up and
polling, and again when the last execution has closed: start-up is left out,
as it is paid once in a long-running fleet (``--with-startup`` counts it too).
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from _common import BENCH_DIR, REPO, compile_sources, pythonpath, say, tree_cpu
from _fleet import DECISIONS, start_chains, swf_client, wait_chains
from _peer import DEFAULT_VENV, Peer, ensure_peer


@dataclass
class LoadFigures:
    executions: int
    activities: int
    seconds: float
    cpu_seconds: float
    decider_cpu_seconds: float = 0.0
    worker_cpu_seconds: float = 0.0

    @property
    def executions_per_second(self) -> float:
        return self.executions / self.seconds

    @property
    def activities_per_second(self) -> float:
        return self.activities / self.seconds

    @property
    def cpu_ms_per_activity(self) -> float:
        return 1000 * self.cpu_seconds / self.activities

    @property
    def decider_ms_per_activity(self) -> float:
        return 1000 * self.decider_cpu_seconds / self.activities

    @property
    def worker_ms_per_activity(self) -> float:
        return 1000 * self.worker_cpu_seconds / self.activities


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _commands(cli: list[str], domain: str, deciders: int, workers: int) -> list[list[str]]:
    decider = [*cli, "decider.start", "--domain", domain, "--task-list", DECISIONS, "bench_workflows.Chain"]
    # The peer imports an activity from its task's name; ours is given the module (it accepts both).
    worker = [*cli, "worker.start", "--domain", domain, "--task-list", DECISIONS]
    if "simpleflow.command" in cli:
        worker.append("bench_workflows")
    return [decider] * deciders + [worker] * workers


def measure(
    label: str,
    cli: list[str],
    environ: dict[str, str],
    executions: int,
    activities: int,
    deciders: int,
    workers: int,
    with_startup: bool = False,
) -> LoadFigures:
    """Run one implementation's fleet until *executions* chains of *activities* complete."""
    swf = swf_client(environ)
    domain = f"load-{label}-{uuid.uuid4().hex[:6]}"
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    say(f"load, {label}: {executions} executions x {activities} activities, {deciders} deciders, {workers} workers")
    cpu_before = _children_cpu()
    logs = open(BENCH_DIR / "out" / f"load-{label}.log", "w")  # noqa: SIM115 - closed below
    processes = [
        subprocess.Popen(command, env=environ, cwd="/", stdout=logs, stderr=subprocess.STDOUT)
        for command in _commands(cli, domain, deciders, workers)
    ]
    try:
        time.sleep(5)  # up and polling
        decider_at_start, worker_at_start = tree_cpu(processes[:deciders]), tree_cpu(processes[deciders:])
        began = time.perf_counter()
        started = start_chains(swf, domain, executions, activities)
        wait_chains(swf, domain, started, activities, timeout=1800)
        seconds = time.perf_counter() - began
        decider_cpu = tree_cpu(processes[:deciders]) - decider_at_start
        worker_cpu = tree_cpu(processes[deciders:]) - worker_at_start
        cpu = decider_cpu + worker_cpu
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        logs.close()
    if with_startup:
        cpu = _children_cpu() - cpu_before
    return LoadFigures(executions, executions * activities, seconds, cpu, decider_cpu, worker_cpu)


# The table's rows: label, LoadFigures attribute, format, unit, and whether less is better.
ROWS = [
    ("executions per second", "executions_per_second", ".2f", "", False),
    ("activities per second", "activities_per_second", ".1f", "", False),
    ("decider + worker CPU per activity", "cpu_ms_per_activity", ".1f", " ms", True),
    ("of which deciders", "decider_ms_per_activity", ".1f", " ms", True),
    ("of which workers", "worker_ms_per_activity", ".1f", " ms", True),
]


def _ratio(ours: LoadFigures, peer: LoadFigures, attribute: str, less_is_better: bool) -> str:
    a, b = getattr(ours, attribute), getattr(peer, attribute)
    if less_is_better:
        return f"{b / a:.2f}x less" if a else "—"
    return f"{a / b:.2f}x" if b else "—"


def table(ours: LoadFigures | None, peer: LoadFigures | None, args: argparse.Namespace) -> str:
    """A Markdown table of what was measured: a column per implementation run, the ratio when both ran."""
    columns = [(name, figures) for name, figures in (("ours", ours), ("peer 0.36.0", peer)) if figures is not None]
    both = ours is not None and peer is not None
    header = ["what", *(name for name, _ in columns), *(["ours vs peer"] if both else [])]
    rows = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    for label, attribute, fmt, unit, less_is_better in ROWS:
        cells = [label, *(format(getattr(figures, attribute), fmt) + unit for _, figures in columns)]
        if both:
            cells.append(_ratio(ours, peer, attribute, less_is_better))
        rows.append("| " + " | ".join(cells) + " |")
    setting = (
        f"{args.executions} concurrent executions of a {args.activities}-activity Chain, "
        f"{args.deciders} decider and {args.workers} worker processes{' each' if both else ''}, one stock moto server, "
        f"{datetime.date.today().isoformat()}"
    )
    return setting + "\n\n" + "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=20, help="concurrent executions")
    parser.add_argument("--activities", type=int, default=10, help="activities in each chain")
    parser.add_argument("--deciders", type=int, default=2, help="decider processes")
    parser.add_argument("--workers", type=int, default=4, help="worker processes")
    parser.add_argument("--only", choices=["ours", "peer"], help="run one implementation (no ratio column)")
    parser.add_argument("--with-startup", action="store_true", help="count the processes' start-up CPU too")
    parser.add_argument(
        "--peer-venv",
        type=Path,
        default=Path(os.environ.get("SIMPLEFLOW_PEER_VENV", DEFAULT_VENV)),
        help="the peer's venv (SIMPLEFLOW_PEER_VENV; created with simpleflow 0.36.0 when missing)",
    )
    args = parser.parse_args(argv)
    compile_sources()
    (BENCH_DIR / "out").mkdir(exist_ok=True)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.moto_server import MotoServer

    server = MotoServer(stock=True)
    server.start()
    try:
        base = dict(os.environ, **server.environ(), LOG_LEVEL="WARNING")
        ours = peer = None
        if args.only in (None, "ours"):
            environ = dict(base, PYTHONPATH=pythonpath(REPO, BENCH_DIR))
            cli = [sys.executable, "-m", "simpleflow.command"]
            ours = measure(
                "ours", cli, environ, args.executions, args.activities, args.deciders, args.workers, args.with_startup
            )
        if args.only in (None, "peer"):
            installed: Peer = ensure_peer(args.peer_venv)
            environ = dict(base, PYTHONPATH=pythonpath(BENCH_DIR))
            cli = [str(installed.cli)]
            peer = measure(
                "peer", cli, environ, args.executions, args.activities, args.deciders, args.workers, args.with_startup
            )
    finally:
        server.stop()
    print(table(ours, peer, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
