"""What the SWF commands say, run as a user runs them (the console script) against the moto server:
an interrupted ``standalone`` and its open execution, what an execution waits on, an action on a closed
execution, ``workflow.list`` with nothing to list, ``workflow.info``'s status and result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid

import boto3
import pytest

from tests import console
from tests.moto_server import MotoServer


@pytest.fixture
def shell(tmp_path, swf_domain):
    env = console.install(tmp_path / "installed")
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    return env


def _start_standalone(shell, domain, *options):
    command = ["simpleflow", "standalone", "--domain", domain, "examples.timer.TimerWorkflow", "--input", "[2]"]
    return subprocess.Popen(
        [*command, *options],
        cwd=console.REPO,
        env=shell,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _describe(domain, workflow_id, run_id):
    execution = {"workflowId": workflow_id, "runId": run_id}
    return boto3.client("swf").describe_workflow_execution(domain=domain, execution=execution)["executionInfo"]


def _until_waiting_on_timers(process) -> tuple[str, str, str]:
    """The ids standalone printed, and its stderr once it said the execution waits on its two timers."""
    ids = process.stdout.readline().split()
    seen = ""
    deadline = time.monotonic() + 30
    while "timer wait at" not in seen and time.monotonic() < deadline:
        seen += process.stderr.readline()
    return ids[0], ids[1], seen


@pytest.mark.parametrize("terminate", [False, True], ids=["left open", "--terminate-on-interrupt"])
def test_interrupted_standalone_says_what_became_of_its_execution(shell, swf_domain, terminate):
    process = _start_standalone(shell, swf_domain, *(["--terminate-on-interrupt"] if terminate else []))
    try:
        workflow_id, run_id, progress = _until_waiting_on_timers(process)
        # What the execution waits on, not only "0/0 tasks done": its two timers, until when.
        assert "0/0 tasks done; waiting on: timer give_up at " in progress, progress
        assert ", timer wait at " in progress
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    last = stderr.splitlines()[-1]
    if terminate:
        assert last == f"simpleflow: interrupted: every process started was stopped; execution {workflow_id} terminated"
        assert _describe(swf_domain, workflow_id, run_id)["closeStatus"] == "TERMINATED"
    else:
        assert last == (
            "simpleflow: interrupted: every process started was stopped; "
            f"execution {workflow_id} is still open on SWF (no "
            f"decider or worker serves its task list): close it with: simpleflow workflow.terminate {swf_domain} "
            f"{workflow_id} {run_id}"
        )
        assert _describe(swf_domain, workflow_id, run_id)["executionStatus"] == "OPEN"
        # The command it prints closes it.
        done = console.run(shell, *last.partition("close it with: simpleflow ")[2].split(), cwd=console.REPO)
        assert done.returncode == 0, done.stderr
        assert _describe(swf_domain, workflow_id, run_id)["closeStatus"] == "TERMINATED"


def test_standalone_whose_server_stops_says_so_and_what_became_of_its_execution(shell):
    """Not "check AWS_ENDPOINT_URL" (it answered a moment ago), not exit 2 (no input to fix): the execution
    may still be open, and the command that closes it once SWF is back."""
    server = MotoServer()
    server.start()
    try:
        swf = boto3.client("swf", endpoint_url=server.url)
        domain = f"gone-{uuid.uuid4().hex[:6]}"
        swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        env = {**shell, **server.environ(), "SWF_CONNECTION_RETRIES": "1"}
        process = _start_standalone(env, domain)
        try:
            workflow_id, run_id, _ = _until_waiting_on_timers(process)
            server.stop()
            _, stderr = process.communicate(timeout=60)
        finally:
            process.kill()
    finally:
        server.stop()
    assert process.returncode == 1, stderr
    assert stderr.splitlines()[-1] == (
        f"simpleflow: error: {server.url}/ stopped answering: it answered earlier in this command, then went down "
        f"or out of reach; every process started was stopped; execution {workflow_id} may still be open on SWF: "
        f"close it with: simpleflow workflow.terminate {domain} {workflow_id} {run_id}"
    )


@pytest.fixture
def terminated(swf_domain):
    """(workflow id, run id) of an execution already terminated."""
    swf = boto3.client("swf")
    swf.register_workflow_type(
        domain=swf_domain,
        name="closed",
        version="1",
        defaultTaskList={"name": "closed"},
        defaultExecutionStartToCloseTimeout="300",
        defaultTaskStartToCloseTimeout="30",
        defaultChildPolicy="TERMINATE",
    )
    workflow_id = f"closed-{uuid.uuid4().hex[:6]}"
    run_id = swf.start_workflow_execution(
        domain=swf_domain, workflowId=workflow_id, workflowType={"name": "closed", "version": "1"}
    )["runId"]
    swf.terminate_workflow_execution(domain=swf_domain, workflowId=workflow_id, runId=run_id, reason="done here")
    return workflow_id, run_id


def test_terminating_a_closed_execution_says_it_is_closed_and_how_in_one_line(shell, swf_domain, terminated):
    # (SWF answers a signal or a cancel request to a closed run with the same UnknownResourceFault, said the
    # same way; moto answers those with an HTTP 500, so only terminate is checked here.)
    workflow_id, run_id = terminated
    done = console.run(shell, "workflow.terminate", swf_domain, workflow_id, cwd=console.REPO)
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert line.startswith(
        f"simpleflow: error: execution {workflow_id} (run {run_id}) is already closed: terminated at "
    )
    assert line.endswith(" UTC (done here); nothing to terminate")


def test_workflow_info_shows_status_close_status_and_why(shell, swf_domain, terminated):
    workflow_id, _ = terminated
    done = console.run(
        shell, "--format", "json", "--header", "workflow.info", swf_domain, workflow_id, cwd=console.REPO
    )
    assert done.returncode == 0, done.stderr
    [info] = json.loads(done.stdout)
    assert (info["status"], info["close_status"], info["result"], info["reason"]) == (
        "CLOSED",
        "TERMINATED",
        None,
        "done here",
    )


def test_workflow_list_and_filter_with_nothing_to_list_say_so(shell, swf_domain):
    done = console.run(shell, "workflow.list", swf_domain, cwd=console.REPO)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == (
        f"no open executions in {swf_domain} started in the last 30 days (closed ones: --status closed)\n"
    )
    done = console.run(shell, "--format", "json", "workflow.list", swf_domain, cwd=console.REPO)
    assert (done.returncode, json.loads(done.stdout)) == (0, [])
    done = console.run(shell, "workflow.filter", swf_domain, "--workflow-id", "nowf", cwd=console.REPO)
    assert (done.returncode, done.stdout) == (0, "")  # was: an empty line
    assert done.stderr == f"no open executions in {swf_domain} match the filters given (closed ones: --status closed)\n"
    done = console.run(shell, "--format", "json", "workflow.filter", swf_domain, "--workflow-id", "x", cwd=console.REPO)
    assert (done.returncode, json.loads(done.stdout)) == (0, [])


def test_a_span_of_days_past_1970_means_any_start_and_nan_is_refused(shell, swf_domain, terminated):
    workflow_id = terminated[0]
    for days in ("100000000", "inf", "1e308"):
        done = console.run(shell, "workflow.filter", swf_domain, "--status", "closed", "-d", days, cwd=console.REPO)
        assert (done.returncode, done.stderr) == (0, ""), days
        assert workflow_id in done.stdout
    done = console.run(shell, "workflow.list", swf_domain, "-d", "nan", cwd=console.REPO)
    assert done.returncode == 2
    assert done.stderr == "simpleflow: error: --started-since: 'nan' is not a number of days\n"


def test_a_value_swf_refuses_is_one_line_in_swf_words_and_exit_2(shell, swf_domain):
    done = console.run(
        shell,
        "workflow.start",
        "--domain",
        swf_domain,
        "--workflow-id",
        "customer:42",
        "examples.basic.BasicWorkflow",
        "--input",
        "[1]",
        cwd=console.REPO,
    )
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "ValidationException" in done.stderr
    assert "workflowId" in done.stderr


def test_the_steps_example_needs_its_bucket_says_so_and_runs_once_it_is_created(shell, tmp_path):
    bucket = f"steps-{uuid.uuid4().hex[:8]}"
    env = {**shell, "STEP_BUCKET": bucket}
    args = ["workflow.start", "--local", "examples.steps.PipelineWorkflow", "--workflow-id", "nightly", "--input", "{}"]
    done = console.run(env, *args, cwd=console.REPO)
    assert (done.returncode, done.stdout) == (1, "")
    assert "NoSuchBucket" in done.stderr.splitlines()[0] and "Traceback" not in done.stderr
    # docs/steps.md: create the bucket once (there with python -c "import boto3; ...create_bucket(...)")
    assert "create_bucket(Bucket='step_bucket')" in (console.REPO / "docs" / "steps.md").read_text()
    boto3.client("s3").create_bucket(Bucket=bucket)
    done = console.run(env, *args, cwd=console.REPO)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "extract": "played",
        "load": "played",
        "transform.clean": "played",
        "transform.enrich": "played",
    }


def test_an_endpoint_address_with_no_swf_behind_it_says_to_check_aws_endpoint_url(shell, swf_domain, tmp_path):
    # The dev server answers 404 for a path it does not serve: an address with a wrong path, or another server.
    wrong = {"AWS_ENDPOINT_URL": shell["AWS_ENDPOINT_URL"].rstrip("/") + "/garbage"}
    done = console.run(shell, "workflow.list", swf_domain, cwd=tmp_path, extra=wrong)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "simpleflow: error: ListOpenWorkflowExecutions failed: HTTP 404 Not Found: check AWS_ENDPOINT_URL "
        "(the address of SWF, or of a server that speaks its API)"
    ]
