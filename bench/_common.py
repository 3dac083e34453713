"""Shared bits of the benchmark: paths, medians, timing a whole process, CPU of a process tree."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"  # generated histories and scratch files (git-ignored)
INPUTS = BENCH_DIR  # bench_workflows.py, gen_history.py, replay_peer.py


def compile_sources() -> None:
    """Byte-compile this checkout's simpleflow, examples and bench inputs before anything is timed.

    With PYTHONDONTWRITEBYTECODE set, a module changed since its .pyc was written is compiled again by every
    timed process: a start-up cost the peer (compiled by pip at install) never pays.
    """
    import compileall

    for folder in (REPO / "simpleflow", REPO / "examples", BENCH_DIR):
        compileall.compile_dir(folder, quiet=1)


def say(message: str) -> None:
    """Progress on stderr, so that stdout holds only the table."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def pythonpath(*dirs: Path) -> str:
    """A PYTHONPATH of just *dirs*: nothing inherited that could put one simpleflow in the other's place."""
    return os.pathsep.join(str(d) for d in dirs)


@dataclass
class ProcessRun:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system time of the process and the children it waited for


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_process(
    cmd: Sequence[str], env: dict[str, str] | None = None, timeout: float | None = None, cwd: Path | None = None
) -> ProcessRun:
    """Run *cmd* to its end and return its wall time (start of the process to its exit), its CPU time
    (the kernel's count: what other work on the machine barely changes) and its output."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    seconds = time.perf_counter() - start
    return ProcessRun(seconds, proc.returncode, proc.stdout, proc.stderr, _children_cpu() - cpu)


def tail(text: str, lines: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class BenchError(RuntimeError):
    """A measurement could not be taken (wrong result, crash...): the row says so."""


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def tree_cpu(processes: list[subprocess.Popen]) -> float:
    """CPU seconds so far of *processes* and all their descendants (Linux /proc).

    Each live process counts its own time and that of the children it has reaped
    (utime, stime, cutime, cstime), so nothing is counted twice.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    todo = [process.pid for process in processes]
    while todo:
        pid = todo.pop()
        fields = _stat(pid)
        if fields is not None:
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        todo.extend(children.get(pid, []))
    return total / ticks
