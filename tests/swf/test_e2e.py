"""End to end on the dev server: the ``simpleflow`` commands as processes, over real HTTP.

Each test reads what happened from the execution's history. The workflows and activities
are in tests/fixtures/swf_workflows.py; their timeouts are short so a lost task comes back fast.
"""

from __future__ import annotations

import io
import json
import os
import signal
import uuid
from typing import Any

import pytest

from simpleflow.local import LocalExecution
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from tests.swf_e2e_helpers import (
    WORKFLOWS,
    activity_story,
    attributes,
    closing,
    completed_result,
    outcomes_by_task,
    scheduled,
    simpleflow,
    start_decider,
    start_worker,
    start_workflow,
    wait_closed,
    wait_for_file,
)

# --- standalone --------------------------------------------------------------------------------


def test_standalone_runs_the_basic_example_and_prints_its_result(swf_domain):
    done = simpleflow("standalone", "--domain", swf_domain, "examples.basic.BasicWorkflow", "--input", "[1, 5]")
    assert done.returncode == 0, done.stderr
    ids, result = done.stdout.splitlines()  # "<workflow id> <run id>" once started, then the result
    assert ids.startswith("basic-") and len(ids.split()) == 2
    assert result == "4"
    assert "3/3 tasks done, completed" in done.stderr


