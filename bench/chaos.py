"""The fault suite: K executions on a moto server while deciders, workers and the network fail.

    python3 bench/chaos.py [--executions K] [--chain N] [--fan N] [--deciders D] [--workers W]
                           [--fault-seconds S] [--lose-probability P] [--seed N]

The long run of bench/RESULTS.md: ``--chain 10 --fan 10 --fault-seconds 60`` (100 activities).

Deciders and workers reach the moto server through a TCP proxy that this script
controls. While the faults last it, at random (seeded) moments:

- kills a decider or a worker with SIGKILL and starts a new one in its place;
- cuts the network for one to three seconds (every open connection closed, new
  ones refused);
- and all along, loses the answer to some requests after the server applied
  them (a respond that "failed" although SWF took it, a poll whose task never
  arrives).

Then it waits for every execution to close and checks that each one completed
with the right result, and that every activity that ran more than once has a
fault to explain each extra run: the run was cut short by a kill, a kill or a
network fault fell within it or within a heartbeat timeout after it, or else SWF's
history records a timeout of the task then (one timeout per extra run: a worker's
answer that came too late, as on a loaded machine). It prints a report, with the
re-runs counted by cause, and exits 1 when a check fails. A short run is part of the test suite
(tests/swf/test_chaos.py); bench/RESULTS.md gives a long run's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
# A fault explains a re-run when it falls within a run or up to (step's heartbeat timeout + this) after it:
# how long a task the fault hit may take to be retried.
EXPLAIN_SLACK = 6.0


class FaultyProxy:
    """A TCP proxy to one upstream port that can cut the network and lose answers.

    ``outage(seconds)`` closes every connection and refuses new ones for that
    long. Each request starting a POST has ``lose_probability`` of having its
    answer lost: the request reaches the server, the answer is dropped and the
    connection closed, as a network failure after the server acted would do.
    """

    def __init__(self, upstream_port: int, lose_probability: float, rng: random.Random) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.lose_probability = lose_probability
        self.rng = rng
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down_until = 0.0
        self.faults: list[tuple[float, float, str]] = []  # (start, end, kind)
        self.lost_answers = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._stop = threading.Event()
        threading.Thread(target=self._accept_loop, name="proxy-accept", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def outage(self, seconds: float) -> None:
        now = time.time()
        with self._lock:
            self.down_until = now + seconds
            self.faults.append((now, now + seconds, "outage"))
            sockets = list(self._open)
        for sock in sockets:
            _close(sock)

    def close(self) -> None:
        self._stop.set()
        _close(self.listener)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if time.time() < self.down_until:
                _close(client)
                continue
            threading.Thread(target=self._serve, args=(client,), name="proxy-conn", daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _close(client)
            return
        upstream.settimeout(None)
        with self._lock:
            self._open.update((client, upstream))
        doomed = False
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.5):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    target: socket.socket = key.data
                    data = source.recv(65536)
                    if not data:
                        return
                    if source is client and data.startswith(b"POST"):
                        with self._lock:
                            doomed = self.rng.random() < self.lose_probability
                    if source is upstream and doomed:
                        now = time.time()
                        with self._lock:
                            self.lost_answers += 1
                            self.faults.append((now, now, "lost answer"))
                        return
                    target.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            with self._lock:
                self._open.discard(client)
                self._open.discard(upstream)
            _close(client)
            _close(upstream)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


@dataclass
class Fleet:
    """The decider and worker processes, each replaced when killed."""

    domain: str
    endpoint: str
    log_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    kills: list[tuple[float, str, int]] = field(default_factory=list)  # (time, label, pid)
    exited: list[tuple[str, int | None]] = field(default_factory=list)  # processes that stopped on their own
    _count: int = 0

    def environ(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            PYTHONPATH=os.pathsep.join([str(REPO), str(BENCH_DIR)]),
            SIMPLEFLOW_CHAOS_LOG=str(self.log_dir),
            LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
        )
        return env

    def start(self, role: str) -> str:
        self._count += 1
        label = f"{role}-{self._count}"
        if role == "decider":
            args = ["decider.start", "--domain", self.domain, "--task-list", "chaos-decisions"]
            args.append("chaos_workflows.ChaosWorkflow")
        else:
            args = ["worker.start", "--domain", self.domain, "--task-list", "chaos-activities"]
            args += ["--heartbeat", "0.5", "chaos_workflows"]
        log = open(self.log_dir / f"{label}.out", "w")  # noqa: SIM115 - the child holds it
        command = [sys.executable, "-m", "simpleflow.command", *args]
        self.processes[label] = subprocess.Popen(
            command, env=self.environ(), cwd=REPO, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return label

    def kill(self, label: str) -> None:
        process = self.processes.pop(label)
        self.kills.append((time.time(), label, process.pid))
        process.kill()
        process.wait()

    def replace_exited(self) -> None:
        for label, process in list(self.processes.items()):
            if process.poll() is not None:
                self.exited.append((label, process.returncode))
                del self.processes[label]
                self.start(label.split("-")[0])

    def labels(self, role: str) -> list[str]:
        return [label for label in self.processes if label.startswith(role)]

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Report:
    executions: int
    completed_right: int
    wrong: list[str]
    activities: int
    runs: int
    reruns: int
    rerun_causes: dict[str, int]  # CUT_SHORT / FAULT / TIMEOUT: how many re-runs each explains
    unexplained: list[str]
    decider_kills: int
    worker_kills: int
    outage_seconds: float
    lost_answers: int
    exited_on_their_own: list[tuple[str, int | None]]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.completed_right == self.executions and not self.wrong and not self.unexplained

    def text(self) -> str:
        lines = [
            f"executions: {self.executions}, completed with the right result: {self.completed_right}",
            f"activities: {self.activities}, runs: {self.runs}, re-runs: {self.reruns}, "
            f"unexplained re-runs: {len(self.unexplained)}",
            f"re-runs explained: {self.rerun_causes.get(CUT_SHORT, 0)} after a run cut short by a kill, "
            f"{self.rerun_causes.get(FAULT, 0)} after a kill or network fault near the run, "
            f"{self.rerun_causes.get(TIMEOUT, 0)} after a timeout SWF recorded with no fault near",
            f"faults: {self.decider_kills} decider kills, {self.worker_kills} worker kills, "
            f"{self.outage_seconds:.1f} s of network outage, {self.lost_answers} lost answers",
            f"processes that stopped on their own (replaced): {len(self.exited_on_their_own)}",
            f"wall time: {self.seconds:.1f} s",
        ]
        lines += [f"WRONG: {line}" for line in self.wrong]
        lines += [f"UNEXPLAINED: {line}" for line in self.unexplained[:20]]
        lines.append("ok" if self.ok else "FAILED")
        return "\n".join(lines)


def _activity_runs(log_dir: Path) -> dict[str, list[dict]]:
    """Each task's runs, in start order: {"start", "end" (or None), "pid"}."""
    runs: dict[str, dict[tuple[int, float], dict]] = {}
    open_runs: dict[tuple[str, int], dict] = {}
    for path in sorted(log_dir.glob("activity-*.log")):
        for line in path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            key = (entry["task"], entry["pid"])
            if entry["event"] == "start":
                run = {"start": entry["time"], "end": None, "pid": entry["pid"]}
                runs.setdefault(entry["task"], {})[(entry["pid"], entry["time"])] = run
                open_runs[key] = run
            elif key in open_runs:
                open_runs.pop(key)["end"] = entry["time"]
    return {task: sorted(by_start.values(), key=lambda r: r["start"]) for task, by_start in runs.items()}


