"""``simpleflow workflow.start --local`` and ``workflow.replay`` as a user runs them: subprocesses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "bench")  # its history generator and workflows


def simpleflow(*args: str, stdin: str | None = None, cwd: str = ROOT, env: dict | None = None):
    environ = dict(os.environ, **(env or {}))
    environ.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "simpleflow.command", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
    )


def test_basic_example_prints_its_result_as_json():
    done = simpleflow("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]")
    assert (done.returncode, done.stdout) == (0, "4\n")


def test_input_as_args_and_kwargs_and_from_a_file(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"args": [3], "kwargs": {"t": 0}}))
    done = simpleflow("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input-file", str(path))
    assert (done.returncode, done.stdout) == (0, "8\n")
    done = simpleflow("workflow.start", "--local", "examples.basic.BasicWorkflow", "-i", '{"args": [2], "kwargs": {}}')
    assert (done.returncode, done.stdout) == (0, "6\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["examples.basic.BasicWorkflow", "--input", "[1, 5"], "--input is not valid JSON"),
        (["examples.nowhere.Flow", "--input", "[1]"], "unknown workflow module 'examples.nowhere'"),
        (["examples.basic.Missing", "--input", "[1]"], "has no workflow class 'Missing'"),
        (["examples.basic.increment", "--input", "[1]"], "is not a Workflow subclass"),
        (["examples.basic.BasicWorkflow", "--input", "[1, 2, 3]"], "input does not fit BasicWorkflow.run"),
        (["nodots", "--input", "[1]"], "is not a dotted path"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    done = simpleflow("workflow.start", "--local", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_a_failing_workflow_exits_1_with_its_reason(tmp_path):
    (tmp_path / "failing_flow.py").write_text(
        "from simpleflow import Workflow\n"
        "class Failing(Workflow):\n"
        "    name = 'failing'\n"
        "    version = '1'\n"
        "    def run(self):\n"
        "        self.fail('no luck today')\n"
    )
    done = simpleflow("workflow.start", "--local", "failing_flow.Failing", cwd=str(tmp_path))
    assert done.returncode == 1 and done.stdout == ""
    # Its reason once: "workflow failed: Workflow execution failed: no luck today" said it twice.
    assert done.stderr.splitlines()[-1] == "workflow failed: no luck today"


def test_a_run_stuck_on_a_signal_names_it_in_one_line():
    # Reminder waits a week, then for the signal "go".
    reminder = "tests.testing.workflows.Reminder"
    done = simpleflow("workflow.start", "--local", reminder, "--input", '["ann"]', "--signal", "og@700000={}")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "workflow failed: workflow is stuck: it waits for signal 'go', which can never come "
        "(it received 'og', which no wait_signal asks for)\n"
    )


def test_a_child_stuck_once_its_root_closed_is_named_in_one_line_beside_the_roots_status():
    # The root times out; its child policy asks the child to cancel, and the child waits for a signal for ever.
    parent = "tests.fixtures.execution_timeout_workflows.AskingParent"
    done = simpleflow("workflow.start", "--local", parent, "--input", '["deaf"]')
    assert (done.returncode, done.stdout) == (1, "")
    child, root = done.stderr.splitlines()
    assert re.fullmatch(
        r"child workflow 'workflow-exto\.deaf_child-\S+' \(run [0-9a-f]{32}\) is stuck: "
        r"it waits for signal 'never', which can never come",
        child,
    ), child
    assert root == "workflow timed_out"


def test_replay_of_a_recorded_history_prints_the_next_decisions_and_flags_mismatches(tmp_path):
    history = subprocess.run(
        [sys.executable, os.path.join(BENCH, "gen_history.py"), "Chain", "3", "2"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    env = {"PYTHONPATH": BENCH}
    done = subprocess.run(
        [sys.executable, "-m", "simpleflow.command", "workflow.replay", "bench_workflows.Chain", "-"],
        input=history,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, **env),
    )
    assert done.returncode == 0, done.stderr
    (decision,) = json.loads(done.stdout)
    assert decision["scheduleActivityTaskDecisionAttributes"]["activityId"] == "activity-bench_workflows.inc-3"
    other_code = "examples.basic.BasicWorkflow"
    done = subprocess.run(
        [sys.executable, "-m", "simpleflow.command", "workflow.replay", other_code, "-"],
        input=history,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, **env),
    )
    assert done.returncode == 1
    assert "history does not fit the code" in done.stderr


def test_replay_of_bad_json_is_one_line():
    done = simpleflow("workflow.replay", "examples.basic.BasicWorkflow", "-", stdin="{nope")
    assert done.returncode == 2 and "history file is not valid JSON" in done.stderr