def test_standalone_schedules_more_than_100_tasks_over_several_decisions(swf_domain):
    workflow_id = f"wide-{uuid.uuid4().hex[:8]}"
    n = 120
    done = simpleflow(
        "standalone",
        "--domain",
        swf_domain,
        "--nb-workers",
        "2",  # the 120 tasks in half the time
        f"{WORKFLOWS}.WideWorkflow",
        "--input",
        json.dumps([n]),
        "--workflow-id",
        workflow_id,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split()[0] == workflow_id
    assert json.loads(done.stdout.splitlines()[-1]) == sum(i * i for i in range(n))
    events = client.get_history(swf_domain, workflow_id, client.latest_run_id(swf_domain, workflow_id))
    first_decision = next(e["eventId"] for e in events if e["eventType"] == "DecisionTaskCompleted")
    batch = [e for e in events if attributes(e).get("decisionTaskCompletedEventId") == first_decision]
    # SWF takes at most 100 decisions per response: 99 tasks and a 0 s timer that brings the next decision.
    assert [e["eventType"] for e in batch] == ["ActivityTaskScheduled"] * 99 + ["TimerStarted"]
    assert attributes(batch[-1])["timerId"] == "_simpleflow_wake_up_timer"
    assert attributes(batch[-1])["startToFireTimeout"] == "0"
    assert len(scheduled(events)) == n
    assert len({activity_id for activity_id, _, _ in scheduled(events)}) == n


def test_standalone_progress_on_an_execution_failed_at_once_says_it_failed_not_that_it_waits(
    swf_domain, tmp_path, monkeypatch
):
    """The decider may fail the execution between the describe that finds it open and the history read
    after it; ordered here: the decider fails it once that read starts, and the read waits for the close."""
    from tests.fixtures.swf_workflows import FailsAtOnceWorkflow

    go, me, read = tmp_path / "go", os.getpid(), client.get_history

    def read_once_closed(domain: str, workflow_id: str, run_id: str, **options: Any) -> list[dict[str, Any]]:
        if os.getpid() == me and not go.exists():
            go.touch()
            wait_closed(domain, workflow_id, run_id)
        return read(domain, workflow_id, run_id, **options)

    monkeypatch.setattr(client, "get_history", read_once_closed)
    progress = io.StringIO()
    outcome = run_standalone(
        swf_domain, FailsAtOnceWorkflow, {"args": [str(go)], "kwargs": {}}, progress=progress, timeout=30
    )
    assert outcome.status == "failed", outcome.reason
    assert go.exists()  # the history was read while the execution was open, as the race has it
    lines = [line.partition("] ")[2] for line in progress.getvalue().splitlines()]
    assert lines[-1] == "0/0 tasks done, failed", lines
    assert not any("waiting on" in line for line in lines), lines


# --- decider and worker processes --------------------------------------------------------------


def test_decider_and_worker_processes_run_an_execution_started_by_workflow_start(swf_domain, processes, decider_list):
    start_decider(processes, swf_domain, decider_list, "examples.basic.BasicWorkflow")
    start_worker(processes, swf_domain, module="examples.basic", task_list="example")
    workflow_id, run_id = start_workflow(swf_domain, "examples.basic.BasicWorkflow", decider_list, [1, 5])
    assert workflow_id.startswith("basic-")
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == 4
    story = activity_story(events)
    assert [etype for etype, _ in story if etype == "ActivityTaskCompleted"] == ["ActivityTaskCompleted"] * 3
    started = events[0]["workflowExecutionStartedEventAttributes"]
    assert json.loads(started["input"])["__extra"] == {"class": "examples.basic.BasicWorkflow"}


def test_failing_activity_is_retried_under_the_same_id_until_it_succeeds(swf_domain, processes, decider_list, tmp_path):
    start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.RetryWorkflow")
    start_worker(processes, swf_domain)
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.RetryWorkflow", decider_list, [str(tmp_path), 2])
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == 42
    story = activity_story(events)
    ids = {activity_id for _, activity_id in story}
    assert ids == {"activity-tests.swf.flaky-1"}
    outcomes = [etype for etype, _ in story if etype not in ("ActivityTaskScheduled", "ActivityTaskStarted")]
    assert outcomes == ["ActivityTaskFailed", "ActivityTaskFailed", "ActivityTaskCompleted"]
    reasons = [attributes(e)["reason"] for e in events if e["eventType"] == "ActivityTaskFailed"]
    assert reasons == ["RuntimeError: flaky: attempt 1 of 3 fails", "RuntimeError: flaky: attempt 2 of 3 fails"]


def test_killed_activity_process_fails_its_task_and_the_retry_completes(swf_domain, processes, decider_list, tmp_path):
    start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.StallWorkflow")
    worker = start_worker(processes, swf_domain)
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.StallWorkflow", decider_list, [str(tmp_path)])
    pid, worker_pid = map(int, wait_for_file(tmp_path / "stall_once.pid", processes).split())
    assert worker_pid == worker.pid  # the activity runs in a child of the worker
    os.kill(pid, signal.SIGKILL)
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == 7
    failed = [attributes(e) for e in events if e["eventType"] == "ActivityTaskFailed"]
    assert [f["reason"] for f in failed] == ["WorkerKilled: activity process killed by signal 9 (SIGKILL)"]
    assert json.loads(failed[0]["details"])["error"] == "WorkerKilled"
    assert {activity_id for _, activity_id in activity_story(events)} == {"activity-tests.swf.stall_once-1"}
    assert worker.poll() is None  # the worker itself goes on


def test_killed_worker_task_times_out_on_its_heartbeat_and_another_worker_completes_it(
    swf_domain, processes, decider_list, tmp_path
):
    start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.StallWorkflow")
    first = start_worker(processes, swf_domain, label="worker-1")
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.StallWorkflow", decider_list, [str(tmp_path)])
    _, worker_pid = map(int, wait_for_file(tmp_path / "stall_once.pid", processes).split())
    assert worker_pid == first.pid
    first.kill()
    first.wait()
    second = start_worker(processes, swf_domain, label="worker-2")
    # The dev server times the task out on its own when its heartbeat timeout passes, as SWF does.
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == 7
    story = activity_story(events)
    assert [etype for etype, _ in story] == [
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "ActivityTaskTimedOut",
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "ActivityTaskCompleted",
    ]
    timed_out = next(attributes(e) for e in events if e["eventType"] == "ActivityTaskTimedOut")
    assert timed_out["timeoutType"] == "HEARTBEAT"
    identities = [json.loads(attributes(e)["identity"]) for e in events if e["eventType"] == "ActivityTaskStarted"]
    assert [i["pid"] for i in identities] == [first.pid, second.pid]


def test_task_naming_an_undeclared_activity_fails_with_a_reason_that_says_so(swf_domain, processes, decider_list):
    start_decider(processes, swf_domain, decider_list, f"{WORKFLOWS}.UndeclaredWorkflow")
    worker = start_worker(processes, swf_domain)
    workflow_id, run_id = start_workflow(swf_domain, f"{WORKFLOWS}.UndeclaredWorkflow", decider_list, [])
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    failed = [attributes(e) for e in events if e["eventType"] == "ActivityTaskFailed"]
    assert [f["reason"] for f in failed] == [
        f"ActivityNotDeclared: activity 'tests.swf.ghost' is not declared in this worker (modules: {WORKFLOWS})"
    ]
    etype, attrs = closing(events)
    assert etype == "WorkflowExecutionFailed"
    assert "tests.swf.ghost" in attrs["reason"]
    assert worker.poll() is None
    # The decision failing the execution is one WARNING line (seen at the default level).
    said = f"execution {workflow_id} (run {run_id}): failing the execution: {attrs['reason']}"
    lines = [line for line in (processes.directory / "decider.log").read_text().splitlines() if said in line]
    assert len(lines) == 1 and "WARNING" in lines[0], processes.logs()


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["workflow.start", "examples.basic.BasicWorkflow", "--input", "[1]"],
        ["standalone", "examples.basic.BasicWorkflow", "--input", "[1]"],
        ["decider.start", "--task-list", "t", "examples.basic.BasicWorkflow"],
        ["worker.start", "--task-list", "t", "examples.basic"],
    ],
    ids=lambda command: command[0],
)
def test_unknown_domain_is_one_line_and_a_non_zero_exit(moto_server, command):
    domain = f"missing-{uuid.uuid4().hex[:6]}"
    done = simpleflow(command[0], "--domain", domain, *command[1:], timeout=30)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr == (
        f"simpleflow: error: unknown domain '{domain}' in region us-east-1 at {moto_server.url}: create it with "
        f"'simpleflow domain.register {domain}'\n"
    )


