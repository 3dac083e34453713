"""The activity worker against the dev server: tasks are scheduled by answering decision tasks by hand."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from simpleflow.exceptions import UsageError
from simpleflow.runtime.loader import scan_activities
from simpleflow.swf import client
from simpleflow.swf.process import supervise
from simpleflow.swf.worker import find_activity, run_worker
from tests.process_helpers import alive, wait_dead

ROOT = Path(__file__).resolve().parents[2]
MODULE = "tests.fixtures.worker_activities"
NAMES = [
    "tests.add",
    "tests.raise",
    "tests.context",
    "tests.Multiplier",
    "tests.hang",
    "tests.sleep",
    "tests.big",
    "tests.unserializable",
    "tests.nested",
    "tests.exit",
    "tests.pid",
    "tests.count",
    "tests.beats",
    "os.system",
]
CLOSE_EVENTS = {"ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut", "ActivityTaskCanceled"}


class Execution:
    """A workflow execution whose decisions the test makes itself."""

    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.task_list = f"acts-{uuid.uuid4().hex[:8]}"
        self.decider_list = f"decider-{uuid.uuid4().hex[:8]}"
        self.workflow_id = f"wf-{uuid.uuid4().hex[:8]}"
        client.ensure_workflow_type(
            domain,
            "tests.workflow",
            "1",
            default_task_list="unused",
            default_execution_start_to_close_timeout=600,
            default_task_start_to_close_timeout=600,
            default_child_policy="TERMINATE",
        )
        for name in NAMES:
            client.ensure_activity_type(domain, name, "1")
        self.run_id = client.swf_client().start_workflow_execution(
            domain=domain,
            workflowId=self.workflow_id,
            workflowType={"name": "tests.workflow", "version": "1"},
            taskList={"name": self.decider_list},
        )["runId"]

    def schedule(self, *tasks: tuple, heartbeat_timeout: str = "NONE", start_to_close: str = "600") -> list[str]:
        """Answer the pending decision task with one ScheduleActivityTask per (name, input) pair."""
        decision = client.poll_decision_task(self.domain, self.decider_list)
        assert decision is not None
        decisions, ids = [], []
        for name, task_input in tasks:
            activity_id = f"{name}-{uuid.uuid4().hex[:6]}"
            ids.append(activity_id)
            text = task_input if isinstance(task_input, str) else json.dumps(task_input)
            decisions.append(
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityType": {"name": name, "version": "1"},
                        "activityId": activity_id,
                        "input": text,
                        "taskList": {"name": self.task_list},
                        "scheduleToStartTimeout": "600",
                        "scheduleToCloseTimeout": "600",
                        "startToCloseTimeout": start_to_close,
                        "heartbeatTimeout": heartbeat_timeout,
                    },
                }
            )
        client.swf_client().respond_decision_task_completed(taskToken=decision["taskToken"], decisions=decisions)
        return ids

    def events_by_activity(self) -> dict[str, list[dict]]:
        ids: dict[int, str] = {}
        found: dict[str, list[dict]] = {}
        for event in client.get_history(self.domain, self.workflow_id, self.run_id):
            if event["eventType"] == "ActivityTaskScheduled":
                activity_id = event["activityTaskScheduledEventAttributes"]["activityId"]
                ids[event["eventId"]] = activity_id
                found[activity_id] = [event]
            elif event["eventType"].startswith("ActivityTask"):
                attrs = next(v for k, v in event.items() if k.endswith("EventAttributes"))
                found[ids[attrs["scheduledEventId"]]].append(event)
        return found

    def wait_for(self, *activity_ids: str, event_types=CLOSE_EVENTS, timeout: float = 20) -> dict[str, dict]:
        """The first event of *event_types* of each activity, waiting until they are all there."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.events_by_activity()
            hits = {aid: next((e for e in found[aid] if e["eventType"] in event_types), None) for aid in activity_ids}
            if all(hits.values()):
                return hits  # type: ignore[return-value]
            if time.monotonic() > deadline:
                raise AssertionError(f"activities not there after {timeout}s: {found}")
            time.sleep(0.05)


