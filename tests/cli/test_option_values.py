"""An option given a value it cannot take is one line naming the option, exit 2, before anything runs."""

from __future__ import annotations

import pytest

from simpleflow.cli.params import MAX_PROCESSES
from tests.swf_e2e_helpers import simpleflow_here, usage_line

SIGNALS = "examples.signals.SignalsWorkflow"
BASIC = ("examples.basic.BasicWorkflow", "--input", "[1, 5]")
SCHEDULE = ("schedule.create", "n", "--cron", "0 0 1 1 *", *BASIC, "--local")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("nosuch",), "simpleflow: error: no such command 'nosuch'"),
        (("workflow.start",), "simpleflow: error: missing argument 'WORKFLOW'"),
        (("schedule.create", "n", "x"), "simpleflow: error: missing option '--cron'"),
        ((*SCHEDULE, "--for", "abc"), "simpleflow: error: --for: 'abc' is not a number of seconds"),
        (("worker.start", "-N", "x"), "simpleflow: error: --nb-processes: 'x' is not a valid integer"),
        (("dev-server", "--port", "abc"), "simpleflow: error: --port: 'abc' is not a valid integer"),
        (
            ("worker.start", "-N", "0", "examples.basic"),
            f"simpleflow: error: --nb-processes: 0 is not in the range 1<=x<={MAX_PROCESSES}",
        ),
        (
            ("worker.start", "--heartbeat", "nan", "examples.basic"),
            "simpleflow: error: --heartbeat: 'nan' is not a finite number of seconds",
        ),
        (
            ("standalone", "-W", "-1", "examples.basic.BasicWorkflow"),
            f"simpleflow: error: --nb-workers: -1 is not in the range 1<=x<={MAX_PROCESSES}",
        ),
        # No process started apart polls standalone's own task list: 0 workers or deciders would never end.
        (
            ("standalone", "-W", "0", "examples.basic.BasicWorkflow"),
            f"simpleflow: error: --nb-workers: 0 is not in the range 1<=x<={MAX_PROCESSES}",
        ),
        (
            ("standalone", "-D", "0", "examples.basic.BasicWorkflow"),
            f"simpleflow: error: --nb-deciders: 0 is not in the range 1<=x<={MAX_PROCESSES}",
        ),
    ],
)
def test_click_usage_errors_are_one_line_not_a_usage_block(args, line):
    assert usage_line(*args) == line


def test_help_is_still_clicks():
    done = simpleflow_here("workflow.start", "--help")
    assert done.returncode == 0 and "workflow.start [OPTIONS] WORKFLOW\n\n  Start WORKFLOW" in done.stdout


@pytest.mark.parametrize(
    ("delay", "says"),
    [
        ("nan", "'nan' is not a finite number of seconds"),
        ("inf", "'inf' is not a finite number of seconds"),
        ("1e999", "'1e999' is not a finite number of seconds"),
        ("-5", "'-5' is a negative number of seconds"),
    ],
)
def test_a_signal_delay_must_be_finite_and_not_negative(delay, says):
    given = f'approve@{delay}=["a"]'
    line = usage_line("workflow.start", "--local", SIGNALS, "--signal", given)
    assert line == f"simpleflow: error: --signal {given!r}: the delay {says}"


@pytest.mark.parametrize("given", ['=["a"]', '@3=["a"]', "@3"])
def test_a_signal_needs_a_name(given):
    line = usage_line("workflow.start", "--local", SIGNALS, "--signal", given)
    assert line == f"simpleflow: error: --signal {given!r}: a signal needs a name: NAME=JSON or NAME@SECONDS=JSON"


def test_a_signal_name_swf_would_refuse_is_refused_as_workflow_signal_refuses_it():
    name = "y" * 300
    line = usage_line("workflow.start", "--local", SIGNALS, "--signal", f"{name}=[1]")
    assert line == f"simpleflow: error: --signal: signal name '{'y' * 57}...' must have 1 to 256 characters, not 300"


