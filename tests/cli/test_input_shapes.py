"""A command's JSON input of the wrong shape or nested too deep is one usage line, exit 2, naming what it must be."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simpleflow import format
from tests.swf_e2e_helpers import ROOT, simpleflow_here, usage_line

WORKFLOW = "tests.fixtures.jumbo_workflows.InputSize"  # run(self, text) -> len(text)
DEEP = "[" * 3000 + "]" * 3000


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ('{"args": 5}', '"args" must be a list, not the number 5'),
        ('{"args": "abc"}', '"args" must be a list, not a string'),
        ('{"kwargs": [1, 2]}', '"kwargs" must be an object, not a list'),
        ('{"args": [], "kwargs": "x"}', '"kwargs" must be an object, not a string'),
        ('{"args": "abc", "note": 1}', '"args" must be a list, not a string'),  # "args" makes it the envelope
    ],
)
def test_input_of_the_wrong_shape_is_one_usage_line_saying_what_it_must_look_like(given, says):
    line = usage_line("workflow.start", "--local", WORKFLOW, "--input", given)
    assert line == (
        f"simpleflow: error: --input: {says}; the input is a JSON list of positional arguments, an object of "
        'keyword arguments, {"args": [...], "kwargs": {...}}, or any other JSON value as the one argument'
    )


@pytest.mark.parametrize("depth", [format.MAX_JSON_DEPTH + 1, 3000])
def test_input_nested_too_deep_is_one_usage_line(depth):
    deep = "[" * depth + "]" * depth
    line = usage_line("workflow.start", "--local", WORKFLOW, "--input", deep)
    assert line == "simpleflow: error: --input is JSON nested more than 256 levels deep"


def test_input_nested_as_deep_as_allowed_runs_and_one_level_more_is_refused():
    # ["x"] nested 254 deep, as the one argument: {"args": [<that>], "kwargs": {}} nests 256 levels.
    depth = format.MAX_JSON_DEPTH - 1
    text = "[" * depth + '"x"' + "]" * depth
    done = simpleflow_here("workflow.start", "--local", WORKFLOW, "--input", text)
    assert (done.returncode, done.stdout.strip()) == (0, "1"), done.stderr

    line = usage_line("workflow.start", "--local", WORKFLOW, "--input", "[" + text + "]")
    assert line == (
        'simpleflow: error: --input is JSON nested more than 256 levels deep once in simpleflow\'s {"args": [...], '
        '"kwargs": {...}}'
    )


def test_a_signal_value_nested_too_deep_is_one_usage_line():
    line = usage_line("workflow.start", "--local", WORKFLOW, "--input", '["x"]', "--signal", f"go={DEEP}")
    assert line == "simpleflow: error: --signal go's value is JSON nested more than 256 levels deep"


def test_a_dag_input_nested_too_deep_is_one_usage_line():
    spec = str(Path(__file__).resolve().parents[1] / "fixtures" / "dag_specs" / "fanout.json")
    line = usage_line("dag.run", spec, "--local", "--input", DEEP)
    assert line == "simpleflow: error: --input is JSON nested more than 256 levels deep"


def test_an_input_file_that_is_not_utf8_is_one_line_naming_it(tmp_path):
    path = tmp_path / "input.json"
    path.write_bytes(b'["\xc8"]')
    line = usage_line("workflow.start", "--local", WORKFLOW, "--input-file", str(path))
    assert line == f"simpleflow: error: --input-file {path}: not UTF-8 text (byte 2: invalid continuation byte)"


def test_an_input_file_that_is_not_json_names_the_file_not_input(tmp_path):
    path = tmp_path / "input.json"
    path.write_text("[1, 5")
    line = usage_line("workflow.start", "--local", WORKFLOW, "--input-file", str(path))
    assert line.startswith(f"simpleflow: error: --input-file {path} is not valid JSON: ")


def test_an_object_with_args_or_kwargs_is_simpleflows_envelope_its_other_keys_ignored_with_a_warning():
    """simpleflow 0.36 reads only "args" and "kwargs" of such an object (the engine does too, for a history)."""
    done = simpleflow_here(
        "workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", '{"args": [1, 5], "note": "x"}'
    )
    assert (done.returncode, done.stdout.strip()) == (0, "4"), done.stderr
    assert 'not arguments, ignored beside "args" and "kwargs": note' in done.stderr
    done = simpleflow_here("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", '{"x": 1, "t": 0}')
    assert (done.returncode, done.stdout.strip()) == (0, "4"), done.stderr  # no such key: keyword arguments


def test_is_envelope():
    assert format.is_envelope({"args": [1]}) and format.is_envelope({"kwargs": {}, "other": 1})
    assert format.is_envelope({}) and format.is_envelope({"__extra": {"class": "a.B"}})
    assert not format.is_envelope({"x": 1}) and not format.is_envelope([1]) and not format.is_envelope(None)


@pytest.mark.parametrize(
    ("command", "given", "printed"),
    [
        (["workflow.start", "--local", WORKFLOW], '["hello"]', "5"),
        (["dag.run", "examples/dag/diamond.yaml", "--local"], '{"x": 1}', "7"),
    ],
)
def test_an_input_file_named_dash_is_read_from_standard_input(command, given, printed):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "simpleflow", *command, "--input-file", "-"],
        input=given,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout.strip()) == (0, printed), done.stderr


@pytest.mark.parametrize(("given", "kind"), [("", "empty"), ("   \n", "blank")])
def test_an_empty_or_blank_input_is_refused_not_taken_for_no_arguments(tmp_path, given, kind):
    """An empty $VAR or a truncated file is a mistake to name; ``[]`` (or no --input) says "no arguments"."""
    basic = "examples.basic.BasicWorkflow"
    line = usage_line("workflow.start", "--local", basic, "--input", given)
    assert line == f"simpleflow: error: --input is {kind}: give JSON ([] for no arguments)"
    path = tmp_path / "in.json"
    path.write_text(given)
    line = usage_line("workflow.start", "--local", basic, "--input-file", str(path))
    assert line == f"simpleflow: error: --input-file {path} is {kind}: give JSON ([] for no arguments)"
    line = usage_line("workflow.start", "--local", basic, "--input", '["x"]', "--signal", f"go={given}")
    assert line == f"simpleflow: error: --signal go's value is {kind}: give JSON ([] for no arguments)"
    spec = os.path.join(ROOT, "tests", "fixtures", "dag_specs", "diamond.yaml")
    line = usage_line("dag.run", "--local", spec, "--input", given)
    assert line == f"simpleflow: error: --input is {kind}: give a JSON value (null for none)"


def test_an_empty_input_file_dev_null_is_refused():
    line = usage_line("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input-file", os.devnull)
    assert line == f"simpleflow: error: --input-file {os.devnull} is empty: give JSON ([] for no arguments)"
