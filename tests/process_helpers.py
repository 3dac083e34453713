"""Whether test processes (and the children they start) live: /proc and ps on Linux."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether *pid* runs (a zombie, dead but not reaped by its parent yet, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_dead(pids: set[int], timeout: float = 15.0) -> set[int]:
    """The *pids* still alive after *timeout* seconds (empty as soon as all are dead)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = {pid for pid in pids if alive(pid)}
        if not left:
            return left
        time.sleep(0.05)
    return {pid for pid in pids if alive(pid)}


def child_pids(pid: int) -> set[int]:
    """The children *pid* has now."""
    listing = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True).stdout
    return {int(line) for line in listing.split()}


def children(pid: int, count: int, timeout: float = 20.0) -> set[int]:
    """The *count* children of *pid*, once it has started them."""
    deadline = time.monotonic() + timeout
    found: set[int] = set()
    while time.monotonic() < deadline:
        found = child_pids(pid)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{pid} has children {found}, expected {count}")


def catches_sigterm(pid: int) -> bool:
    """Whether *pid* has a handler for SIGTERM (Linux: the SigCgt mask of /proc/PID/status)."""
    import signal

    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


def wait_catching_sigterm(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Wait until *process* handles SIGTERM: before the interpreter runs its first lines, nothing can."""
    deadline = time.monotonic() + timeout
    while not catches_sigterm(process.pid):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.002)


def interrupt_once_started(
    command: list[str], cue: Path, *, cwd: Path | str, env: dict[str, str], merge_stderr: bool = False
) -> tuple[int, str, str, float]:
    """Run *command* in a session of its own and send it SIGINT once *cue* exists (the run is under way):
    (exit status, stdout, stderr, seconds from the SIGINT to its exit). With *merge_stderr*, stderr is in stdout."""
    import os
    import signal

    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not cue.exists():
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.02)
        time.sleep(0.3)  # into the wait
        os.kill(process.pid, signal.SIGINT)
        sent = time.monotonic()
        out, err = process.communicate(timeout=50)
        return process.returncode, out, err or "", time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