@dataclass(frozen=True)
class AttemptEnd:
    """How one attempt of a task ended in SWF's history."""

    kind: str  # ActivityTaskCompleted, ActivityTaskFailed, ActivityTaskTimedOut
    how: str  # the timeout type (HEARTBEAT...) or the failure's reason
    time: float

    def text(self) -> str:
        return f"{self.kind} {self.how} at {self.time:.2f}".replace("  ", " ")


def _attempt_ends(swf, domain: str, execution: dict) -> dict[str, list[AttemptEnd]]:
    """How each attempt of each task of *execution* ended in SWF's history, by task ("tag/index")."""
    events = []
    kwargs = {"domain": domain, "execution": execution}
    while True:
        page = swf.get_workflow_execution_history(**kwargs)
        events += page["events"]
        if not page.get("nextPageToken"):
            break
        kwargs["nextPageToken"] = page["nextPageToken"]
    tasks: dict[int, str] = {}
    ends: dict[str, list[AttemptEnd]] = {}
    for event in events:
        kind = event["eventType"]
        attrs = next((v for k, v in event.items() if k.endswith("EventAttributes")), {})
        if kind == "ActivityTaskScheduled":
            tag, index, _ = json.loads(attrs["input"])["args"]
            tasks[event["eventId"]] = f"{tag}/{index}"
        elif kind in ("ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut"):
            how = attrs.get("timeoutType") or attrs.get("reason") or ""
            stamp = event["eventTimestamp"]
            stamp = stamp.timestamp() if hasattr(stamp, "timestamp") else float(stamp)
            ends.setdefault(tasks.get(attrs.get("scheduledEventId"), "?"), []).append(AttemptEnd(kind, how, stamp))
    return ends


