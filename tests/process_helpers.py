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
