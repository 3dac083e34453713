"""What the end-to-end tests share: ``simpleflow`` commands as processes, reading histories."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from simpleflow.swf import client

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = "tests.fixtures.swf_workflows"
ACTIVITY_TASK_LIST = "swf-e2e"  # tests.fixtures.swf_workflows.TASK_LIST
HEARTBEAT = "0.5"  # seconds between heartbeats; the stalling activity's heartbeat timeout is 2 s
CLOSE_TIMEOUT = 30.0


def _environ() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("LOG_LEVEL", "INFO")
    return env


def simpleflow(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run one ``simpleflow`` command to its end."""
    command = [sys.executable, "-m", "simpleflow.command", *args]
    return subprocess.run(command, env=_environ(), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def simpleflow_here(*args: str) -> subprocess.CompletedProcess:
    """Run one ``simpleflow`` command in this process (click's runner), shaped as :func:`simpleflow`'s answer.

    For the quick commands a test runs many of (inspection, signals): the same command code without a
    Python start-up and a botocore import each. The root logger the command configures is put back after.
    """
    import logging

    from click.testing import CliRunner

    from simpleflow.command import cli

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        result = CliRunner().invoke(cli, list(args), env={"LOG_LEVEL": _environ()["LOG_LEVEL"]})
    finally:
        root.handlers[:], root.level = handlers, level
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(["simpleflow", *args], result.exit_code, result.stdout, result.stderr)


def usage_line(*args: str) -> str:
    """The one stderr line of a ``simpleflow`` command (run here) refused with exit 2."""
    done = simpleflow_here(*args)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, (done.returncode, done.stderr)
    return lines[0]


class Processes:
    """Long-running ``simpleflow`` processes of one test, stopped (and their logs kept) after it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, label: str, *args: str) -> subprocess.Popen:
        log = open(self.directory / f"{label}.log", "w")  # noqa: SIM115 - closed with the process
        command = [sys.executable, "-m", "simpleflow.command", *args]
        process = subprocess.Popen(command, env=_environ(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.started.append((label, process))
        return process

    def logs(self) -> str:
        """Every process's log, for assertion messages."""
        parts = []
        for label, _ in self.started:
            text = (self.directory / f"{label}.log").read_text()
            parts.append(f"--- {label} ---\n{text[-3000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        for _, process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_workflow(domain: str, workflow: str, task_list: str, input: Any) -> tuple[str, str]:
    """``simpleflow workflow.start`` (in this process): the workflow id and run id it prints."""
    done = simpleflow_here(
        "workflow.start", "--domain", domain, "--task-list", task_list, workflow, "--input", json.dumps(input)
    )
    assert done.returncode == 0, done.stderr
    workflow_id, run_id = done.stdout.split()
    return workflow_id, run_id


def wait_closed(
    domain: str, workflow_id: str, run_id: str, processes: Processes | None = None, timeout: float = CLOSE_TIMEOUT
) -> list[dict[str, Any]]:
    """The execution's history, once it is closed."""
    execution = {"workflowId": workflow_id, "runId": run_id}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.swf_client().describe_workflow_execution(domain=domain, execution=execution)
        if info["executionInfo"]["executionStatus"] == "CLOSED":
            return client.get_history(domain, workflow_id, run_id)
        time.sleep(0.1)
    logs = processes.logs() if processes is not None else ""
    raise AssertionError(f"{workflow_id} still open after {timeout:.0f}s\n{logs}")


def closing(events: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The closing event's type and attributes."""
    event = events[-1]
    attrs = next(v for k, v in event.items() if k.endswith("EventAttributes"))
    return event["eventType"], attrs


def completed_result(events: list[dict[str, Any]]) -> Any:
    etype, attrs = closing(events)
    assert etype == "WorkflowExecutionCompleted", (etype, attrs)
    return json.loads(attrs["result"])


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def activity_story(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(event type, activity id) of every activity task event, in order."""
    ids_by_scheduled: dict[int, str] = {}
    story = []
    for event in events:
        etype = event["eventType"]
        if not etype.startswith("ActivityTask"):
            continue
        attrs = attributes(event)
        if etype == "ActivityTaskScheduled":
            ids_by_scheduled[event["eventId"]] = attrs["activityId"]
            story.append((etype, attrs["activityId"]))
        else:
            story.append((etype, ids_by_scheduled[attrs["scheduledEventId"]]))
    return story


def outcomes_by_task(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each activity id's closing events, in order (tasks running at once may interleave)."""
    out: dict[str, list[str]] = {}
    for etype, activity_id in activity_story(events):
        if etype not in ("ActivityTaskScheduled", "ActivityTaskStarted"):
            out.setdefault(activity_id, []).append(etype)
    return out


def scheduled(events: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    """(activity id, activity name, decoded input) of every ActivityTaskScheduled, in order."""
    out = []
    for event in events:
        if event["eventType"] == "ActivityTaskScheduled":
            attrs = attributes(event)
            out.append((attrs["activityId"], attrs["activityType"]["name"], json.loads(attrs.get("input") or "null")))
    return out


def wait_for_file(path: Path, processes: Processes, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared\n{processes.logs()}")


def start_decider(processes: Processes, domain: str, task_list: str, workflow: str) -> subprocess.Popen:
    return processes.start("decider", "decider.start", "--domain", domain, "--task-list", task_list, workflow)


def start_worker(
    processes: Processes,
    domain: str,
    label: str = "worker",
    module: str = WORKFLOWS,
    task_list: str = ACTIVITY_TASK_LIST,
    nb_processes: int = 1,
) -> subprocess.Popen:
    """``worker.start`` of *module*'s activities; a supervisor of *nb_processes* workers when more than one."""
    supervised = ("--nb-processes", str(nb_processes)) if nb_processes > 1 else ()
    return processes.start(
        label,
        "worker.start",
        "--domain",
        domain,
        "--task-list",
        task_list,
        "--heartbeat",
        HEARTBEAT,
        *supervised,
        module,
    )