# Why a task ran once more: its run before was cut short (its process killed), a kill or a network
# fault fell near that run, or SWF timed that run's attempt out (a heartbeat timeout: the worker's
# answer or heartbeat came too late, as on a loaded machine) with no fault near.
CUT_SHORT, FAULT, TIMEOUT = "cut short", "fault", "timeout"


def _rerun_causes(
    runs: list[dict], faults: list[tuple[float, float]], ends: list[AttemptEnd], window: float
) -> list[str | None]:
    """The cause of each extra run of a task (one per run but the last), None where nothing explains it.

    A run is explained by a fault within [its start - 1 s, its end + *window*]; else by a timeout that SWF
    recorded for the task in that span, each timeout explaining one run only.
    """
    timeouts = sorted(end.time for end in ends if end.kind == "ActivityTaskTimedOut")
    causes: list[str | None] = []
    for run in runs[:-1]:  # every run but the last was followed by another
        if run["end"] is None:
            causes.append(CUT_SHORT)
            continue
        lo, hi = run["start"] - 1.0, run["end"] + window
        if any(start <= hi and end >= lo for start, end in faults):
            causes.append(FAULT)
            continue
        seen = next((t for t in timeouts if lo <= t <= hi), None)
        if seen is not None:
            timeouts.remove(seen)
        causes.append(None if seen is None else TIMEOUT)
    return causes


def _unexplained_line(task: str, runs: list[dict], run: dict, ends: list[AttemptEnd]) -> str:
    return (
        f"{task}: ran {len(runs)} times, the run of pid {run['pid']} from {run['start']:.2f} to "
        f"{run['end']:.2f} explained by no fault; attempts ended: {'; '.join(e.text() for e in ends) or '?'}"
    )