def attributes(event: dict) -> dict:
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


@contextlib.contextmanager
def worker(domain: str, task_list: str, **kwargs):
    """run_worker in a thread, stopped (and checked stopped) on exit."""
    stop = threading.Event()
    kwargs.setdefault("modules", [MODULE])
    thread = threading.Thread(
        target=run_worker, args=(domain, task_list), kwargs={"stop_event": stop, **kwargs}, daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(15)
        assert not thread.is_alive(), "the worker did not stop"


@pytest.fixture
def execution(swf_domain) -> Execution:
    return Execution(swf_domain)


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_completed_activity_records_its_json_result(execution):
    (aid,) = execution.schedule(("tests.add", {"args": [2], "kwargs": {"b": 3}}))
    with worker(execution.domain, execution.task_list):
        event = execution.wait_for(aid)[aid]
    assert event["eventType"] == "ActivityTaskCompleted"
    assert json.loads(attributes(event)["result"]) == 5


def test_class_activity_gets_its_context_and_runs_execute(execution):
    (aid,) = execution.schedule(("tests.Multiplier", {"args": [6, 7]}))
    with worker(execution.domain, execution.task_list):
        event = execution.wait_for(aid)[aid]
    assert json.loads(attributes(event)["result"]) == {"product": 42, "activity_id": aid}


@pytest.mark.parametrize("log_format", ["text", "json", "JSON", "json from a settings module"])
def test_function_activity_context_names_the_task(execution, log_format, monkeypatch, tmp_path):
    monkeypatch.setenv("SIMPLEFLOW_LOG_FORMAT", log_format)
    if log_format.endswith("module"):  # the setting as the command line reads it, wherever it is set
        (tmp_path / "json_log_settings.py").write_text('SIMPLEFLOW_LOG_FORMAT = "json"\n')
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.setenv("SIMPLEFLOW_SETTINGS_MODULE", "json_log_settings")
        monkeypatch.delenv("SIMPLEFLOW_LOG_FORMAT")
    (aid,) = execution.schedule(("tests.context", {}))
    with worker(execution.domain, execution.task_list):
        event = execution.wait_for(aid)[aid]
    context = json.loads(attributes(event)["result"])
    assert context == {
        "name": "tests.context",
        "version": "1",
        "workflow_id": execution.workflow_id,
        "run_id": execution.run_id,
        "activity_id": aid,
        "input": "{}",
        "domain_name": execution.domain,
        "activity_task_list": execution.task_list,
        # SWF's activity task does not say it: the worker asks once per run, only where JSON log records
        # or telemetry carry it (else an SWF call per run would buy nothing)
        "workflow_type": "tests.workflow" if log_format.lower().startswith("json") else "",
        "attempt": 1,
    }


def test_raising_activity_fails_with_reason_and_json_details(execution, caplog):
    caplog.set_level(logging.WARNING, logger="simpleflow")
    (aid,) = execution.schedule(("tests.raise", {"args": ["kaboom"]}))
    with worker(execution.domain, execution.task_list):
        event = execution.wait_for(aid)[aid]
    assert event["eventType"] == "ActivityTaskFailed"
    assert _warnings(caplog) == [f"task {aid}: activity 'tests.raise' failed (attempt 1): Boom: kaboom"]
    attrs = attributes(event)
    assert attrs["reason"] == "Boom: kaboom"
    details = json.loads(attrs["details"])
    assert details["error"] == "Boom"
    assert details["error_type"] == "tests.fixtures.worker_activities.Boom"
    assert details["message"] == "kaboom"
    assert isinstance(details["traceback"], list)
    assert "raise Boom(message)" in "".join(details["traceback"])


def test_long_failure_reason_is_cut_to_swf_limit(execution):
    (aid,) = execution.schedule(("tests.raise", {"args": ["z" * 1000]}))
    with worker(execution.domain, execution.task_list):
        attrs = attributes(execution.wait_for(aid)[aid])
    assert len(attrs["reason"]) == 256
    assert attrs["reason"].startswith("Boom: zzz")
    assert json.loads(attrs["details"])["message"] == "z" * 1000


def test_oversize_failure_details_are_shortened_but_stay_json(execution):
    # An input within SWF's 32,768 characters whose message, in the details twice (message and traceback), is not.
    (aid,) = execution.schedule(("tests.raise", {"args": ["z" * 32_700]}))
    with worker(execution.domain, execution.task_list):
        attrs = attributes(execution.wait_for(aid)[aid])
    assert len(attrs["details"]) <= 32768
    details = json.loads(attrs["details"])
    assert details["truncated"] is True
    assert details["error_type"] == "tests.fixtures.worker_activities.Boom"
    assert details["message"] == "z" * 2000
    assert "raise Boom(message)" in "".join(details["traceback"])


def test_undeclared_activity_fails_with_a_clear_reason_and_is_never_imported(execution):
    (aid,) = execution.schedule(("os.system", {"args": ["touch /tmp/should-never-exist"]}))
    with worker(execution.domain, execution.task_list):
        event = execution.wait_for(aid)[aid]
    assert event["eventType"] == "ActivityTaskFailed"
    assert attributes(event)["reason"] == (
        f"ActivityNotDeclared: activity 'os.system' is not declared in this worker (modules: {MODULE})"
    )
    assert json.loads(attributes(event)["details"])["error"] == "ActivityNotDeclared"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("tests.fixtures.exits_on_import.f", "exited as it loaded (status 3)"),
        ("tests.fixtures.__main__.f", "a __dunder__ module is a script"),
    ],
)
def test_a_task_naming_a_module_that_exits_or_a_script_fails_and_the_worker_lives_on(name, reason):
    act, why = find_activity(name, ())
    assert act is None and reason in why, why
    assert "tests.fixtures.__main__" not in sys.modules


