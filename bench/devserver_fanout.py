"""The dev server under concurrency: D deciders and W workers on one task list, N executions at once of a
fan-out of A activities spread over C child workflows.

    python3 bench/devserver_fanout.py [--executions N] [--children C] [--per-child P] [--deciders D]
                                      [--workers W] [--poll-wait S]

One ``simpleflow dev-server`` (tests/moto_server.py, empty polls held ``--poll-wait`` seconds), D
``decider.start`` and W ``worker.start`` processes on the ``fanout`` task list, N executions of
``fanout_workflows.FanOutWithChildren`` started at once: each starts C ``SquaresChild`` children of P
activities (A = C x P). Checked: every execution and every child completed with the right result,
every activity ran exactly once (one line per run in a log the activities append to, one
ActivityTaskStarted per activity in the histories), no task timed out. Measured: wall time from the
first start to the last close, activities per second, decision tasks, and the CPU the server process
spent. The table goes to stdout and, as a ``##`` section, to bench/RESULTS.md (replacing an earlier one).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from _common import BENCH_DIR, REPO, BenchError, pythonpath, say, tree_cpu
from _fleet import swf_client

TITLE = "## The dev server under concurrency (`python3 bench/devserver_fanout.py`)"


@dataclass
class Figures:
    executions: int
    activities: int
    decision_tasks: int
    seconds: float
    server_cpu: float
    runs: int
    duplicates: int
    timeouts: int


def _histories(swf, domain: str) -> dict[str, list[dict]]:
    """Every execution of *domain* (all closed): its history by workflow id."""
    out = {}
    token = None
    while True:
        page = swf.list_closed_workflow_executions(
            domain=domain, startTimeFilter={"oldestDate": 0}, **({"nextPageToken": token} if token else {})
        )
        for info in page["executionInfos"]:
            execution = info["execution"]
            if info["closeStatus"] != "COMPLETED":
                raise BenchError(f"{execution['workflowId']} closed {info['closeStatus']}")
            events, page_token = [], None
            while True:
                extra = {"nextPageToken": page_token} if page_token else {}
                part = swf.get_workflow_execution_history(domain=domain, execution=execution, **extra)
                events += part["events"]
                page_token = part.get("nextPageToken")
                if not page_token:
                    break
            out[execution["workflowId"]] = events
        token = page.get("nextPageToken")
        if not token:
            return out


def _wait_closed(swf, domain: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        left = swf.count_open_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})["count"]
        if (
            left == 0
            and swf.count_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})["count"] >= count
        ):
            return
        if time.monotonic() > deadline:
            raise BenchError(f"{left} executions still open after {timeout:.0f} s")
        time.sleep(0.2)


def measure(args: argparse.Namespace, environ: dict[str, str], server_pid: int, workdir: Path) -> Figures:
    swf = swf_client(environ)
    domain = f"fanout-{uuid.uuid4().hex[:6]}"
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        name="bench-fanout-children",
        version="1",
        defaultTaskList={"name": "fanout"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="300",
        defaultChildPolicy="TERMINATE",
    )
    per_execution = args.children * args.per_child
    say(
        f"{args.executions} x ({args.children} children x {args.per_child} activities), "
        f"{args.deciders} deciders, {args.workers} workers"
    )
    command = [sys.executable, "-m", "simpleflow.command"]
    decider = [*command, "decider.start", "--domain", domain, "--task-list", "fanout"]
    decider += ["fanout_workflows.FanOutWithChildren", "fanout_workflows.SquaresChild"]
    worker = [*command, "worker.start", "--domain", domain, "--task-list", "fanout", "fanout_workflows"]
    logs = open(BENCH_DIR / "out" / "devserver-fanout.log", "w")  # noqa: SIM115 - closed below
    fleet = [subprocess.Popen(decider, env=environ, cwd="/", stdout=logs, stderr=logs) for _ in range(args.deciders)]
    fleet += [subprocess.Popen(worker, env=environ, cwd="/", stdout=logs, stderr=logs) for _ in range(args.workers)]
    server = [_Pid(server_pid)]
    try:
        time.sleep(5)  # up and polling
        cpu_at_start = tree_cpu(server)
        began = time.perf_counter()
        payload = json.dumps({"args": [str(workdir), args.children, args.per_child], "kwargs": {}})
        for k in range(args.executions):
            swf.start_workflow_execution(
                domain=domain,
                workflowId=f"fanout-{k}",
                workflowType={"name": "bench-fanout-children", "version": "1"},
                taskList={"name": "fanout"},
                input=payload,
            )
        _wait_closed(swf, domain, args.executions * (1 + args.children), timeout=1800)
        seconds = time.perf_counter() - began
        server_cpu = tree_cpu(server) - cpu_at_start
    finally:
        for process in fleet:
            process.send_signal(signal.SIGTERM)
        for process in fleet:
            try:
                process.wait(timeout=args.poll_wait + 60)  # its poll in flight ends first
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        logs.close()
    histories = _histories(swf, domain)
    expected_total = sum(x * x for x in range(per_execution))
    for k in range(args.executions):
        closing = histories[f"fanout-{k}"][-1]
        result = json.loads(closing["workflowExecutionCompletedEventAttributes"]["result"])
        if result != expected_total:
            raise BenchError(f"fanout-{k}: result {result}, expected {expected_total}")
    starts = Counter()
    timeouts = 0
    decision_tasks = 0
    for workflow_id, events in histories.items():
        scheduled = {}
        for event in events:
            etype = event["eventType"]
            if etype == "ActivityTaskScheduled":
                scheduled[event["eventId"]] = event["activityTaskScheduledEventAttributes"]["activityId"]
            elif etype == "ActivityTaskStarted":
                starts[(workflow_id, scheduled[event["activityTaskStartedEventAttributes"]["scheduledEventId"]])] += 1
            elif etype in ("ActivityTaskTimedOut", "DecisionTaskTimedOut"):
                timeouts += 1
            elif etype == "DecisionTaskCompleted":
                decision_tasks += 1
    lines = (workdir / "runs.log").read_text().splitlines()
    activities = args.executions * per_execution
    if len(starts) != activities or any(n != 1 for n in starts.values()):
        raise BenchError(f"{len(starts)} activities started, some more than once: {starts.most_common(3)}")
    return Figures(
        executions=args.executions,
        activities=activities,
        decision_tasks=decision_tasks,
        seconds=seconds,
        server_cpu=server_cpu,
        runs=len(lines),
        duplicates=len(lines) - len(set(lines)),
        timeouts=timeouts,
    )


class _Pid:
    """What tree_cpu needs of a process it did not start: its pid."""

    def __init__(self, pid: int) -> None:
        self.pid = pid


def section(figures: Figures, args: argparse.Namespace, load: str) -> str:
    def met(ok: bool) -> str:
        return "met" if ok else "**NOT met**"

    once = figures.runs == figures.activities and figures.duplicates == 0
    rows = [
        "| what | figure | target |",
        "| --- | ---: | --- |",
        f"| executions completed with the right result | {figures.executions} of {args.executions} | all: met |",
        f"| activities run (log lines) / distinct / expected | {figures.runs} / {figures.runs - figures.duplicates}"
        f" / {figures.activities} | each once: {met(once)} |",
        f"| activity or decision tasks timed out | {figures.timeouts} | 0: {met(figures.timeouts == 0)} |",
        f"| decision tasks | {figures.decision_tasks} | |",
        f"| wall time, first start to last close | {figures.seconds:.1f} s | for information |",
        f"| activities per second | {figures.activities / figures.seconds:.1f} | for information |",
        f"| server CPU per activity | {1000 * figures.server_cpu / figures.activities:.1f} ms | for information |",
    ]
    when = datetime.datetime.now(datetime.timezone.utc)
    setting = (
        f"{args.executions} executions started at once, each {args.children} child workflows of {args.per_child} "
        f"activities ({args.children * args.per_child} per execution), {args.deciders} `decider.start` and "
        f"{args.workers} `worker.start` processes on one task list, one dev server (empty polls held "
        f"{args.poll_wait:g} s), {when:%Y-%m-%d %H:%M} UTC, load average {load}."
    )
    return "\n".join([TITLE, "", setting, "", *rows]) + "\n"


def write_section(text: str, path: Path) -> None:
    """Put *text* at the end of *path*, in place of an earlier section of the same title."""
    old = path.read_text() if path.exists() else ""
    at = old.find(TITLE)
    if at >= 0:
        following = old.find("\n## ", at + len(TITLE))
        old = old[:at] + (old[following + 1 :] if following >= 0 else "")
    path.write_text(old.rstrip("\n") + "\n\n" + text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=20)
    parser.add_argument("--children", type=int, default=4)
    parser.add_argument("--per-child", type=int, default=5)
    parser.add_argument("--deciders", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--poll-wait", type=float, default=20.0, help="seconds the server holds an empty poll")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md")
    args = parser.parse_args(argv)
    (BENCH_DIR / "out").mkdir(exist_ok=True)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.moto_server import MotoServer

    server = MotoServer(poll_wait=args.poll_wait)
    server.start()
    loads = [", ".join(f"{x:.2f}" for x in os.getloadavg())]
    try:
        environ = dict(os.environ, **server.environ(), LOG_LEVEL="WARNING")
        environ["PYTHONPATH"] = pythonpath(REPO, BENCH_DIR)
        with tempfile.TemporaryDirectory() as workdir:
            figures = measure(args, environ, server.process.pid, Path(workdir))
    except BenchError as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
    finally:
        server.stop()
    loads.append(", ".join(f"{x:.2f}" for x in os.getloadavg()))
    text = section(figures, args, " / ".join(loads))
    print(text)
    write_section(text, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
