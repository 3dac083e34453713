"""simpleflow's published Python names, and its examples' features, run locally."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

import simpleflow
from simpleflow import constants, exceptions, futures, log, task, utils
from simpleflow.local import Executor
from tests.fixtures import compat_workflows as cw

ROOT = Path(__file__).resolve().parents[2]


def test_the_original_import_lines_work():
    from simpleflow import WaitForSignal, Workflow, activity, logger  # noqa: F401
    from simpleflow.log import END, GREEN, ORANGE, RED, YELLOW  # noqa: F401
    from simpleflow.signal import WaitForSignal as FromSignal
    from simpleflow.swf.executor import Executor as SwfExecutor
    from simpleflow.swf.task import WorkflowTask  # noqa: F401

    assert FromSignal is WaitForSignal
    assert isinstance(logger, logging.Logger)
    assert SwfExecutor.__name__ == "WorkflowContext"  # what a workflow's ``self.executor`` is


# In a fresh interpreter: the package's names are imported on first use, and each is what it was.
LAZY_NAMES = """
import sys, types
import simpleflow
assert "simpleflow.workflow" not in sys.modules and "simpleflow.activity" not in sys.modules
from simpleflow import Workflow  # imports the submodule simpleflow.cached on the way
from simpleflow import cached
assert callable(cached) and not isinstance(cached, types.ModuleType) and simpleflow.cached is cached
from simpleflow import Activity, RetryPolicy, WaitForSignal, activity, canvas, exceptions, futures, logger, query
from simpleflow.workflow import Workflow as Defined
assert simpleflow.Workflow is Defined is Workflow and activity.Activity is Activity
assert isinstance(canvas, types.ModuleType) and query.__module__ == "simpleflow.workflow"
assert simpleflow.format is sys.modules["simpleflow.format"]  # any submodule, as the eager imports gave
assert set(simpleflow.__all__) <= set(dir(simpleflow)) and not hasattr(simpleflow, "nope")
"""


def test_the_package_names_are_imported_on_first_use_and_are_what_they_were():
    done = subprocess.run([sys.executable, "-c", LAZY_NAMES], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_helpers_keep_the_original_behaviour():
    assert utils.json_dumps({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
    assert utils.json_dumps({"a": 1}, pretty=True) == '{\n    "a": 1\n}'
    assert utils.json_loads_or_raw("not json") == "not json" and utils.json_loads_or_raw("[1]") == [1]
    assert utils.hex_hash("") == "0" and utils.hex_hash("abc") == "24d0127"
    assert utils.format_exc(ValueError("boom")) == "ValueError: boom"
    assert utils.format_exc_type(json.JSONDecodeError) == "json.decoder.JSONDecodeError"
    assert utils.import_from_module("json.dumps") is json.dumps
    assert utils.remove_none({"a": None, "b": [1, None]}) == {"b": [1]}
    assert utils.issubclass_(1, int) is False and utils.issubclass_(bool, int) is True
    assert task.get_actual_value(5) == 5
    done = futures.Future()
    done.set_finished(3)
    assert futures.get_result_or_raise(done) == 3 and task.get_actual_value(done) == 3
    assert {futures.ALL_COMPLETED, futures.FIRST_COMPLETED, futures.FIRST_EXCEPTION} == {
        "ALL_COMPLETED",
        "FIRST_COMPLETED",
        "FIRST_EXCEPTION",
    }
    assert constants.JUMBO_FIELDS_PREFIX == "simpleflow+s3://" and constants.JUMBO_FIELDS_MAX_SIZE >= 5 * 1024**2
    assert str(exceptions.ExecutionTimeoutError("sleep 9", 2)) == "ExecutionTimeoutError after 2 seconds (sleep 9)"
    assert issubclass(exceptions.ExecutionError, Exception)


def test_retry_with_delay_calls_again_until_the_count_then_raises():
    calls = []

    @utils.retry.with_delay(nb_times=3, delay=utils.retry.constant(0), on_exceptions=KeyError)
    def flaky():
        calls.append(1)
        raise KeyError("x")

    with pytest.raises(KeyError):
        flaky()
    assert len(calls) == 3


def test_colours_follow_the_color_mode(monkeypatch):
    monkeypatch.setattr(log, "color_mode", log.ColorModes.ALWAYS)
    assert log.colorize("ERROR", "bad") == f"{log.RED}bad{log.END}"
    monkeypatch.setattr(log, "color_mode", log.ColorModes.NEVER)
    assert log.colorize("ERROR", "bad") == "bad"
    record = logging.LogRecord("simpleflow", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
    assert (
        log.SimpleflowFormatter()
        .format(record)
        .endswith(f"WARNING [process={record.processName}, pid={record.process}]: hello you")
    )


def test_a_child_with_no_chosen_id_gets_the_generated_one_and_priorities_do_not_reach_the_activity():
    assert Executor(cw.ParentWorkflow).run({"args": [3]}) == [6, 8]
    assert Executor(cw.PriorityWorkflow).run({"args": [1]}) == 8


def test_an_activity_reads_its_context_while_it_runs_and_the_old_context_name_answers():
    from tests.fixtures import compat_activities as acts

    class Reader(simpleflow.Workflow):
        name = "compat-reader"
        version = "1"

        def run(self):
            return self.submit(acts.seen_context, 4).result

    result = Executor(Reader).run()
    assert result["x"] == 4 and result["activity_id"] == "activity-tests.fixtures.compat_activities.seen_context-1"
    assert Executor(cw.OldNamesWorkflow).run()["same"] is True


def test_before_run_and_after_run_are_the_old_names_of_the_replay_hooks():
    seen = []

    class Hooked(simpleflow.Workflow):
        name = "compat-hooked"
        version = "1"

        def before_replay(self, history):
            seen.append("before")

        def after_closed(self, history):
            seen.append("closed")

        def run(self):
            self.before_run(None)
            self.after_run(None)
            return list(seen)

    assert Executor(Hooked).run() == ["before", "before", "closed"]  # the engine's call, then the two old names


def _local(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simpleflow", *args],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_workflow_start_takes_a_bare_json_value_as_the_single_argument():
    done = _local("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "3")
    assert (done.returncode, done.stdout) == (0, "8\n"), done.stderr
    done = _local("workflow.start", "--local", "tests.fixtures.compat_workflows.EchoWorkflow", "-i", "null")
    assert (done.returncode, json.loads(done.stdout)) == (0, {"args": [None], "kwargs": {}}), done.stderr


def test_format_names_of_the_original_are_accepted_and_unknown_ones_refused():
    assert _local("--format", "prettyjson", "--color", "never", "-h").returncode == 0
    done = _local("--format", "fancy", "workflow.list", "d")
    assert done.returncode == 2 and "unknown format 'fancy'" in done.stderr and "prettyjson" in done.stderr


def test_the_mappers_timer_decision_name_imports_and_builds_swf_decisions():
    from simpleflow.swf.mapper.models.decision import TimerDecision

    assert TimerDecision("start", id="t", start_to_fire_timeout=5) == {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": "5"},
    }
    assert TimerDecision("cancel", id="t")["decisionType"] == "CancelTimer"
    with pytest.raises(ValueError, match="'start' or 'cancel'"):
        TimerDecision("pause", id="t")