def test_a_package_scanned_for_activities_never_runs_its_main_module(tmp_path, monkeypatch):
    package = tmp_path / "scanned_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "acts.py").write_text(
        "from simpleflow import activity\n\n@activity.with_attributes(task_list='t')\ndef scanned(x):\n    return x\n"
    )
    (package / "__main__.py").write_text(
        f"open({str(tmp_path / 'ran')!r}, 'w').close()\nraise SystemExit('a program')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    scan_activities("scanned_pkg")
    assert "scanned_pkg.acts" in sys.modules and "scanned_pkg.__main__" not in sys.modules
    assert not (tmp_path / "ran").exists()


def test_a_module_exiting_as_the_scan_imports_it_is_one_line_naming_its_file(tmp_path, monkeypatch):
    package = tmp_path / "exiting_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "quits.py").write_text("import sys\nsys.exit(3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(UsageError, match=r"cannot import 'exiting_pkg': SystemExit: 3 \(.*quits\.py, line 2\)"):
        scan_activities("exiting_pkg")


def test_input_that_is_not_json_fails_the_task(execution):
    (aid,) = execution.schedule(("tests.add", "not json"))
    with worker(execution.domain, execution.task_list):
        attrs = attributes(execution.wait_for(aid)[aid])
    assert attrs["reason"].startswith("InvalidInput: activity 'tests.add'")


def test_killed_activity_fails_and_the_worker_serves_the_next_task(execution, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="simpleflow")
    pid_file = str(tmp_path / "pid")
    hang_id, add_id = execution.schedule(
        ("tests.hang", {"args": [pid_file]}),
        ("tests.add", {"args": [1, 1]}),
    )
    with worker(execution.domain, execution.task_list):
        deadline = time.monotonic() + 15
        while not os.path.exists(pid_file):
            assert time.monotonic() < deadline, "the hanging activity never started"
            time.sleep(0.02)
        os.kill(int(Path(pid_file).read_text()), signal.SIGKILL)
        events = execution.wait_for(hang_id, add_id)
    assert events[hang_id]["eventType"] == "ActivityTaskFailed"
    assert attributes(events[hang_id])["reason"] == "WorkerKilled: activity process killed by signal 9 (SIGKILL)"
    assert _warnings(caplog) == [
        f"task {hang_id}: activity 'tests.hang' failed (attempt 1): WorkerKilled: activity process killed by signal 9 "
        "(SIGKILL)"
    ]
    assert events[add_id]["eventType"] == "ActivityTaskCompleted"
    assert attributes(events[add_id])["result"] == "2"


def test_activity_exiting_without_a_result_fails(execution):
    (aid,) = execution.schedule(("tests.exit", {"args": [3]}))
    with worker(execution.domain, execution.task_list):
        attrs = attributes(execution.wait_for(aid)[aid])
    assert attrs["reason"] == "WorkerExited: activity process exited with code 3 before sending a result"


def test_oversize_result_fails_naming_field_size_limit_and_jumbo_variable(execution):
    (aid,) = execution.schedule(("tests.big", {"args": [40_000]}))
    with worker(execution.domain, execution.task_list):
        event = execution.wait_for(aid)[aid]
    assert event["eventType"] == "ActivityTaskFailed"
    reason = attributes(event)["reason"]
    assert reason.startswith("FieldTooLarge: the activity result is 40002 characters long")
    assert "32768" in reason and "SIMPLEFLOW_JUMBO_FIELDS_BUCKET" in reason


def test_result_that_is_not_json_serializable_fails_naming_the_activity(execution):
    (aid,) = execution.schedule(("tests.unserializable", {}))
    with worker(execution.domain, execution.task_list):
        attrs = attributes(execution.wait_for(aid)[aid])
    assert attrs["reason"] == (
        "InvalidResult: activity 'tests.unserializable': its result cannot be encoded as JSON "
        "(object is not JSON serializable)"
    )
    assert json.loads(attrs["details"])["traceback"] == []  # nothing of the activity raised


def test_result_nested_too_deep_fails_naming_the_activity(execution):
    (aid,) = execution.schedule(("tests.nested", {"args": [300]}))
    with worker(execution.domain, execution.task_list):
        attrs = attributes(execution.wait_for(aid)[aid])
    assert attrs["reason"] == (
        "InvalidResult: activity 'tests.nested': its result is JSON nested more than 256 levels deep"
    )
    assert json.loads(attrs["details"])["traceback"] == []


def test_heartbeats_keep_a_slow_activity_alive(execution):
    # The server enforces heartbeat timeouts: without heartbeats this task,
    # 2.5 s long with a 2 s heartbeat timeout, would end ActivityTaskTimedOut.
    (aid,) = execution.schedule(("tests.sleep", {"args": [2.5]}), heartbeat_timeout="2")
    with worker(execution.domain, execution.task_list, heartbeat=0.5):
        event = execution.wait_for(aid)[aid]
    assert event["eventType"] == "ActivityTaskCompleted"


def _close_cancelling(execution: Execution, activity_id: str) -> None:
    """Close the execution as a decider answers workflow.cancel: RequestCancelActivityTask and
    CancelWorkflowExecution in one decision, so the activity's next heartbeat finds its task gone."""
    client.swf_client().request_cancel_workflow_execution(domain=execution.domain, workflowId=execution.workflow_id)
    decision = client.poll_decision_task(execution.domain, execution.decider_list)
    assert decision is not None
    client.swf_client().respond_decision_task_completed(
        taskToken=decision["taskToken"],
        decisions=[
            {
                "decisionType": "RequestCancelActivityTask",
                "requestCancelActivityTaskDecisionAttributes": {"activityId": activity_id},
            },
            {"decisionType": "CancelWorkflowExecution", "cancelWorkflowExecutionDecisionAttributes": {}},
        ],
    )


def _steps(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_an_activity_whose_heartbeat_finds_its_execution_closed_stops_there_unanswered(execution, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="simpleflow")
    steps = tmp_path / "steps"
    # The worker's own beat comes every 60 s: only the activity's heartbeats (every 0.2 s) can learn of the close.
    with worker(execution.domain, execution.task_list, heartbeat=60):
        (aid,) = execution.schedule(("tests.beats", {"args": [str(steps), 50, 0.2]}))
        deadline = time.monotonic() + 10
        while len(_steps(steps)) < 3:
            assert time.monotonic() < deadline, "the activity never got going"
            time.sleep(0.02)
        _close_cancelling(execution, aid)
        at_close = len(_steps(steps))
        while "canceled" not in _steps(steps):
            assert time.monotonic() < deadline + 5, f"the activity ran on: {_steps(steps)}"
            time.sleep(0.05)
        time.sleep(0.5)  # the worker's handling of its answer
    ran = _steps(steps)
    assert ran[-1] == "canceled" and len(ran) - 1 <= at_close + 2, (at_close, ran)
    messages = [r.getMessage() for r in caplog.records]
    assert any("stopped, SWF no longer knows it" in m for m in messages), messages
    assert not [m for m in messages if "refused" in m]  # nothing answered for a task SWF no longer knows


def test_an_activity_that_heartbeats_and_completes_keeps_its_result(execution, tmp_path):
    with worker(execution.domain, execution.task_list):
        done = _run_one(execution, "tests.beats", {"args": [str(tmp_path / "steps"), 3, 0.05]})
    assert _result(done) == 3 and _steps(tmp_path / "steps") == ["1", "2", "3"]


def _run_one(execution: Execution, name: str, task_input: dict | None = None, **schedule) -> dict:
    """Schedule one task, wait for it to close: its close event."""
    (aid,) = execution.schedule((name, task_input or {}), **schedule)
    return execution.wait_for(aid)[aid]


def _result(event: dict):
    assert event["eventType"] == "ActivityTaskCompleted", event
    return json.loads(attributes(event)["result"])


def test_tasks_run_one_after_another_in_one_activity_process_that_keeps_module_state(execution):
    with worker(execution.domain, execution.task_list):
        pids = [_result(_run_one(execution, "tests.pid")) for _ in range(3)]
        counts = [_result(_run_one(execution, "tests.count")) for _ in range(2)]
    assert len(set(pids)) == 1 and pids[0] != os.getpid()
    assert counts == [1, 2]


def test_one_task_per_child_gives_every_task_a_fresh_process_and_fresh_module_state(execution, monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_WORKER_TASKS_PER_CHILD", "1")
    with worker(execution.domain, execution.task_list):
        pids = [_result(_run_one(execution, "tests.pid")) for _ in range(3)]
        counts = [_result(_run_one(execution, "tests.count")) for _ in range(2)]
    assert len(set(pids)) == 3
    assert counts == [1, 1]


def test_activity_process_is_replaced_after_its_tasks_per_child(execution, monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_WORKER_TASKS_PER_CHILD", "2")
    with worker(execution.domain, execution.task_list):
        pids = [_result(_run_one(execution, "tests.pid")) for _ in range(5)]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    assert not any(alive(pid) for pid in pids[:4])


def test_no_limit_of_tasks_per_child_keeps_one_process_for_every_task(execution, monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_WORKER_TASKS_PER_CHILD", "0")  # documented: no limit (it was taken as 1)
    with worker(execution.domain, execution.task_list):
        pids = [_result(_run_one(execution, "tests.pid")) for _ in range(3)]
    assert len(set(pids)) == 1


def test_activity_process_over_its_memory_limit_is_replaced_after_its_task(execution, monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_WORKER_CHILD_MAX_MEMORY", "1")  # one byte: every process is over it
    with worker(execution.domain, execution.task_list):
        pids = [_result(_run_one(execution, "tests.pid")) for _ in range(2)]
    assert pids[0] != pids[1]


def test_a_crash_in_a_reused_process_fails_only_its_task_and_the_next_runs_in_a_fresh_process(execution):
    with worker(execution.domain, execution.task_list):
        first = _result(_run_one(execution, "tests.pid"))
        crashed = _run_one(execution, "tests.exit", {"args": [3]})
        after = _result(_run_one(execution, "tests.pid"))
    assert attributes(crashed)["reason"] == "WorkerExited: activity process exited with code 3 before sending a result"
    assert after != first and not alive(first)


def test_an_idle_activity_process_killed_is_replaced_for_the_next_task(execution):
    with worker(execution.domain, execution.task_list):
        first = _result(_run_one(execution, "tests.pid"))
        os.kill(first, signal.SIGKILL)
        assert wait_dead({first}, timeout=5) == set()
        after = _result(_run_one(execution, "tests.pid"))
    assert after != first


def test_an_activity_timeout_kills_the_reused_process_and_the_next_task_runs_in_a_fresh_one(execution, tmp_path):
    pid_file = tmp_path / "pid"
    # The worker beats every 1.5 s, the task's heartbeat timeout is 1 s: SWF refuses the first beat (the task is
    # gone) and the worker kills the process still running it.
    with worker(execution.domain, execution.task_list, heartbeat=1.5):
        (hang_id,) = execution.schedule(("tests.hang", {"args": [str(pid_file)]}), heartbeat_timeout="1")
        timed_out = execution.wait_for(hang_id)[hang_id]
        deadline = time.monotonic() + 10
        while not pid_file.exists():
            assert time.monotonic() < deadline, "the hanging activity never started"
            time.sleep(0.02)
        hung = int(pid_file.read_text())
        assert wait_dead({hung}, timeout=10) == set()
        after = _result(_run_one(execution, "tests.pid"))
    assert timed_out["eventType"] == "ActivityTaskTimedOut"
    assert after != hung


def test_worker_processes_run_tasks_in_parallel_and_finish_them_on_sigterm(execution):
    ids = execution.schedule(("tests.sleep", {"args": [1.5]}), ("tests.sleep", {"args": [1.5]}))
    code = (
        "from simpleflow.swf.worker import run_worker; "
        f"run_worker({execution.domain!r}, {execution.task_list!r}, nb_processes=2, modules=[{MODULE!r}])"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        started = execution.wait_for(*ids, event_types={"ActivityTaskStarted"})
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    pids = {json.loads(attributes(event)["identity"])["pid"] for event in started.values()}
    assert len(pids) == 2
    closed = execution.wait_for(*ids, timeout=1)
    assert [e["eventType"] for e in closed.values()] == ["ActivityTaskCompleted"] * 2


def _write_pid_and_wait(directory: str) -> None:
    Path(directory, str(os.getpid())).touch()
    while True:
        time.sleep(0.05)


def _pids(directory: Path) -> set[int]:
    return {int(p.name) for p in directory.iterdir()}


def _wait_for_pids(directory: Path, count: int, timeout: float = 10) -> set[int]:
    deadline = time.monotonic() + timeout
    while len(_pids(directory)) < count:
        assert time.monotonic() < deadline, f"only {_pids(directory)} started"
        time.sleep(0.02)
    return _pids(directory)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_supervisor_restarts_a_killed_child_and_stops_all_on_request(tmp_path):
    stop = threading.Event()
    thread = threading.Thread(
        target=supervise,
        args=(_write_pid_and_wait, (str(tmp_path),), 2, "test"),
        kwargs={"grace_period": 5, "stop_event": stop},
        daemon=True,
    )
    thread.start()
    first = _wait_for_pids(tmp_path, 2)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    everyone = _wait_for_pids(tmp_path, 3)
    stop.set()
    thread.join(10)
    assert not thread.is_alive()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in everyone) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in everyone)
    assert len(everyone - first) == 1