def test_a_signal_given_by_its_name_alone_has_no_input():
    from simpleflow.cli.params import parse_signal

    assert parse_signal("approve") == (0.0, "approve", None)
    assert parse_signal("approve@2=[1]") == (2.0, "approve", {"args": [1], "kwargs": {}})
    # What workflow.signal --input sends: any other value is the one argument, an object the keyword arguments.
    assert parse_signal("approve=1")[2] == {"args": [1], "kwargs": {}}
    assert parse_signal('approve={"note": "n"}')[2] == {"args": [], "kwargs": {"note": "n"}}


def test_a_signal_name_written_as_a_json_string_may_hold_at_and_equals():
    waits = ("tests.fixtures.signal_workflows.WaitsForNamed", "--input", '["a=b@c"]')
    done = simpleflow_here("workflow.start", "--local", *waits, "--signal", '"a=b@c"@5=["x"]')
    assert (done.returncode, done.stdout) == (0, '["x"]\n'), done.stderr
    from simpleflow.cli.params import parse_signal

    assert parse_signal('"a=b"') == (0.0, "a=b", None)
    line = usage_line("workflow.start", "--local", *waits, "--signal", '"a"b=1')
    assert line == "simpleflow: error: --signal '\"a\"b=1': a quoted NAME is followed by @SECONDS or =JSON, not 'b=1'"


def test_a_delayed_signal_still_arrives():
    done = simpleflow_here("workflow.start", "--local", SIGNALS, "--signal", 'approve@1.5=["a"]')
    assert done.returncode == 0 and "approved by a" in done.stdout, done.stderr


@pytest.mark.parametrize(
    ("value", "says"),
    [("nan", "'nan' is not a finite"), ("inf", "'inf' is not a finite"), ("-1", "'-1' is a negative")],
)
def test_schedule_for_must_be_finite_and_not_negative(value, says):
    assert usage_line(*SCHEDULE, "--for", value) == f"simpleflow: error: --for: {says} number of seconds"


@pytest.mark.parametrize(
    "args",
    [
        ("workflow.start", "--local", *BASIC, "--workers", "0"),
        ("workflow.start", "--local", *BASIC, "--workers", "-1"),
        ("dag.run", "--local", "examples/dag/diamond.yaml", "--workers", "-3"),
    ],
)
def test_workers_must_be_positive(args):
    assert usage_line(*args).startswith(f"simpleflow: error: --workers: {args[-1]} is not in the range x>=1")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--execution-timeout", "abc"),
        ("--execution-timeout", "-5"),
        ("--execution-timeout", "0"),
        ("--decision-tasks-timeout", "abc"),
    ],
)
def test_local_timeouts_are_checked_as_on_swf(option, value):
    line = usage_line("workflow.start", "--local", *BASIC, option, value)
    assert line == f"simpleflow: error: {option} {value!r}: expected a whole number of seconds from 1 to 31536000"


def test_local_timeouts_swf_accepts_still_run():
    args = ("--execution-timeout", "100", "--decision-tasks-timeout", "NONE")
    done = simpleflow_here("workflow.start", "--local", *BASIC, *args)
    assert (done.returncode, done.stdout) == (0, "4\n"), done.stderr


@pytest.mark.parametrize("ids", [("dom",), ("a", "b", "c", "d")])
def test_rerun_says_how_many_ids_it_was_given(ids):
    line = usage_line("activity.rerun", *ids, "-m", "examples.basic")
    assert (
        line
        == f"simpleflow: error: name the execution: DOMAIN WORKFLOW_ID [RUN_ID] ({len(ids)} given: {' '.join(ids)})"
    )


def test_a_module_given_to_a_schedule_of_a_workflow_class_is_refused_not_ignored():
    line = usage_line(*SCHEDULE, "--for", "60", "-m", "nosuch")
    assert line == (
        "simpleflow: error: --module applies to a DAG spec target; 'examples.basic.BasicWorkflow' is a workflow class"
    )


def test_an_unknown_format_names_where_it_came_from(monkeypatch):
    assert usage_line("--format", "bogus", "info").startswith("simpleflow: error: --format: unknown format 'bogus'")
    monkeypatch.setenv("SIMPLEFLOW_FORMAT", "bogus")
    assert usage_line("info").startswith("simpleflow: error: SIMPLEFLOW_FORMAT: unknown format 'bogus'")
