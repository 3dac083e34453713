"""``simpleflow --help`` loads the command line alone: the library, boto3 and tabulate wait for a command to run."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.swf_e2e_helpers import ROOT, _environ

LOADED_BY_HELP = """
import json, runpy, sys
sys.argv = ["simpleflow", "--help"]
try:
    runpy.run_module("simpleflow", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted(sys.modules)))
"""


def test_help_imports_no_library_module_nor_boto3_nor_tabulate():
    done = subprocess.run(
        [sys.executable, "-c", LOADED_BY_HELP], env=_environ(), cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "workflow.start" in done.stdout
    loaded = set(json.loads(done.stderr))
    library = {
        m for m in loaded if m.startswith("simpleflow.") and not m.startswith(("simpleflow.cli.", "simpleflow.command"))
    }
    assert library <= {"simpleflow.__main__", "simpleflow.cli", "simpleflow.exceptions"}
    assert not loaded & {"boto3", "botocore", "tabulate", "simpleflow.settings"}
