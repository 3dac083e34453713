"""An interrupted ``standalone`` on a server that holds empty polls as SWF does: its processes run no activity once
stopped (a poll in flight that brings one after the stop is dropped; a decision task is answered), the stop does
not wait for the polls in flight, the closing line tells the execution's state once they stopped, SIGTERM exits 143,
and a stop says at once what it waits for (a second Ctrl-C quits at once)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator

import boto3
import pytest

from simpleflow.cli import running
from simpleflow.swf import client, starter
from tests import console
from tests.fixtures.swf_workflows import TimerThenShoutWorkflow
from tests.moto_server import long_poll_domain
from tests.process_helpers import wait_dead
from tests.swf_e2e_helpers import WORKFLOWS, simpleflow

NAP = 3  # seconds of the workflow's timer


@pytest.fixture(scope="module")
def held_polls(moto_server) -> Iterator[str]:
    """A domain on a dev server that holds an empty poll 30 s, with this process pointed at it."""
    with long_poll_domain("interrupt") as domain:
        yield domain


def _standalone(env: dict[str, str], domain: str) -> subprocess.Popen:
    command = ["simpleflow", "standalone", "--domain", domain, f"{WORKFLOWS}.TimerThenShoutWorkflow"]
    return subprocess.Popen(
        [*command, "--input", f"[{NAP}]"],
        cwd=console.REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_sigterm_leaves_the_execution_as_it_stands_at_once_and_exits_143(held_polls, tmp_path):
    env = console.install(tmp_path / "installed")
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    env["PYTHONPATH"] = str(console.REPO)  # the fixture workflows
    process = _standalone(env, held_polls)
    try:
        workflow_id, run_id = process.stdout.readline().split()
        seen = ""
        while "waiting on: timer nap at" not in seen:
            line = process.stderr.readline()
            assert line, seen
            seen += line
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        process.kill()

    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert took < NAP, f"{took:.1f} s: the stop waited for the polls in flight\n{stderr}"
    assert stderr.splitlines()[-1] == (
        "simpleflow: interrupted: every process started was stopped; "
        f"execution {workflow_id} is still open on SWF (no decider "
        f"or worker serves its task list): close it with: simpleflow workflow.terminate {held_polls} {workflow_id} "
        f"{run_id}"
    )
    # Once its timer fired, no activity runs: a decision answered in the stop's last moment may schedule it (and a
    # poll the stopped worker left at the server may take it), no code of ours runs it.
    time.sleep(NAP + 2)
    swf = boto3.client("swf")
    info = swf.describe_workflow_execution(domain=held_polls, execution={"workflowId": workflow_id, "runId": run_id})
    assert info["executionInfo"]["executionStatus"] == "OPEN"
    kinds = [e["eventType"] for e in client.get_history(held_polls, workflow_id, run_id)]
    assert "TimerFired" in kinds
    assert "ActivityTaskCompleted" not in kinds, kinds


def test_an_execution_closed_when_its_processes_stopped_is_told_as_closed_with_its_result(swf_domain, capsys):
    """A decision in hand when the stop came may close the execution: the line says so, the result is printed."""
    done = simpleflow("standalone", "--domain", swf_domain, f"{WORKFLOWS}.TimerThenShoutWorkflow", "--input", "[0]")
    assert done.returncode == 0, done.stderr
    workflow_id, run_id = done.stdout.split()[:2]

    outcome = running._interrupted(swf_domain, {"workflowId": workflow_id, "runId": run_id}, terminate=True)
    running._finish(outcome, False, None, swf_domain)

    out, err = capsys.readouterr()
    assert err == (
        f"simpleflow: interrupted: every process started was stopped; execution {workflow_id} is closed: completed\n"
    )
    assert out == '"awake!"\n'


def _napping(domain: str, workdir, seconds: float) -> subprocess.Popen:
    """``standalone`` of NapWorkflow in a process group of its own (as a shell's job: Ctrl-C reaches them all)."""
    env = console.install(workdir / "installed")
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    env["PYTHONPATH"] = str(console.REPO)
    command = ["simpleflow", "standalone", "--domain", domain, f"{WORKFLOWS}.NapWorkflow"]
    return subprocess.Popen(
        [*command, "--input", json.dumps([str(workdir), seconds])],
        cwd=console.REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for(path) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, f"no {path}"
        time.sleep(0.05)


def test_a_second_ctrl_c_quits_at_once_with_the_activity(held_polls, tmp_path):
    process = _napping(held_polls, tmp_path, 60)
    try:
        process.stdout.readline()
        _wait_for(tmp_path / "nap.pid")
        activity = int((tmp_path / "nap.pid").read_text().split()[0])
        os.killpg(process.pid, signal.SIGINT)
        seen = ""
        while "simpleflow: stopping:" not in seen:
            line = process.stderr.readline()
            assert line, seen
            seen += line
        sent = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        process.kill()
    assert process.returncode == 128 + signal.SIGINT, stderr
    assert took < 5, f"{took:.1f} s\n{stderr}"
    stopped = "simpleflow: interrupted: every process started was stopped; execution "
    assert stderr.splitlines()[-1].startswith(stopped), stderr
    assert not wait_dead({activity}), "the activity outlived the second Ctrl-C"


def test_ctrl_c_says_what_it_waits_for_and_the_decision_the_last_activity_brings_is_answered(held_polls, tmp_path):
    """Ctrl-C (SIGINT to the whole process group) while an activity runs: one line at once; the worker finishes
    it, and the decision task its answer brings is answered, not taken and left to time out (here: the
    execution completes)."""
    process = _napping(held_polls, tmp_path, 2)
    try:
        workflow_id, run_id = process.stdout.readline().split()
        _wait_for(tmp_path / "nap.pid")
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole process group
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()

    assert process.returncode == 128 + signal.SIGINT, stderr
    lines = stderr.splitlines()
    assert "simpleflow: stopping: waiting for the activities in hand (up to 10 s) (Ctrl-C again to quit now)" in lines
    assert lines[-1] == (
        f"simpleflow: interrupted: every process started was stopped; execution {workflow_id} is closed: completed"
    ), stderr
    kinds = [e["eventType"] for e in client.get_history(held_polls, workflow_id, run_id)]
    assert kinds.count("DecisionTaskStarted") == kinds.count("DecisionTaskCompleted"), kinds


def test_a_stop_while_the_start_is_in_flight_tells_the_execution_the_start_opened(swf_domain, capsys):
    """Interrupted once SWF took the start but before its answer was read: the line names the open execution and
    how to close it, not "no execution was started"."""

    def interrupted_reading(**_: object) -> None:
        raise KeyboardInterrupt

    swf = client.swf_client()
    swf.meta.events.register("after-call.swf.StartWorkflowExecution", interrupted_reading)
    try:
        with pytest.raises(KeyboardInterrupt) as stop:
            starter.start_workflow(swf_domain, TimerThenShoutWorkflow, {"args": [60]}, workflow_id="in-flight")
    finally:
        swf.meta.events.unregister("after-call.swf.StartWorkflowExecution", interrupted_reading)
    assert stop.value.start_sent == "in-flight"

    assert running._interrupted(swf_domain, {}, False, stop.value.start_sent) is None
    run_id = client.latest_run_id(swf_domain, "in-flight")
    assert capsys.readouterr().err == (
        "simpleflow: interrupted: every process started was stopped; "
        "execution in-flight is still open on SWF (no decider or "
        f"worker serves its task list): close it with: simpleflow workflow.terminate {swf_domain} in-flight {run_id}\n"
    )
    running._interrupted(swf_domain, {}, False, "never-started")
    assert capsys.readouterr().err == (
        "simpleflow: interrupted: every process started was stopped; "
        "no execution was started (none is open with workflow id "
        "never-started)\n"
    )
