"""One decision on a synthetic history: ours cold and warm, the peer (always cold).

Cold is what a decider without a cache pays on every decision task, and what
``replay_peer.py`` times for the peer: ``json.loads`` of the whole history plus
a full replay. Warm is what a decider with a run cache pays: a ``WorkflowRun``
that has already decided on the history up to the previous decision task is
fed only the events that came after it, and only that ``advance`` is timed.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from _common import OUT_DIR, REPO, BenchError, median, pythonpath, run_process, say, tail
from _peer import Peer


@dataclass
class Decision:
    ms: float  # median wall time of one decision
    decisions: int
    first: str | None  # type of the first decision
    cpu_ms: float = 0.0  # median CPU time of one decision (cold: the process's, all its threads)


def history_file(inputs: Path, kind: str, n: int, done: int) -> Path:
    """``gen_history.py KIND N DONE`` written under bench/out/ (kept between runs)."""
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"history-{kind}-{n}-{done}.json"
    if not path.exists():
        proc = run_process([sys.executable, str(inputs / "gen_history.py"), kind, str(n), str(done)])
        if proc.returncode != 0:
            raise BenchError(f"gen_history.py {kind} {n} {done} failed: {tail(proc.stderr)}")
        tmp = path.with_suffix(".tmp")
        tmp.write_text(proc.stdout)
        tmp.replace(path)
    return path


def event_count(path: Path) -> int:
    return len(json.loads(path.read_text())["events"])


def _workflow_class(inputs: Path, name: str) -> type:
    if str(inputs) not in sys.path:
        sys.path.insert(0, str(inputs))
    return getattr(importlib.import_module("bench_workflows"), name)


def _summary(decisions: list[dict]) -> tuple[int, str | None]:
    return len(decisions), (decisions[0]["decisionType"] if decisions else None)


def ours_cold(inputs: Path, path: Path, class_name: str, repeat: int) -> tuple[Decision, list[dict]]:
    """json.loads of the file + ``engine.replay``, timed by replay_ours.py in a process of its own,
    exactly as replay_peer.py times the peer (a fresh process each side: same heap, same GC work)."""
    from simpleflow.engine import replay

    # This checkout's simpleflow, not whichever one is installed (an editable install may point elsewhere).
    env = dict(os.environ, PYTHONPATH=pythonpath(REPO, inputs))
    script = Path(__file__).with_name("replay_ours.py")
    proc = run_process([sys.executable, str(script), str(path), class_name, str(repeat)], env=env)
    match = _PEER_LINE.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise BenchError(f"replay_ours.py failed on {path.name}: {tail(proc.stderr or proc.stdout)}")
    decisions = replay(_workflow_class(inputs, class_name), json.loads(path.read_text())["events"])
    return Decision(float(match.group(3)), *_summary(decisions), float(match.group(4))), decisions


def split_at_previous_decision(events: list[dict]) -> int:
    """Index just past the previous decision task's ``DecisionTaskStarted``: what the cached run had seen."""
    started = [i for i, e in enumerate(events) if e["eventType"] == "DecisionTaskStarted"]
    if len(started) < 2:
        raise BenchError("the history has fewer than two decision tasks: nothing to resume")
    return started[-2] + 1


def ours_warm(inputs: Path, path: Path, class_name: str, repeat: int) -> tuple[Decision, list[dict], int]:
    """A run that decided on the history up to the previous decision task, fed only the new events.

    Returns the figure, the last decisions and how many times the run fell back to a full replay
    (0 when the figure really is a resumed run).
    """
    from simpleflow.engine import WorkflowRun

    workflow_class = _workflow_class(inputs, class_name)
    raw = path.read_text()
    times = []
    fallbacks = 0
    for _ in range(repeat):
        events = json.loads(raw)["events"]  # fresh dicts: the engine may keep references to them
        cut = split_at_previous_decision(events)
        run = WorkflowRun(workflow_class)
        try:
            run.advance(events[:cut])
            before = run.fallbacks
            new = events[cut:]
            start = time.perf_counter()
            decisions = run.advance(new)
            times.append((time.perf_counter() - start) * 1000)
            fallbacks += run.fallbacks - before
        finally:
            run.close()
    return Decision(median(times), *_summary(decisions)), decisions, fallbacks


_PEER_LINE = re.compile(r"decisions=(\d+) first=(\S+) ms=([\d.]+) cpu=([\d.]+)")


def peer_cold(peer: Peer, inputs: Path, path: Path, class_name: str, repeat: int) -> Decision:
    """``replay_peer.py HISTORY CLASS REPEAT`` in the peer's venv."""
    env = dict(os.environ, PYTHONPATH=pythonpath(inputs))
    proc = run_process([str(peer.python), str(inputs / "replay_peer.py"), str(path), class_name, str(repeat)], env=env)
    match = _PEER_LINE.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise BenchError(f"replay_peer.py failed on {path.name}: {tail(proc.stderr or proc.stdout)}")
    first = None if match.group(2) == "None" else match.group(2)
    return Decision(float(match.group(3)), int(match.group(1)), first, float(match.group(4)))


