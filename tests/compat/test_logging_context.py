"""simpleflow.logging_context: set/get/reset as in simpleflow 0.36, the records' filter, the syslog target."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from simpleflow import Workflow, activity
from simpleflow import logging_context as ctx
from simpleflow.log import SyslogFormatter, settings_handlers, syslog_address
from simpleflow.swf.decider import Decider
from tests.history_builder import HistoryBuilder
from tests.log_capture import Captured

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_context():
    saved = {env: os.environ.get(env) for env in ctx.ENV_KEYS.values()}
    ctx.reset()
    yield
    ctx.reset()
    for env, value in saved.items():
        if value is None:
            os.environ.pop(env, None)
        else:
            os.environ[env] = value


@pytest.fixture
def captured():
    handler = Captured()
    logger = logging.getLogger("tests.compat")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)


def test_set_get_and_reset_read_as_in_simpleflow_and_export_the_environment():
    assert ctx.get("workflow_id") == ""
    ctx.set("workflow_id", "foo-bar")
    ctx.set("event_id", 4)
    assert (ctx.get("workflow_id"), ctx.get("event_id")) == ("foo-bar", "4")
    assert os.environ["_SWF_CONTEXT_WORKFLOW_ID"] == "foo-bar"  # what a program started from here reads
    ctx.reset()
    assert ctx.get("workflow_id") == ctx.get("event_id") == ""
    assert os.environ["_SWF_CONTEXT_WORKFLOW_ID"] == ""


def test_an_unknown_key_raises_key_error():
    with pytest.raises(KeyError):
        ctx.set("invalid_key", "bar")
    with pytest.raises(KeyError):
        ctx.get("invalid_key")


def test_each_record_carries_the_context_and_scope_puts_the_previous_values_back(captured):
    log = logging.getLogger("tests.compat")
    log.info("outside")
    with ctx.scope(workflow_id="w-1", task_type="activity", activity_id="activity-x-1"):
        log.info("inside")
    log.info("after")
    outside, inside, after = captured.records
    assert (outside.workflow_id, after.workflow_id) == ("", "")
    assert (inside.workflow_id, inside.task_type, inside.activity_id) == ("w-1", "activity", "activity-x-1")
    assert os.environ["_SWF_CONTEXT_WORKFLOW_ID"] == ""


def test_two_threads_never_see_each_other_s_context(captured):
    log = logging.getLogger("tests.compat")
    ready, done = threading.Barrier(2), threading.Event()

    def other() -> None:
        with ctx.scope(workflow_id="other"):
            ready.wait()
            done.wait()
            log.info("other thread")

    thread = threading.Thread(target=other)
    thread.start()
    with ctx.scope(workflow_id="mine"):
        ready.wait()
        log.info("this thread")
        done.set()
        thread.join()
    by_message = {r.getMessage(): r.workflow_id for r in captured.records}
    assert by_message == {"this thread": "mine", "other thread": "other"}


def test_a_process_starts_with_the_context_its_parent_exported():
    with ctx.scope(workflow_id="from-parent", task_type="activity"):
        out = subprocess.run(
            [sys.executable, "-c", "from simpleflow import logging_context as c; print(c.get('workflow_id'))"],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO_ROOT,
        ).stdout
    assert out.strip() == "from-parent"


@activity.with_attributes(task_list="tl", version="1")
def _noop():
    return None


class LogsInRun(Workflow):
    name = "logs_in_run"
    version = "1"
    task_list = "tl"

    def run(self):
        logging.getLogger("tests.compat").info("from run")
        return self.submit(_noop).result


def test_a_workflow_s_own_log_lines_carry_the_decision_task_s_context(captured, swf_domain):
    # The run executes on a thread of its own, resumed at each decision task: it sees the
    # context of the thread that handles the decision task.
    decider = Decider(swf_domain, "tl", [LogsInRun])
    history = HistoryBuilder(workflow_name="logs_in_run", workflow_id="wf-logs", input={"args": [], "kwargs": {}})
    history.decision_started()
    task = {
        "taskToken": "t",
        "startedEventId": history.events[-1]["eventId"],
        "workflowExecution": {"workflowId": "wf-logs", "runId": "run-id"},
        "workflowType": {"name": "logs_in_run", "version": "1"},
        "events": history.events,
    }
    decisions = decider.decide(task)
    assert decisions and decisions[0]["decisionType"] == "ScheduleActivityTask"
    [record] = [r for r in captured.records if r.getMessage() == "from run"]
    assert (record.workflow_id, record.task_type, record.event_id) == ("wf-logs", "decision", "3")
    assert ctx.get("workflow_id") == ""


def test_the_syslog_formatter_writes_the_original_s_line():
    record = logging.LogRecord("simpleflow", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    assert SyslogFormatter().format(record) == f"INFO pid={record.process} hello you"
    with ctx.scope(workflow_id="w" * 70, task_type="decision", event_id=7):
        assert SyslogFormatter().format(record) == f"{'w' * 64}: decision#7 INFO pid={record.process} hello you"


def test_simpleflow_syslog_target_sends_the_log_lines_to_that_syslog_server(monkeypatch):
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(5)
    monkeypatch.setenv("SIMPLEFLOW_SYSLOG_TARGET", f"127.0.0.1:{server.getsockname()[1]}")
    [handler] = settings_handlers()
    try:
        with ctx.scope(workflow_id="wf-9", task_type="activity", event_id=12):
            handler.handle(logging.LogRecord("simpleflow", logging.WARNING, __file__, 1, "sent", (), None))
        data = server.recv(4096).decode()
    finally:
        handler.close()
        server.close()
    assert data.endswith(f"wf-9: activity#12 WARNING pid={os.getpid()} sent\x00")


def test_a_malformed_syslog_target_is_one_clear_line_and_exit_2():
    with pytest.raises(ValueError, match="expected host:port"):
        syslog_address("localhost")
    env = dict(os.environ, SIMPLEFLOW_SYSLOG_TARGET="no-port-here", PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "simpleflow", "info", "settings"], capture_output=True, text=True, env=env, cwd="/"
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "simpleflow: error: SIMPLEFLOW_SYSLOG_TARGET='no-port-here': expected host:port (e.g. localhost:514)"
    ]
