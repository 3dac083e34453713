"""Output to a pipe nobody reads any more (``simpleflow ... | head -1``): exit 1 without a word, as Unix tools do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simpleflow.cli.failures import stdout_closed
from simpleflow.swf import starter
from tests.fixtures.inspect_workflows import EchoWorkflow

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "examples" / "dag" / "diamond.yaml")


def _into_closed_pipe(*args: str) -> tuple[int, str]:
    """Run ``simpleflow ARGS`` with stdout a pipe whose reader is gone already: (exit status, stderr)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "simpleflow.command", *args],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("schedule.create", "n", "--cron", "30 2 * * *", SPEC, "--input", '{"x": 1}', "--local", "--for", "864000"),
        ("dag.show", SPEC),
        ("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]"),
        ("--help",),
        # one line of 10 kB: written at once, not through the buffer
        ("workflow.trace", "--history", str(ROOT / "examples/testing/histories/shipped.json"), "--output", "-"),
    ],
)
def test_a_closed_pipe_ends_a_command_quietly_with_exit_1(args):
    status, err = _into_closed_pipe(*args)
    assert (status, err) == (1, "")


def test_a_closed_pipe_ends_the_listing_commands_quietly_too(swf_domain):
    opened = starter.start_workflow(swf_domain, EchoWorkflow, {"args": ["hi"], "kwargs": {}}, workflow_id="piped")
    for args in (
        ("workflow.list", swf_domain),
        ("workflow.history", swf_domain, "piped"),
        ("workflow.info", swf_domain, "piped", opened["runId"]),
    ):
        assert _into_closed_pipe(*args) == (1, ""), args


def test_only_a_pipe_nobody_reads_counts_as_closed_stdout(monkeypatch):
    read_end, write_end = os.pipe()
    with open(write_end, "w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        assert not stdout_closed()  # another pipe's BrokenPipeError stays a failure, said in one line
        os.close(read_end)
        assert stdout_closed()
