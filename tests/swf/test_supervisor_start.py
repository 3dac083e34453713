"""A supervisor (``decider.start -N``, ``worker.start -N``) asked to stop while it starts its children, and
counts of processes too large to start."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from simpleflow.cli.params import MAX_PROCESSES
from tests.process_helpers import child_pids, wait_dead
from tests.swf_e2e_helpers import ACTIVITY_TASK_LIST, ROOT, WORKFLOWS, _environ, usage_line

NAP = '["/tmp", 1]'


@pytest.mark.parametrize(
    ("command", "option", "count"),
    [
        (["decider.start", "-N", "100000", f"{WORKFLOWS}.NapWorkflow"], "--nb-processes", 100000),
        (["worker.start", "-t", ACTIVITY_TASK_LIST, "-N", str(MAX_PROCESSES + 1)], "--nb-processes", MAX_PROCESSES + 1),
        (["standalone", "-W", "100000", f"{WORKFLOWS}.NapWorkflow", "-i", NAP], "--nb-workers", 100000),
        (
            ["standalone", "-D", str(MAX_PROCESSES + 1), f"{WORKFLOWS}.NapWorkflow", "-i", NAP],
            "--nb-deciders",
            MAX_PROCESSES + 1,
        ),
    ],
)
def test_too_many_processes_are_refused_in_one_line_before_anything_starts(moto_server, command, option, count):
    # A domain SWF does not know: were the count let through, the command would stop at the domain, before
    # it forks anything (and this test would fail on the line it prints).
    line = usage_line(*command, "--domain", "no-such-domain")
    cpus = MAX_PROCESSES // 64
    assert line == (
        f"simpleflow: error: {option}: {count} is more than {MAX_PROCESSES} processes "
        f"(64 per CPU this process may use, {cpus} here)"
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_while_the_supervisor_starts_its_children_starts_no_more_and_stops_at_once(
    swf_domain, decider_list, tmp_path, signum
):
    # The stop comes just as the 2nd of 8 children is forked: the 3rd is never started, and the two started
    # (the 2nd one still starting, with the parent's handlers) stop at once rather than after the grace period.
    log = tmp_path / "supervisor.log"
    command = [sys.executable, "-m", "tests.fixtures.signal_while_starting", signum.name, "2"]
    command += ["decider.start", "--domain", swf_domain, "--task-list", decider_list, "-N", "8"]
    command += [f"{WORKFLOWS}.NapWorkflow"]
    started = time.monotonic()
    with open(log, "w") as out:
        supervisor = subprocess.Popen(command, env=_environ(), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    kids: set[int] = set()
    try:
        while supervisor.poll() is None and time.monotonic() - started < 30:
            kids |= child_pids(supervisor.pid)
            time.sleep(0.05)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    elapsed = time.monotonic() - started
    text = log.read_text()
    assert supervisor.wait() == 0, text
    assert text.count("started child pid=") == 2, text
    assert elapsed < 15, text  # the grace period is 60 s
    assert wait_dead(kids, timeout=5) == set()


def _fail_at_start() -> None:
    raise ValueError("SOME_SETTING='x': expected a number\nsecond line")


def test_a_child_that_dies_at_its_start_again_and_again_makes_the_supervisor_give_up_in_one_line(monkeypatch, capfd):
    from simpleflow.exceptions import ChildrenKeepDying
    from simpleflow.swf import process

    monkeypatch.setattr(process, "RESTART_DELAY", 0.01)  # doubled at each death in a row: 0.01, 0.02...
    started = time.monotonic()
    with pytest.raises(ChildrenKeepDying, match=r"^test: a child died within 5 s of its start 5 times in a row"):
        process.supervise(_fail_at_start, (), 2, "test", grace_period=5)
    assert time.monotonic() - started < 30
    lines = capfd.readouterr().err.splitlines()
    assert "Traceback (most recent call last):" not in lines
    failures = [line for line in lines if "failed: ValueError: SOME_SETTING='x': expected a number" in line]
    assert 5 <= len(failures) <= 10 and all(line.startswith("simpleflow: child pid=") for line in failures)