def ours_cli_replay(inputs: Path, path: Path, class_name: str, repeat: int) -> float:
    """Seconds (median) of the whole ``simpleflow workflow.replay`` process."""
    env = dict(os.environ, PYTHONPATH=pythonpath(REPO, inputs))
    times = []
    for _ in range(repeat):
        proc = run_process(["simpleflow", "workflow.replay", f"bench_workflows.{class_name}", str(path)], env=env)
        if proc.returncode != 0:
            raise BenchError(f"simpleflow workflow.replay failed: {tail(proc.stderr)}")
        times.append(proc.seconds)
    return median(times)


# ``simpleflow workflow.replay`` as a user would run it if orjson were not installed (json parses the file).
_WITHOUT_ORJSON = (
    "import sys; sys.modules['orjson'] = None; sys.argv[0] = 'simpleflow'; from simpleflow.command import cli; cli()"
)


@dataclass
class WholeProcess:
    """Median seconds of whole processes on a long history and on a short one (the same start-up):
    wall time, and CPU time (user + system, the kernel's count)."""

    long: float
    short: float
    long_cpu: float
    short_cpu: float

    @property
    def work(self) -> float:
        """The long history's CPU time beyond start-up: what the history itself costs the process."""
        return self.long_cpu - self.short_cpu

    @property
    def work_wall(self) -> float:
        return self.long - self.short


def whole_processes(
    peer: Peer, inputs: Path, long: Path, short: Path, class_name: str, runs: int
) -> tuple[WholeProcess, WholeProcess, WholeProcess]:
    """``simpleflow workflow.replay`` (ours, then ours with json instead of orjson) and the peer's
    ``replay_peer.py ... 1``, each on *long* and on *short*; runs interleaved so that all share the
    machine's load alike."""
    ours_env = dict(os.environ, PYTHONPATH=pythonpath(REPO, inputs))
    peer_env = dict(os.environ, PYTHONPATH=pythonpath(inputs))
    workflow = f"bench_workflows.{class_name}"

    def commands(path: Path) -> list[tuple[str, list[str], dict[str, str]]]:
        return [
            ("ours", ["simpleflow", "workflow.replay", workflow, str(path)], ours_env),
            ("json", [sys.executable, "-c", _WITHOUT_ORJSON, "workflow.replay", workflow, str(path)], ours_env),
            ("peer", [str(peer.python), str(inputs / "replay_peer.py"), str(path), class_name, "1"], peer_env),
        ]

    times: dict[tuple[str, Path], list[float]] = {}
    cpu: dict[tuple[str, Path], list[float]] = {}
    for _ in range(runs):
        for path in (long, short):
            for side, cmd, env in commands(path):
                proc = run_process(cmd, env=env)
                if proc.returncode != 0:
                    raise BenchError(f"{side}: {shlex.join(cmd[:3])} ... failed: {tail(proc.stderr)}")
                times.setdefault((side, path), []).append(proc.seconds)
                cpu.setdefault((side, path), []).append(proc.cpu_seconds)

    def figure(side: str) -> WholeProcess:
        return WholeProcess(
            median(times[(side, long)]),
            median(times[(side, short)]),
            median(cpu[(side, long)]),
            median(cpu[(side, short)]),
        )

    return figure("ours"), figure("json"), figure("peer")


def parse_times(path: Path, repeat: int) -> tuple[float, float]:
    """CPU milliseconds (median) to parse the history file with json and with orjson, in a process of its own
    (the collector held off, as ``format.parse_document`` does; each result freed outside the timing)."""
    code = (
        "import gc, json, statistics, sys, time\n"
        "import orjson\n"
        "raw = open(sys.argv[1], 'rb').read()\n"
        "def timed(parse):\n"
        "    times = []\n"
        "    for _ in range(int(sys.argv[2])):\n"
        "        gc.disable()\n"
        "        start = time.process_time(); value = parse(raw); times.append(time.process_time() - start)\n"
        "        del value\n"
        "        gc.enable()\n"
        "    return statistics.median(times) * 1000\n"
        "print(timed(json.loads), timed(orjson.loads))\n"
    )
    proc = run_process([sys.executable, "-c", code, str(path), str(repeat)])
    if proc.returncode != 0:
        raise BenchError(f"timing the parsers failed: {tail(proc.stderr)}")
    json_ms, orjson_ms = (float(v) for v in proc.stdout.split())
    return json_ms, orjson_ms


def check_same(ours: list[dict], peer: Decision, label: str) -> None:
    """Our decision must be the peer's (count and first type), or the comparison is meaningless."""
    count, first = _summary(ours)
    if (count, first) != (peer.decisions, peer.first):
        say(f"WARNING {label}: ours decides {count} x {first}, the peer {peer.decisions} x {peer.first}")
