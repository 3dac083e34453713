"""Local runs, whole process: ``simpleflow workflow.start --local``, ours and the peer's.

The peer's local mode prints nothing on stdout (its ``run_workflow_locally``
drops the result), and logs one ``executing task`` line per activity at INFO.
Both are timed with the same environment, ``LOG_LEVEL=WARNING`` (our default,
and the stricter comparison: the peer's INFO logging costs it ~0.25 s on 5,000
activities). Before the timed runs, each side does one untimed run that checks
the work was done: our printed result, the peer's count of executed activities
(at INFO).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from _common import BENCH_DIR, REPO, BenchError, median, pythonpath, run_process, tail
from _peer import Peer


@dataclass
class LocalCase:
    workflow: str  # module.Class, importable from bench/
    input: list
    activities: int  # activities the run executes (checks the peer's run)
    result: object  # what our run prints (checks ours)
    workers: int = 1  # ours only: the peer has no such option


def _env(inputs: Path, log_level: str, ours: bool = False) -> dict[str, str]:
    # Ours: this checkout's simpleflow (an editable install may point elsewhere); the peer: its venv's.
    dirs = (REPO, BENCH_DIR, inputs) if ours else (BENCH_DIR, inputs)
    env = dict(os.environ, PYTHONPATH=pythonpath(*dirs), LOG_LEVEL=log_level)
    env.pop("PYTHONHOME", None)
    return env


def _ours_cmd(case: LocalCase) -> list[str]:
    cmd = ["simpleflow", "workflow.start", "--local", case.workflow, "--input", json.dumps(case.input)]
    if case.workers != 1:
        cmd += ["--workers", str(case.workers)]
    return cmd


def _peer_cmd(peer: Peer, case: LocalCase) -> list[str]:
    return [str(peer.cli), "workflow.start", "--local", case.workflow, "--input", json.dumps(case.input)]


def ours_once(inputs: Path, case: LocalCase, timeout: float) -> float:
    proc = run_process(_ours_cmd(case), env=_env(inputs, "WARNING", ours=True), timeout=timeout)
    if proc.returncode != 0:
        raise BenchError(f"ours {case.workflow} failed: {tail(proc.stderr)}")
    try:
        printed = json.loads(proc.stdout)
    except ValueError as err:
        raise BenchError(f"ours {case.workflow} printed {proc.stdout[:80]!r}") from err
    if printed != case.result:
        raise BenchError(f"ours {case.workflow} printed {printed!r}, expected {case.result!r}")
    return proc.seconds


def peer_once(peer: Peer, inputs: Path, case: LocalCase, timeout: float, check: bool) -> float:
    """One run of the peer; with *check*, at INFO, and its executed activities are counted."""
    proc = run_process(_peer_cmd(peer, case), env=_env(inputs, "INFO" if check else "WARNING"), timeout=timeout)
    if proc.returncode != 0:
        raise BenchError(f"peer {case.workflow} failed: {tail(proc.stderr)}")
    if check:
        executed = proc.stderr.count("executing task")
        if executed != case.activities:
            raise BenchError(f"peer {case.workflow} executed {executed} activities, expected {case.activities}")
    return proc.seconds


def compare(
    peer: Peer | None,
    inputs: Path,
    case: LocalCase,
    repeat: int,
    timeout: float = 600.0,
    peer_repeat: int | None = None,
) -> tuple[float, float | None]:
    """Median seconds, ours and the peer's, runs interleaved so that drift hits both alike.

    *peer_repeat* (default *repeat*) bounds the peer's timed runs; 0 skips the peer.
    A *peer_repeat* of 1 times the checking run itself (for long runs where logging is noise).
    """
    peer_repeat = repeat if peer_repeat is None else peer_repeat
    ours_once(inputs, case, timeout)  # warm-up (imports, page cache) and check
    peer_times: list[float] = []
    if peer is not None and peer_repeat > 0:
        first = peer_once(peer, inputs, case, timeout, check=True)
        if peer_repeat == 1:
            peer_times.append(first)
    ours_times = []
    for i in range(max(repeat, peer_repeat)):
        if i < repeat:
            ours_times.append(ours_once(inputs, case, timeout))
        if peer is not None and 1 < peer_repeat and i < peer_repeat:
            peer_times.append(peer_once(peer, inputs, case, timeout, check=False))
    return median(ours_times), (median(peer_times) if peer_times else None)
