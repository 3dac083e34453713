"""A decider's or worker's settings are checked once, in the process the user started, whatever -N.

A bad value is one line naming the setting and what it takes, exit 2, before any child, thread or call
to SWF (the domain named does not exist: nothing gets that far).
"""

from __future__ import annotations

import pytest

from tests.cli.test_settings import simpleflow_cli

DECIDER = ("decider.start", "-d", "nowhere", "-t", "x", "tests.fixtures.nondeterminism_workflows.Chain")
WORKER = ("worker.start", "-d", "nowhere", "-t", "x")


@pytest.mark.parametrize(
    ("command", "name", "value", "expected"),
    [
        (DECIDER, "SIMPLEFLOW_POLL_BACKOFF_BASE", "lots", "a number of seconds, more than 0"),
        (DECIDER, "SIMPLEFLOW_POLL_BACKOFF_BASE", "-1", "a number of seconds, more than 0"),
        (DECIDER, "SIMPLEFLOW_DECIDER_STICKY_TIMEOUT", "x", "a whole number of seconds, 0 or more"),
        (DECIDER, "SIMPLEFLOW_DECIDER_CACHE_MB", "x", "a number of MB, 0 or more"),
        (DECIDER, "SIMPLEFLOW_DECIDER_CACHE_MB", "-1", "a number of MB, 0 or more"),
        (DECIDER, "SIMPLEFLOW_DECIDER_CACHE_RUNS", "-5", "a whole number, 0 or more (0: no cache)"),
        (DECIDER, "SWF_MAX_OPEN_ACTIVITY_COUNT", "lots", "a whole number, 1 or more (unset: SWF's 1,000)"),
        (DECIDER, "SWF_MAX_OPEN_ACTIVITY_COUNT", "-2", "a whole number, 1 or more (unset: SWF's 1,000)"),
        (DECIDER, "SWF_CONNECTION_RETRIES", "-1", "a whole number, 0 or more (retries after a first try)"),
        (WORKER, "SIMPLEFLOW_POLL_BACKOFF_MAX", "lots", "a number of seconds, more than 0"),
        (WORKER, "SIMPLEFLOW_WORKER_TASKS_PER_CHILD", "lots", "a whole number, 0 or more (0: no limit)"),
        (WORKER, "SIMPLEFLOW_WORKER_TASKS_PER_CHILD", "-1", "a whole number, 0 or more (0: no limit)"),
        (WORKER, "ACTIVITY_SIGTERM_WAIT_SEC", "x", "a number of seconds, 0 or more"),
    ],
)
@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_bad_setting_is_one_line_and_exit_2_whatever_the_number_of_processes(
    command, name, value, expected, processes
):
    done = simpleflow_cli(*command, "-N", processes, env={name: value})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == f"simpleflow: error: {name}={value!r}: expected {expected}"


def test_a_bad_setting_of_a_standalone_s_decider_or_worker_is_refused_before_the_start():
    for name, value in (("SWF_MAX_OPEN_ACTIVITY_COUNT", "0"), ("SIMPLEFLOW_WORKER_TASKS_PER_CHILD", "x")):
        done = simpleflow_cli("standalone", "-d", "nowhere", "examples.basic.BasicWorkflow", env={name: value})
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.strip().startswith(f"simpleflow: error: {name}={value!r}: expected a whole number")


def test_a_log_level_s_message_says_the_numbers_it_takes():
    done = simpleflow_cli(*WORKER, env={"LOG_LEVEL": "15"})
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "simpleflow: error: LOG_LEVEL='15': expected DEBUG, INFO, WARNING, ERROR or CRITICAL (or 10, 20, 30, 40 or 50)"
    )


@pytest.mark.parametrize(
    "command",
    [
        ("dag.run", "examples/dag/fanout.json", "--local", "--input", '{"text": "hi"}'),
        ("schedule.create", "n", "--cron", "0 2 * * *", "examples/dag/diamond.yaml", "--input", '{"x": 1}')
        + ("--local", "--for", "86400"),
    ],
    ids=["dag.run", "schedule.create"],
)
def test_a_local_run_of_a_spec_refuses_a_bad_setting_before_it_starts(command):
    """They ran and exited 0: the value was read only where a task met a jumbo field."""
    done = simpleflow_cli(*command, env={"SIMPLEFLOW_JUMBO_FIELDS_CACHE": "maybe"})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == (
        "simpleflow: error: SIMPLEFLOW_JUMBO_FIELDS_CACHE='maybe': expected a boolean (1/0, true/false, yes/no, on/off)"
    )
