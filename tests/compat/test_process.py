"""simpleflow.process: Supervisor keeps its children running and stops them; NamedMixin names the process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from simpleflow.process import NamedMixin, Supervisor, reset_signal_handlers, with_state

REPO_ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:  # gone, or going while we read
        return False
    return state != "Z"


def _write_pid_and_wait(directory: str) -> None:
    Path(directory, str(os.getpid())).write_text("")
    time.sleep(60)


def _pids(directory: Path, count: int, timeout: float = 10, without: int = 0) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {int(p.name) for p in directory.iterdir() if alive(int(p.name))} - {without}
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} children alive in {directory}")


def test_a_background_supervisor_restarts_a_killed_child_and_terminate_stops_them_all(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_DISABLE_SETPROCTITLE", "1")
    supervisor = Supervisor(_write_pid_and_wait, arguments=(str(tmp_path),), nb_children=2, background=True)
    supervisor.start()
    try:
        first = _pids(tmp_path, 2)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        replaced = _pids(tmp_path, 2, without=victim)
        assert len(replaced) == 2 and len(replaced & first) == 1
    finally:
        supervisor.terminate()
    assert not supervisor._process.is_alive()
    deadline = time.monotonic() + 5
    while any(alive(int(p.name)) for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p.name for p in tmp_path.iterdir() if alive(int(p.name))]


def test_the_payload_s_friendly_name_is_a_function_or_class_dot_method():
    def foo():
        pass

    class Foo:
        def bar(self):
            pass

    assert Supervisor(foo, background=True)._payload_friendly_name == "foo"
    assert Supervisor(Foo().bar, background=True)._payload_friendly_name == "Foo.bar"
    with pytest.raises(TypeError, match="invalid payload type"):
        Supervisor(print, background=True)


def test_named_mixin_names_the_process_after_its_class_properties_and_state():
    script = textwrap.dedent(
        """
        from simpleflow.process import NamedMixin, with_state

        class Example(NamedMixin):
            def __init__(self):
                self._named_mixin_properties = ["task_list"]
                self.task_list = "test-tl"
                super().__init__()

            @with_state("running")
            def run(self):
                return self.process_name

        inst = Example()
        print(inst.process_name)
        print(inst.run())
        print(open("/proc/self/comm").read().strip())
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "SIMPLEFLOW_DISABLE_SETPROCTITLE"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env).stdout
    initializing, running, comm = out.splitlines()
    assert initializing == "simpleflow Example(task_list=test-tl)[initializing]"
    assert running == "simpleflow Example(task_list=test-tl)[running]"
    assert running.startswith(comm)  # the kernel's name (15 bytes) without setproctitle, the whole with it


def test_with_state_sets_the_state_before_the_method_runs(monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_DISABLE_SETPROCTITLE", "1")

    class Worker(NamedMixin):
        @with_state("polling")
        def poll(self):
            return self.state

    worker = Worker()
    assert worker.state == "initializing" and worker.poll() == "polling" and worker.state == "polling"


def test_reset_signal_handlers_restores_the_defaults_before_the_payload():
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD)}
    try:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        seen = reset_signal_handlers(lambda: signal.getsignal(signal.SIGTERM))()
        assert seen == signal.SIG_DFL
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
