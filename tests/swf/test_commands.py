"""The SWF commands' process behaviour on the dev server: stopping, failing, acting on executions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from simpleflow.swf import client
from tests.process_helpers import child_pids, wait_catching_sigterm, wait_dead
from tests.swf_e2e_helpers import (
    ROOT,
    WORKFLOWS,
    _environ,
    attributes,
    closing,
    completed_result,
    simpleflow,
    start_decider,
    start_worker,
    start_workflow,
    wait_closed,
    wait_for_file,
)


def test_worker_stopped_by_sigterm_finishes_the_task_in_hand(swf_domain, processes, decider_list, tmp_path):
    start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.NapWorkflow")
    worker = start_worker(processes, swf_domain)
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.NapWorkflow", decider_list, [str(tmp_path), 1.5])
    wait_for_file(tmp_path / "nap.pid", processes)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0, processes.logs()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == "rested"  # no other worker: the stopped one answered


def test_supervised_worker_process_killed_is_replaced_and_its_task_completes(
    swf_domain, processes, decider_list, tmp_path
):
    start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.StallWorkflow")
    supervisor = start_worker(processes, swf_domain, "workers", nb_processes=2)
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.StallWorkflow", decider_list, [str(tmp_path)])
    _, worker_pid = map(int, wait_for_file(tmp_path / "stall_once.pid", processes).split())
    before = child_pids(supervisor.pid)
    assert worker_pid in before and len(before) == 2
    os.kill(worker_pid, signal.SIGKILL)  # the worker process holding the task, not its activity
    events = wait_closed(swf_domain, workflow_id, run_id, processes)  # heartbeat timeout, then the retry
    assert completed_result(events) == 7
    assert [attributes(e)["timeoutType"] for e in events if e["eventType"] == "ActivityTaskTimedOut"] == ["HEARTBEAT"]
    after = child_pids(supervisor.pid)
    assert supervisor.poll() is None
    assert len(after) == 2 and worker_pid not in after


def _sigterm_as_soon_as_it_is_caught(process: subprocess.Popen) -> None:
    # Wait for the handler rather than for a guessed delay, then signal at once.
    wait_catching_sigterm(process)
    process.send_signal(signal.SIGTERM)


def test_decider_stopped_by_sigterm_exits_cleanly(swf_domain, processes, decider_list):
    decider = start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.NapWorkflow")
    _sigterm_as_soon_as_it_is_caught(decider)
    assert decider.wait(timeout=20) == 0, processes.logs()


def test_decider_stopped_by_sigterm_once_polling_exits_cleanly(swf_domain, processes, decider_list):
    decider = start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.NapWorkflow")
    time.sleep(1.5)
    decider.send_signal(signal.SIGTERM)
    assert decider.wait(timeout=20) == 0, processes.logs()


def test_worker_stopped_by_sigterm_at_its_first_instant_exits_cleanly(swf_domain, processes):
    worker = start_worker(processes, swf_domain)
    _sigterm_as_soon_as_it_is_caught(worker)
    assert worker.wait(timeout=20) == 0, processes.logs()


def test_workflow_raising_while_replayed_fails_with_its_traceback_and_the_decider_goes_on(
    swf_domain, processes, decider_list
):
    decider = start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.BrokenWorkflow")
    start_worker(processes, swf_domain)
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.BrokenWorkflow", decider_list, [])
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    etype, attrs = closing(events)
    assert etype == "WorkflowExecutionFailed"
    assert "KeyError" in attrs["reason"]
    assert "no such key" in attrs["details"] and "Traceback" in attrs["details"]
    assert decider.poll() is None
    # The same decider goes on deciding for the next execution.
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.BrokenWorkflow", decider_list, [])
    assert closing(wait_closed(swf_domain, workflow_id, run_id, processes))[0] == "WorkflowExecutionFailed"


def test_standalone_prints_the_failure_reason_and_exits_1(swf_domain, tmp_path):
    # doomed is retried once, then its failure (raises_on_failure) fails the workflow.
    done = simpleflow(
        "standalone", "--domain", swf_domain, f"{WORKFLOWS}.DoomedWorkflow", "--input", json.dumps([str(tmp_path)])
    )
    assert done.returncode == 1
    workflow_id, run_id = done.stdout.split()  # only the ids it printed once started: no result
    assert workflow_id.startswith("tests.swf.doomed-") and run_id
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("workflow failed: ") and "doomed: attempt 2 fails" in last, done.stderr
    failures = [line.split("] ", 1)[1] for line in done.stderr.splitlines() if "] task " in line]
    assert [line.split(": ", 1)[0] for line in failures] == [
        "task activity-tests.swf.doomed-1 failed",
        "task activity-tests.swf.doomed-1 failed (attempt 2)",
    ]
    assert "attempt 1 fails" in failures[0] and "attempt 2 fails" in failures[1], done.stderr
    assert (tmp_path / "doomed.attempts").read_text() == "2"


def test_standalone_interrupted_stops_every_process_it_started(swf_domain, tmp_path):
    # The activity naps 1 s: the worker holding it finishes it within standalone's grace period.
    command = [
        sys.executable,
        "-m",
        "simpleflow.command",
        "standalone",
        "--domain",
        swf_domain,
        f"{WORKFLOWS}.NapWorkflow",
        "--input",
        json.dumps([str(tmp_path), 1.0]),
    ]
    standalone = subprocess.Popen(
        command, env=_environ(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "nap.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        activity_pid, worker_pid = map(int, (tmp_path / "nap.pid").read_text().split())
        decider_and_workers = child_pids(standalone.pid)
        assert worker_pid in decider_and_workers and len(decider_and_workers) == 2
        standalone.send_signal(signal.SIGINT)  # Ctrl-C
        _, stderr = standalone.communicate(timeout=30)
    finally:
        if standalone.poll() is None:
            standalone.kill()
            standalone.wait()
    assert standalone.returncode == 130, stderr
    assert "every process started was stopped" in stderr
    assert all(not wait_dead({pid}, timeout=10) for pid in (*decider_and_workers, activity_pid))


def test_workflow_terminate_and_restart_from_the_command_line(swf_domain, tmp_path):
    # No decider: the execution stays open until terminated.
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.RetryWorkflow", "nobody-decides", ["/x", 1])
    done = simpleflow("workflow.terminate", swf_domain, workflow_id)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{workflow_id} {run_id} terminated\n"
    events = client.get_history(swf_domain, workflow_id, run_id)
    assert closing(events)[0] == "WorkflowExecutionTerminated"

    done = simpleflow("workflow.restart", swf_domain, workflow_id, run_id)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # a closed run: nothing terminated, and its task list is polled by whoever polled it
    new_workflow_id, new_run_id = done.stdout.split()
    assert new_workflow_id == workflow_id and new_run_id != run_id
    old = events[0]["workflowExecutionStartedEventAttributes"]
    new = client.get_history(swf_domain, workflow_id, new_run_id)[0]["workflowExecutionStartedEventAttributes"]
    assert new["input"] == old["input"]
    assert new["taskList"] == old["taskList"] == {"name": "nobody-decides"}
    assert new["workflowType"] == old["workflowType"]


def test_workflow_signal_from_the_command_line_is_recorded(swf_domain):
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.RetryWorkflow", "nobody-decides", ["/x", 1])
    done = simpleflow("workflow.signal", swf_domain, workflow_id, "go", "--input", '{"speed": 2}')
    assert done.returncode == 0, done.stderr
    signaled = [
        attributes(e)
        for e in client.get_history(swf_domain, workflow_id, run_id)
        if e["eventType"] == "WorkflowExecutionSignaled"
    ]
    assert [s["signalName"] for s in signaled] == ["go"]
    assert json.loads(signaled[0]["input"]) == {"args": [], "kwargs": {"speed": 2}}


def test_workflow_signal_refuses_a_name_written_as_the_local_signal_syntax_and_says_how_to_send_it(swf_domain):
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.RetryWorkflow", "nobody-decides", ["/x", 1])
    done = simpleflow("workflow.signal", swf_domain, workflow_id, 'publish=["a"]')
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "simpleflow: error: NAME 'publish=[\"a\"]' is written as workflow.start --local's --signal NAME=JSON: "
        f"give the input apart: simpleflow workflow.signal {swf_domain} {workflow_id} publish --input '[\"a\"]'\n"
    )
    # The local form's time (NAME@SECONDS=JSON) is no part of the name to send.
    done = simpleflow("workflow.signal", swf_domain, workflow_id, 'publish@5=["a"]')
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "simpleflow: error: NAME 'publish@5=[\"a\"]' is written as workflow.start --local's --signal "
        f"NAME@SECONDS=JSON: give the input apart: simpleflow workflow.signal {swf_domain} {workflow_id} publish "
        "--input '[\"a\"]' (SWF delivers a signal when it is sent: send it at that time)\n"
    )
    # An '=' with no JSON after it, or a separate input, leaves the name as it is.
    assert simpleflow("workflow.signal", swf_domain, workflow_id, "a=b").returncode == 0
    assert simpleflow("workflow.signal", swf_domain, workflow_id, "c=1", "--input", "[2]").returncode == 0
    events = client.get_history(swf_domain, workflow_id, run_id)
    assert [attributes(e)["signalName"] for e in events if e["eventType"] == "WorkflowExecutionSignaled"] == [
        "a=b",
        "c=1",
    ]


@pytest.mark.parametrize("value", ["1", '{"speed": 2}', "null", '["a", 2]', '{"kwargs": {"note": "n"}}'])
def test_a_signal_carries_the_same_input_from_workflow_signal_on_swf_and_from_a_local_signal(
    swf_domain, tmp_path, value
):
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.RetryWorkflow", "nobody-decides", ["/x", 1])
    assert simpleflow("workflow.signal", swf_domain, workflow_id, "approve", "--input", value).returncode == 0
    events = client.get_history(swf_domain, workflow_id, run_id)
    on_swf = [attributes(e)["input"] for e in events if e["eventType"] == "WorkflowExecutionSignaled"]
    recorded = tmp_path / "local.json"
    simpleflow(
        "workflow.start",
        "--local",
        "tests.fixtures.signal_workflows.ApprovalWorkflow",
        "--input",
        '["item"]',
        "--signal",
        f"approve={value}",
        "--record",
        str(recorded),
    )  # (it fails when the signal has no first argument: its history is recorded all the same)
    events = json.loads(recorded.read_text())["events"]
    local = [attributes(e)["input"] for e in events if e["eventType"] == "WorkflowExecutionSignaled"]
    assert [json.loads(text) for text in local] == [json.loads(text) for text in on_swf]


def test_demo_script_runs_against_the_configured_endpoint(swf_domain):
    env = dict(_environ(), SWF_DOMAIN=swf_domain, SIMPLEFLOW=f"{sys.executable} -m simpleflow.command")
    env.pop("LOG_LEVEL", None)
    done = subprocess.run(
        [str(ROOT / "extras" / "demo")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # domain.register's line, then standalone's: "<workflow id> <run id>", then its result.
    assert done.stdout.splitlines()[2] == "4"
    assert "demo done" in done.stderr


def test_restarting_an_execution_standalone_started_says_nothing_polls_its_task_list(swf_domain, tmp_path):
    from simpleflow.swf.standalone import run_standalone
    from tests.fixtures.swf_workflows import DoomedWorkflow

    failed = run_standalone(swf_domain, DoomedWorkflow, {"args": [str(tmp_path)], "kwargs": {}}, progress=None)
    assert failed.status == "failed", failed.reason
    done = simpleflow("workflow.restart", swf_domain, failed.workflow_id)
    assert done.returncode == 0, done.stderr
    workflow_id, run_id = done.stdout.split()
    task_list = client.get_history(swf_domain, workflow_id, run_id)[0]["workflowExecutionStartedEventAttributes"][
        "taskList"
    ]["name"]
    assert task_list.startswith("standalone-")
    assert done.stderr == (
        f"the new run waits on task list {task_list!r}, which only the standalone command that started the execution "
        f"polled: start a decider and workers on it (decider.start --task-list {task_list} ...)\n"
    )
    client.swf_client().terminate_workflow_execution(domain=swf_domain, workflowId=workflow_id, runId=run_id)
