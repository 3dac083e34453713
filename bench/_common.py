"""Shared bits of the benchmark: paths, medians, timing a whole process."""

from __future__ import annotations

import os
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


def run_process(
    cmd: Sequence[str], env: dict[str, str] | None = None, timeout: float | None = None, cwd: Path | None = None
) -> ProcessRun:
    """Run *cmd* to its end and return its wall time (start of the process to its exit) and output."""
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    seconds = time.perf_counter() - start
    return ProcessRun(seconds, proc.returncode, proc.stdout, proc.stderr)


def tail(text: str, lines: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class BenchError(RuntimeError):
    """A measurement could not be taken (wrong result, crash...): the row says so."""
