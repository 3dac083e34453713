"""``--record FILE``: a path that cannot be written is refused before the run (exit 2, one line); a
history that cannot be written at the end anyway leaves the run's result printed."""

from __future__ import annotations

import json
import os

import pytest

from tests.swf_e2e_helpers import simpleflow_here, usage_line

BASIC = ("examples.basic.BasicWorkflow", "--input", "[1, 5]")
DIAMOND = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "dag_specs", "diamond.yaml")
COMMANDS = {
    "workflow.start": ("workflow.start", "--local", *BASIC),
    "dag.run": ("dag.run", "--local", DIAMOND, "--input", '{"x": 3}'),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_record_path_that_cannot_be_written_is_refused_before_the_run(tmp_path, command):
    missing = tmp_path / "nonexistent" / "x.json"
    line = usage_line(*COMMANDS[command], "--record", str(missing))
    assert line == f"simpleflow: error: --record: {missing}: no folder {missing.parent}"
    line = usage_line(*COMMANDS[command], "--record", str(tmp_path))
    assert line == f"simpleflow: error: --record: {tmp_path}: is a directory"
    (tmp_path / "file").write_text("")
    under_a_file = tmp_path / "file" / "x.json"
    line = usage_line(*COMMANDS[command], "--record", str(under_a_file))
    assert line == f"simpleflow: error: --record: {under_a_file}: {tmp_path / 'file'} is not a folder"
    line = usage_line(*COMMANDS[command], "--record", "")
    assert line == "simpleflow: error: --record: : an empty path"


def test_a_history_that_cannot_be_written_at_the_end_leaves_the_result_printed(tmp_path):
    spoiled = tmp_path / "record.json"
    done = simpleflow_here(
        "workflow.start",
        "--local",
        "tests.fixtures.record_workflows.SpoilRecordWorkflow",
        "--input",
        json.dumps([str(spoiled)]),
        "--record",
        str(spoiled),
    )
    assert done.returncode == 2
    assert done.stdout == '"folder made"\n'
    assert (
        done.stderr.splitlines()[-1]
        == f"simpleflow: error: --record {spoiled}: cannot write the history: Is a directory"
    )