# --- one engine, two hosts ---------------------------------------------------------------------


def _compare_hosts(domain: str, workflow_class: type, input: dict[str, Any], reset: Any = None) -> list:
    if reset:
        reset()
    local = LocalExecution(workflow_class, input).execute()
    assert local.status == "completed", local.reason
    if reset:
        reset()
    workflow_id = f"hosts-{uuid.uuid4().hex[:8]}"
    remote = run_standalone(domain, workflow_class, input, workflow_id=workflow_id, progress=None, timeout=30)
    assert remote.status == "completed", remote.reason
    assert remote.result == local.result
    events = client.get_history(domain, workflow_id, remote.run_id)
    assert scheduled(events) == scheduled(local.events)
    assert outcomes_by_task(events) == outcomes_by_task(local.events)
    return scheduled(events)


def test_local_and_swf_hosts_schedule_the_same_tasks_for_the_basic_example(swf_domain):
    from examples.basic import BasicWorkflow

    tasks = _compare_hosts(swf_domain, BasicWorkflow, {"args": [1, 5], "kwargs": {}})
    assert [(activity_id, name) for activity_id, name, _ in tasks] == [
        ("activity-examples.basic.increment-1", "examples.basic.increment"),
        ("activity-examples.basic.Delay-1", "examples.basic.Delay"),
        ("activity-examples.basic.double-1", "examples.basic.double"),
    ]


def test_local_and_swf_hosts_agree_on_a_fan_out_with_a_retry(swf_domain, tmp_path):
    from tests.fixtures.swf_workflows import FanOutWorkflow

    def reset() -> None:
        (tmp_path / "flaky.attempts").unlink(missing_ok=True)

    tasks = _compare_hosts(swf_domain, FanOutWorkflow, {"args": [4, str(tmp_path)], "kwargs": {}}, reset)
    squares = [f"activity-tests.swf.square-{i}" for i in range(1, 5)]
    # The retry goes out under the same id (simpleflow's rule; SWF takes an id again once its task closed).
    flaky = "activity-tests.swf.flaky-1"
    assert [activity_id for activity_id, _, _ in tasks] == [*squares, flaky, flaky]


def test_standalone_progress_counts_each_task_once_however_often_it_was_tried():
    """An activity tried three times is one task, done once its last try completed; child workflows count."""
    from simpleflow.swf.standalone import _count_tasks
    from tests.history_builder import HistoryBuilder

    history = HistoryBuilder()
    history.decision()
    for _ in range(2):
        history.fail_activity(history.schedule_activity("activity-fetch-1", "fetch"))
    history.complete_activity(history.schedule_activity("activity-fetch-1", "fetch"))
    history.complete_child(history.start_child_workflow("child-1", "child"))
    history.start_child_workflow("child-2", "child")
    history.schedule_activity("activity-square-1", "square")
    assert _count_tasks(history.events) == (2, 4)


def test_standalone_progress_dates_a_timer_that_fires_another_day():
    from simpleflow.swf.standalone import waiting_on
    from tests.history_builder import HistoryBuilder

    history = HistoryBuilder()
    history.decision()
    history.start_timer("soon", 60)
    history.start_timer("tomorrow", 86_400)
    soon, tomorrow = waiting_on(history.events).split(", ")[:2]
    assert soon.startswith("timer soon at ") and len(soon) == len("timer soon at 00:00:00")
    assert tomorrow.startswith("timer tomorrow at ") and len(tomorrow) == len("timer tomorrow at 2023-11-15 00:00:00")
