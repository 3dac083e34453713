"""Children die with their parent: a kill -9 of a supervisor or a worker leaves no process behind."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from tests.process_helpers import alive, children, wait_dead
from tests.swf_e2e_helpers import (
    ACTIVITY_TASK_LIST,
    WORKFLOWS,
    completed_result,
    start_decider,
    start_worker,
    start_workflow,
    wait_closed,
    wait_for_file,
)


@pytest.mark.parametrize("command", ["worker.start", "decider.start"])
def test_kill_9_of_a_supervisor_leaves_no_child_alive(swf_domain, processes, decider_list, command):
    target = WORKFLOWS if command == "worker.start" else f"{WORKFLOWS}.NapWorkflow"
    task_list = ACTIVITY_TASK_LIST if command == "worker.start" else decider_list
    supervisor = processes.start(
        "supervisor", command, "--domain", swf_domain, "--task-list", task_list, "--nb-processes", "2", target
    )
    kids = children(supervisor.pid, 2)
    time.sleep(1.0)  # the children are polling

    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait()

    assert wait_dead(kids) == set(), processes.logs()


def test_kill_9_of_a_worker_kills_its_activity_process(swf_domain, processes, decider_list, tmp_path):
    start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.NapWorkflow")
    worker = start_worker(processes, swf_domain)
    start_workflow(swf_domain, f"{WORKFLOWS}.NapWorkflow", decider_list, [str(tmp_path), 60])
    activity_pid, worker_pid = map(int, wait_for_file(tmp_path / "nap.pid", processes).split())
    assert worker_pid == worker.pid

    worker.send_signal(signal.SIGKILL)
    worker.wait()

    assert wait_dead({activity_pid}, timeout=5) == set()


def test_kill_9_of_a_supervisor_lets_its_workers_finish_the_task_in_hand_then_exit(
    swf_domain, processes, decider_list, tmp_path
):
    start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.NapWorkflow")
    supervisor = start_worker(processes, swf_domain, "workers", nb_processes=2)
    kids = children(supervisor.pid, 2)
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.NapWorkflow", decider_list, [str(tmp_path), 2])
    activity_pid, _ = map(int, wait_for_file(tmp_path / "nap.pid", processes).split())

    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait()

    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == "rested"  # answered by the orphaned worker before it left
    assert [e["eventType"] for e in events].count("ActivityTaskScheduled") == 1
    assert wait_dead(kids | {activity_pid}) == set(), processes.logs()


def test_without_a_parent_death_signal_the_liveness_check_kills_the_orphan():
    """The fallback for systems without PR_SET_PDEATHSIG, run here on its own."""
    from simpleflow.swf import process

    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:  # the parent-to-be: starts the orphan-to-be, reports its pid, waits to be killed
        # Its pid taken before the fork, as the supervisor passes its own to run_child: read in the orphan
        # (os.getppid()), it could already be init's if the middle was killed before the orphan's first line.
        parent = os.getpid()
        orphan = os.fork()
        if orphan == 0:
            watch = threading.Thread(target=process._watch_parent, args=(parent, signal.SIGKILL, None, False))
            watch.start()
            time.sleep(60)
            os._exit(0)
        os.write(write_end, f"{orphan}\n".encode())
        time.sleep(60)
        os._exit(0)
    os.close(write_end)
    orphan = int(os.read(read_end, 64).decode())
    os.close(read_end)
    assert alive(orphan)

    os.kill(middle, signal.SIGKILL)
    os.waitpid(middle, 0)

    assert wait_dead({orphan}, timeout=5) == set()
