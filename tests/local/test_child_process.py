"""Programs started by simpleflow.runtime.child_process die with the process that started them, whichever way
it dies, and a program that ended is no longer anybody's to kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from simpleflow.runtime import child_process, group_keeper
from tests.process_helpers import alive, wait_dead

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _program(tmp_path, pid_file) -> str:
    """A program that starts a grandchild in its group, writes both pids, and sleeps."""
    path = tmp_path / "family.py"
    path.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(
            f"""
            import os, subprocess, sys, time
            grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            open({str(pid_file)!r}, "w").write(f"{{os.getpid()}} {{grandchild.pid}}")
            time.sleep(60)
            """
        )
    )
    path.chmod(0o755)
    return str(path)


def _started_then_killed(tmp_path, setup: str = "") -> list[int]:
    """Start a process that runs the program, kill -9 it once the program runs: the program's pid and its
    child's."""
    pid_file = tmp_path / "family.pids"
    program = _program(tmp_path, pid_file)
    code = f"{setup}\nfrom simpleflow.runtime import child_process\nchild_process.run([{program!r}])\n"
    parent = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=ROOT))
    try:
        deadline = time.monotonic() + 20
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        family = [int(pid) for pid in pid_file.read_text().split()]
        assert all(alive(pid) for pid in family)
        parent.send_signal(signal.SIGKILL)  # no Python code runs: only the kernel can tell
        parent.wait()
        return family
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_kill_9_of_the_parent_kills_the_program_and_what_it_started(tmp_path):
    family = _started_then_killed(tmp_path)
    assert wait_dead(set(family), timeout=5) == set()


def test_without_a_keeper_the_parent_death_signal_kills_the_program(tmp_path):
    setup = "from simpleflow.runtime import group_keeper\ngroup_keeper._SHELL = '/nonexistent/sh'"
    program, grandchild = _started_then_killed(tmp_path, setup)
    try:
        assert wait_dead({program}, timeout=5) == set()
    finally:
        if alive(grandchild):
            os.kill(grandchild, signal.SIGKILL)  # it has no death signal of its own (the keeper kills groups)


def test_a_forked_child_keeps_its_own_programs(tmp_path):
    pid_file = tmp_path / "family.pids"
    program = _program(tmp_path, pid_file)
    code = textwrap.dedent(
        f"""
        import os, time
        from simpleflow.runtime import child_process
        child_process.run(["true"])  # the parent's keeper, started before the fork
        child = os.fork()
        if child == 0:
            child_process.run([{program!r}])
            os._exit(0)
        print(child, flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=ROOT), stdout=subprocess.PIPE, text=True
    )
    try:
        child = int(parent.stdout.readline())
        deadline = time.monotonic() + 20
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        family = {int(pid) for pid in pid_file.read_text().split()}
        os.kill(child, signal.SIGKILL)  # the child dies, its parent lives on
        assert wait_dead(family, timeout=5) == set()
        assert parent.poll() is None
    finally:
        parent.kill()
        parent.wait()


@pytest.mark.skipif(not os.access("/bin/sh", os.X_OK), reason="no keeper without a POSIX shell")
def test_the_keeper_lists_a_program_while_it_runs_and_no_longer_once_it_is_reaped():
    listed: list[bytes] = []

    def look() -> None:
        time.sleep(0.3)
        listed.append(bytes(group_keeper._keeper._map).split())

    looking = threading.Thread(target=look)
    looking.start()
    done = child_process.run([sys.executable, "-c", "import os, time; print(os.getpid()); time.sleep(1)"])
    looking.join()
    assert listed[0] == [done.stdout.strip().encode()]
    assert bytes(group_keeper._keeper._map).split() == []
