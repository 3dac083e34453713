"""Ctrl-C in a test that runs a workflow with the kit stops the test run at once, as it stops
``workflow.start --local``: the activity running is given up, not waited for."""

from __future__ import annotations

import os
import sys

from tests.process_helpers import interrupt_once_started

FLOWS = """
import time
from simpleflow import Workflow, activity

@activity.with_attributes(task_list="t", version="1", start_to_close_timeout=600)
def nap(path):
    open(path, "w").close()  # the test's cue: the activity runs
    time.sleep(60)

class NapWorkflow(Workflow):
    name, version, task_list = "nap", "1", "t"
    def run(self, path):
        return self.submit(nap, path).result
"""


def test_ctrl_c_in_a_kit_test_stops_at_once(tmp_path):
    cue = tmp_path / "started"
    (tmp_path / "interrupt_kit_flows.py").write_text(FLOWS)
    (tmp_path / "test_nap.py").write_text(
        "from interrupt_kit_flows import NapWorkflow\n\n"
        f"def test_nap(workflow_env):\n    workflow_env.run(NapWorkflow, {str(cue)!r})\n"
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "test_nap.py"]
    status, out, _, took = interrupt_once_started(
        command, cue, cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(tmp_path)), merge_stderr=True
    )
    assert status == 2 and "KeyboardInterrupt" in out, out  # pytest's own exit for an interrupted run
    assert took < 5, out  # the activity's 60 s were not waited for
