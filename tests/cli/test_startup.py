"""What the command line imports: ``--help`` loads it alone (the library, boto3 and tabulate wait for a command
to run), and a command imports tabulate only when it prints a table or checks a table format's name."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.swf_e2e_helpers import ROOT, _environ

LOADED_BY = """
import json, runpy, sys
sys.argv = ["simpleflow", *json.loads(sys.argv[1])]
try:
    runpy.run_module("simpleflow", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted(sys.modules)))
"""


def loaded_by(*args: str) -> tuple[str, set[str]]:
    """What ``simpleflow ARGS`` prints, and the modules it imported."""
    code = [sys.executable, "-c", LOADED_BY, json.dumps(args)]
    done = subprocess.run(code, env=_environ(), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout, set(json.loads(done.stderr.splitlines()[-1]))


def test_help_imports_no_library_module_nor_boto3_nor_tabulate():
    printed, loaded = loaded_by("--help")
    assert "workflow.start" in printed
    library = {
        m for m in loaded if m.startswith("simpleflow.") and not m.startswith(("simpleflow.cli.", "simpleflow.command"))
    }
    assert library <= {"simpleflow.__main__", "simpleflow.cli", "simpleflow.exceptions"}
    assert not loaded & {"boto3", "botocore", "tabulate", "simpleflow.settings"}


def test_a_command_that_prints_no_table_runs_without_tabulate():
    printed, loaded = loaded_by("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]")
    assert printed.strip().splitlines()[-1] == "4"
    assert "simpleflow.engine" in loaded and "tabulate" not in loaded


def test_a_table_format_other_than_plain_is_checked_against_tabulate():
    printed, loaded = loaded_by("--format", "github", "info")
    assert "tabulate" in loaded and printed.strip()
