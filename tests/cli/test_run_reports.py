"""What a local run tells its user: every task failure (id, error, the line that raised it), the line of the
workflow's own code that raised, and a last line when the run completed although tasks failed.

Run as a user runs them: the console script, from the repository root or a project's root.
"""

from __future__ import annotations

import json

import pytest

from simpleflow.history import failed_for_good, make_event, task_failures, where_raised
from tests import console

FLOWS = """
from pathlib import Path

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="t", version="1", retry=1)
def flaky():
    tries = Path("tries")
    tries.write_text(tries.read_text() + "x" if tries.exists() else "x")
    if len(tries.read_text()) == 1:
        raise ConnectionError("first try refused")
    return "ok"


class Raises(Workflow):
    name = "raises"
    version = "1"
    task_list = "t"

    def run(self):
        config = {}
        return config["missing"]


class Retried(Workflow):
    name = "retried"
    version = "1"
    task_list = "t"

    def run(self):
        return self.submit(flaky).result


@activity.with_attributes(task_list="t", version="1")
def broken():
    raise ValueError("never works")


class Ignores(Workflow):
    name = "ignores"
    version = "1"
    task_list = "t"

    def run(self):
        self.submit(broken).wait()
        return "done anyway"
"""


def line_of(text: str) -> int:
    """The line of FLOWS holding *text*, from 1."""
    return next(n for n, line in enumerate(FLOWS.splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def shell(tmp_path_factory) -> dict[str, str]:
    return console.install(tmp_path_factory.mktemp("installed"))


@pytest.fixture
def project(tmp_path):
    (tmp_path / "flows.py").write_text(FLOWS)
    return tmp_path


@pytest.mark.parametrize("log_level", [None, "DEBUG"])
def test_a_local_run_whose_activities_fail_says_so_on_stderr_and_in_its_last_line(shell, log_level):
    extra = {"LOG_LEVEL": log_level} if log_level else {}
    args = ["workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", '["a", 5]']
    done = console.run(shell, *args, cwd=console.REPO, extra=extra)
    # increment fails; double is submitted with its future: the run fails there (no value was computed),
    # rather than run double on null and complete with a value it did not compute.
    assert (done.returncode, done.stdout) == (1, "")
    lines = done.stderr.splitlines()
    assert (
        'task activity-examples.basic.increment-1 failed: TypeError: can only concatenate str (not "int") to str '
        "(examples/basic.py, line 15, in increment)"
    ) in lines
    reason = (
        "workflow failed: examples.basic.Delay was submitted with the future of activity-examples.basic.increment-1 "
        "as an argument, which failed: no value"
    )
    assert [line for line in lines if line.startswith(reason)]


def test_a_run_that_completes_beside_a_failed_task_says_so_in_its_last_line(shell, project):
    done = console.run(shell, "workflow.start", "--local", "flows.Ignores", cwd=project)
    assert (done.returncode, done.stdout) == (0, '"done anyway"\n')
    lines = done.stderr.splitlines()
    assert lines[0].startswith("task activity-flows.broken-1 failed: ValueError: never works (flows.py, line ")
    assert lines[-1] == (
        "warning: the workflow completed, but 1 of its tasks failed (activity-flows.broken-1): "
        "its result may depend on them"
    )


def test_an_exception_in_run_names_the_line_of_the_workflow_that_raised(shell, project):
    done = console.run(shell, "workflow.start", "--local", "flows.Raises", cwd=project)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "workflow failed: Cannot replay the workflow: KeyError('missing') "
        f"(flows.py, line {line_of('missing')}, in run)\n"
    )


def test_a_task_that_failed_then_succeeded_is_reported_without_the_warning(shell, project):
    done = console.run(shell, "workflow.start", "--local", "flows.Retried", cwd=project)
    assert (done.returncode, done.stdout) == (0, '"ok"\n'), done.stderr
    assert done.stderr == (
        "task activity-flows.flaky-1 failed: ConnectionError: first try refused "
        f"(flows.py, line {line_of('raise ConnectionError')}, in flaky)\n"
    )


def test_dag_run_reports_the_failed_node_and_where_it_raised(shell):
    args = ["dag.run", "examples/dag/fanout.json", "--local", "--input", '{"text": 5}']
    done = console.run(shell, *args, cwd=console.REPO)
    assert (done.returncode, done.stdout) == (1, "")
    lines = done.stderr.splitlines()
    assert lines[0] == (
        "task activity-examples.dag.activities.split-split failed: TypeError: object of type 'int' has no len() "
        "(examples/dag/activities.py, line 26, in split)"
    )
    assert lines[-1].startswith("workflow failed: node 'split' failed: ")  # not "failed: Workflow execution failed:"


# -- the pure parts ------------------------------------------------------------------------------------


def _events(*specs):
    return [make_event(n, etype, 0.0, attrs) for n, (etype, attrs) in enumerate(specs, 1)]


def test_failed_for_good_counts_only_tasks_whose_last_attempt_failed():
    scheduled = ("ActivityTaskScheduled", {"activityId": "a", "activityType": {"name": "f", "version": "1"}})
    events = _events(
        scheduled,
        ("ActivityTaskFailed", {"scheduledEventId": 1, "reason": "boom"}),
        scheduled,
        ("ActivityTaskCompleted", {"scheduledEventId": 3}),
        ("ActivityTaskScheduled", {"activityId": "b", "activityType": {"name": "f", "version": "1"}}),
        ("ActivityTaskTimedOut", {"scheduledEventId": 5, "timeoutType": "START_TO_CLOSE"}),
        ("ScheduleActivityTaskFailed", {"activityId": "c", "cause": "ACTIVITY_ID_ALREADY_IN_USE"}),
        ("ActivityTaskScheduled", {"activityId": "b", "activityType": {"name": "f", "version": "1"}}),
        ("ActivityTaskFailed", {"scheduledEventId": 8, "reason": "again"}),
    )
    assert failed_for_good(events) == ["c", "b"]  # in the order of their last failure
    assert [f.line for f in task_failures(events)] == [
        "task a failed: boom",
        "task b timed out: START_TO_CLOSE timeout",
        "task c not scheduled: the endpoint refused to schedule it again under its id (ACTIVITY_ID_ALREADY_IN_USE): "
        "SWF reuses the id of a closed task, a stock moto server does not (docs/swf.md)",
        "task b failed (attempt 2): again",
    ]
    assert [f.task_id for f in task_failures(events, after=2)] == ["b", "c", "b"]


def test_where_raised_prefers_the_users_frame_to_simpleflows_and_the_standard_librarys():
    import json
    import os

    import simpleflow

    ours = os.path.join(os.path.dirname(simpleflow.__file__), "runtime", "outcome.py")
    stdlib = json.__file__
    details = json.dumps(
        {
            "traceback": [
                f'  File "{ours}", line 3, in _call\n',
                '  File "/srv/app/jobs.py", line 42, in load\n',
                f'  File "{stdlib}", line 9, in loads\n',
            ]
        }
    )
    assert where_raised(details) == "/srv/app/jobs.py, line 42, in load"
    assert where_raised(f'Traceback:\n  File "{stdlib}", line 9, in loads\n') == f"{stdlib}, line 9, in loads"
    assert where_raised("no traceback") == ""
    installed = '  File "/venv/lib/python3.11/site-packages/botocore/client.py", line 7, in _make_api_call\n'
    assert where_raised(installed) == "botocore/client.py, line 7, in _make_api_call"


def test_a_local_schedule_says_which_runs_did_not_complete_and_why(shell):
    args = ["schedule.create", "nightly", "--cron", "30 2 * * *", "examples/dag/diamond.yaml", "--local", "--for"]
    done = console.run(shell, *args, "172800", "--input", '{"y": 1}', cwd=console.REPO)  # $input.x cannot resolve
    assert done.returncode == 1
    ids = done.stdout.splitlines()
    assert len(ids) == 2 and all(i.startswith("nightly-") for i in ids)
    assert done.stderr.splitlines() == [
        *(f"run {i} failed: node 'a': $input.x: no 'x' in dict value" for i in ids),
        "2 of the 2 runs the schedule started did not complete",
    ]
    done = console.run(shell, *args, "172800", "--input", '{"x": 1}', cwd=console.REPO)
    assert (done.returncode, done.stderr, len(done.stdout.splitlines())) == (0, "", 2)


def test_a_local_schedule_says_which_runs_were_still_open_when_for_ended(shell, tmp_path):
    spec = tmp_path / "slow.json"
    # Its runs wait longer than --for and time out long after it, whatever the time of day the test starts at.
    slow = {"name": "slow", "version": "1", "execution_timeout": 200_000, "nodes": {"wait": {"timer": 100_000}}}
    spec.write_text(json.dumps(slow))
    args = ["schedule.create", "slow", "--cron", "* * * * *", str(spec), "--local", "--for", "150"]
    done = console.run(shell, *args, cwd=console.REPO)
    assert done.returncode == 0, done.stderr  # a run past --for is no failure
    ids = done.stdout.splitlines()
    assert ids and done.stderr.splitlines() == [f"run {i} still open when --for ended" for i in ids]
