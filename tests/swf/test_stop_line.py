"""A stop of decider.start or worker.start: one line on stderr at once, exit 0 once what it holds is done; a
second SIGTERM or Ctrl-C quits at once (status 128 + the signal), dropping the poll in flight and the task in hand."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simpleflow.swf import client
from tests.moto_server import long_poll_domain
from tests.process_helpers import children, wait_dead
from tests.swf_e2e_helpers import (
    WORKFLOWS,
    Processes,
    completed_result,
    start_decider,
    start_worker,
    start_workflow,
    wait_closed,
    wait_for_file,
)

NAP = f"{WORKFLOWS}.NapWorkflow"


def _line(processes: Processes, label: str, timeout: float = 2.0) -> str:
    """The ``simpleflow: stopping: ...`` line of *label*'s log, once there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [x for x in (processes.directory / f"{label}.log").read_text().splitlines() if "stopping:" in x]
        if lines:
            assert len(lines) == 1, lines
            return lines[0]
        time.sleep(0.02)
    raise AssertionError(f"no stop line within {timeout}s\n{processes.logs()}")


def _exits_within(process: subprocess.Popen, seconds: float, processes: Processes) -> int:
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running {seconds}s later\n{processes.logs()}") from None


def _nap_started(domain: str, decider_list: str, processes: Processes, workdir: Path, seconds: float) -> tuple:
    """An execution of NapWorkflow whose activity is running: (workflow id, run id, activity pid)."""
    workflow_id, run_id = start_workflow(domain, NAP, decider_list, [str(workdir), seconds])
    activity_pid, _ = map(int, wait_for_file(workdir / "nap.pid", processes).split())
    return workflow_id, run_id, activity_pid


def test_a_stopped_worker_says_so_at_once_then_exits_0_once_its_task_is_answered(
    swf_domain, processes, decider_list, tmp_path
):
    start_decider(processes, swf_domain, decider_list, NAP)
    worker = start_worker(processes, swf_domain)
    workflow_id, run_id, _ = _nap_started(swf_domain, decider_list, processes, tmp_path, 2)

    worker.send_signal(signal.SIGTERM)

    assert _line(processes, "worker") == (
        "simpleflow: stopping: waiting for the poll in flight (up to 60 s) or the task in hand "
        "(SIGTERM again to quit now)"
    )
    assert _exits_within(worker, 20, processes) == 0
    assert completed_result(wait_closed(swf_domain, workflow_id, run_id, processes)) == "rested"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_second_stop_quits_a_worker_at_once_and_its_activity_with_it(
    swf_domain, processes, decider_list, tmp_path, signum
):
    start_decider(processes, swf_domain, decider_list, NAP)
    worker = start_worker(processes, swf_domain)
    _, _, activity_pid = _nap_started(swf_domain, decider_list, processes, tmp_path, 60)

    worker.send_signal(signum)
    again = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert _line(processes, "worker").endswith(f"({again} again to quit now)")
    time.sleep(0.5)
    assert worker.poll() is None  # the task in hand is waited for
    worker.send_signal(signum)

    assert _exits_within(worker, 5, processes) == 128 + signum
    assert "simpleflow: quitting now:" in (processes.directory / "worker.log").read_text()
    assert wait_dead({activity_pid}, timeout=5) == set()


def test_a_supervisor_says_the_stop_once_and_quits_its_children_on_a_second_ctrl_c(
    swf_domain, processes, decider_list, tmp_path
):
    start_decider(processes, swf_domain, decider_list, NAP)
    supervisor = start_worker(processes, swf_domain, "workers", nb_processes=2)
    kids = children(supervisor.pid, 2)
    _, _, activity_pid = _nap_started(swf_domain, decider_list, processes, tmp_path, 60)

    for pid in (supervisor.pid, *kids):  # a Ctrl-C in a terminal reaches the whole process group
        os.kill(pid, signal.SIGINT)

    assert _line(processes, "workers") == (
        "simpleflow: stopping: waiting up to 90 s for the polls in flight and tasks in hand of 2 processes "
        "(Ctrl-C again to quit now)"
    )
    time.sleep(0.5)
    assert supervisor.poll() is None  # the child holding the nap finishes it
    for pid in (supervisor.pid, *kids):  # the idle child may have left already: its short poll came back
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)

    assert _exits_within(supervisor, 5, processes) == 130
    assert wait_dead(kids | {activity_pid}, timeout=5) == set()


@pytest.fixture(scope="module")
def long_polls(moto_server) -> Iterator[str]:
    """A dev server that holds an empty poll 30 s, as SWF does 60 s, with this process pointed at it; a domain on it."""
    with long_poll_domain("long") as domain:
        yield domain


def test_a_decider_waits_for_its_poll_in_flight_and_a_second_ctrl_c_drops_it(long_polls, processes, decider_list):
    decider = start_decider(processes, long_polls, decider_list, NAP)
    workflow_id, run_id = start_workflow(long_polls, NAP, decider_list, ["/tmp", 1])
    deadline = time.monotonic() + 20
    while not any(
        e["eventType"] == "DecisionTaskCompleted" for e in client.get_history(long_polls, workflow_id, run_id)
    ):
        assert time.monotonic() < deadline, processes.logs()
        time.sleep(0.05)
    time.sleep(0.3)  # decided: its next poll is in flight, held by the server (no worker takes the activity)

    decider.send_signal(signal.SIGINT)

    assert _line(processes, "decider") == (
        "simpleflow: stopping: waiting for the poll in flight (up to 60 s) or the task in hand "
        "(Ctrl-C again to quit now)"
    )
    time.sleep(1.0)
    assert decider.poll() is None
    decider.send_signal(signal.SIGINT)
    assert _exits_within(decider, 5, processes) == 130