def run_chaos(
    executions: int = 5,
    chain: int = 6,
    fan: int = 6,
    deciders: int = 2,
    workers: int = 3,
    fault_seconds: float = 30.0,
    lose_probability: float = 0.02,
    seed: int = 1,
    close_timeout: float = 300.0,
    work_dir: Path | None = None,
) -> Report:
    """Run the suite on a moto server of its own; the report says what held."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    import boto3
    from chaos_workflows import ChaosWorkflow, expected_result

    from tests.moto_server import MotoServer

    rng = random.Random(seed)
    work_dir = work_dir or Path(os.environ.get("TMPDIR", "/tmp")) / f"simpleflow-chaos-{uuid.uuid4().hex[:8]}"
    log_dir = work_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    server = MotoServer()
    server.start()
    saved = {k: os.environ.get(k) for k in server.environ()}
    server.apply_environ()
    from simpleflow.swf import client

    client.reset_clients()  # this process's cached clients may point at another endpoint
    proxy = FaultyProxy(server.port, lose_probability, random.Random(seed + 1))
    fleet = Fleet(domain=f"chaos-{uuid.uuid4().hex[:6]}", endpoint=proxy.url, log_dir=log_dir)
    began = time.time()
    try:
        swf = boto3.client("swf")
        swf.register_domain(name=fleet.domain, workflowExecutionRetentionPeriodInDays="1")
        from simpleflow.swf.starter import start_workflow

        for _ in range(deciders):
            fleet.start("decider")
        for _ in range(workers):
            fleet.start("worker")
        started = []
        for k in range(executions):
            tag = f"run{k}"
            started.append(
                start_workflow(fleet.domain, ChaosWorkflow, {"args": [tag, chain, fan], "kwargs": {}}, workflow_id=tag)
            )
        deadline = began + fault_seconds
        while time.time() < deadline:
            time.sleep(rng.uniform(1.0, 3.0))
            fleet.replace_exited()
            fault = rng.choice(["decider", "worker", "worker", "outage"])
            if fault == "outage":
                proxy.outage(rng.uniform(1.0, 3.0))
            else:
                victims = fleet.labels(fault)
                if victims:
                    fleet.kill(rng.choice(victims))
                    fleet.start(fault)
        proxy.lose_probability = 0.0  # the faults stop; let every execution close
        wrong: list[str] = []
        right = 0
        ends: dict[str, list[AttemptEnd]] = {}
        for execution in started:
            status, result = _wait_closed(swf, fleet, execution, began + fault_seconds + close_timeout)
            if status == "COMPLETED" and result == expected_result(chain, fan):
                right += 1
            else:
                wrong.append(f"{execution['workflowId']}: {status} with {result!r}")
            ends.update(_attempt_ends(swf, fleet.domain, execution))
    finally:
        fleet.stop()
        proxy.close()
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        client.reset_clients()
    runs = _activity_runs(log_dir)
    faults = [(start, end) for start, end, _ in proxy.faults] + [(t, t) for t, _, _ in fleet.kills]
    window = _heartbeat_timeout() + EXPLAIN_SLACK
    causes: dict[str, int] = {}
    unexplained = []
    for task, task_runs in runs.items():
        task_ends = ends.get(task, [])
        for run, cause in zip(task_runs, _rerun_causes(task_runs, faults, task_ends, window)):
            if cause is None:
                unexplained.append(_unexplained_line(task, task_runs, run, task_ends))
            else:
                causes[cause] = causes.get(cause, 0) + 1
    missing = executions * (chain + fan) - len(runs)
    if missing > 0:
        wrong.append(f"{missing} activities never ran")
    return Report(
        executions=executions,
        completed_right=right,
        wrong=wrong,
        activities=len(runs),
        runs=sum(len(r) for r in runs.values()),
        reruns=sum(len(r) - 1 for r in runs.values()),
        rerun_causes=causes,
        unexplained=unexplained,
        decider_kills=sum(1 for _, label, _ in fleet.kills if label.startswith("decider")),
        worker_kills=sum(1 for _, label, _ in fleet.kills if label.startswith("worker")),
        outage_seconds=sum(end - start for start, end, kind in proxy.faults if kind == "outage"),
        lost_answers=proxy.lost_answers,
        exited_on_their_own=fleet.exited,
        seconds=time.time() - began,
    )


def _heartbeat_timeout() -> float:
    """chaos_workflows.step's heartbeat timeout, in seconds."""
    from chaos_workflows import HEARTBEAT_TIMEOUT

    return float(HEARTBEAT_TIMEOUT)


def _wait_closed(swf, fleet: Fleet, execution: dict, deadline: float) -> tuple[str, object]:
    """(close status, decoded result) of *execution*, or ("OPEN", None) at the deadline."""
    while time.time() < deadline:
        fleet.replace_exited()
        info = swf.describe_workflow_execution(domain=fleet.domain, execution=execution)["executionInfo"]
        if info["executionStatus"] == "CLOSED":
            events = swf.get_workflow_execution_history(domain=fleet.domain, execution=execution)["events"]
            last = events[-1]
            attrs = last.get("workflowExecutionCompletedEventAttributes") or {}
            result = json.loads(attrs["result"]) if attrs.get("result") else None
            return info.get("closeStatus", "?"), result
        time.sleep(0.5)
    return "OPEN", None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=5, help="executions started at once")
    parser.add_argument("--chain", type=int, default=6, help="activities in a row in each")
    parser.add_argument("--fan", type=int, default=6, help="activities at once after the chain")
    parser.add_argument("--deciders", type=int, default=2, help="decider processes")
    parser.add_argument("--workers", type=int, default=3, help="worker processes")
    parser.add_argument("--fault-seconds", type=float, default=30.0, help="how long faults are injected")
    parser.add_argument("--lose-probability", type=float, default=0.02, help="share of answers lost")
    parser.add_argument("--seed", type=int, default=1, help="seeds the faults' choices")
    args = parser.parse_args(argv)
    report = run_chaos(
        executions=args.executions,
        chain=args.chain,
        fan=args.fan,
        deciders=args.deciders,
        workers=args.workers,
        fault_seconds=args.fault_seconds,
        lose_probability=args.lose_probability,
        seed=args.seed,
    )
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
