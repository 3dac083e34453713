"""Ctrl-C on ``workflow.start --local``: it stops at once, says so in one line and exits 130, as ``standalone``
does, whatever the run waits for (an activity that runs on, a timer in real time)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from tests.process_helpers import interrupt_once_started

ROOT = Path(__file__).resolve().parents[2]

WORKFLOWS = """
import os, sys, time
from simpleflow import Workflow, activity, futures

@activity.with_attributes(task_list="t", version="1", start_to_close_timeout=600)
def nap(path):
    open(path, "w").close()  # the test's cue: the activity runs
    time.sleep(60)

@activity.with_attributes(task_list="t", version="1", start_to_close_timeout="NONE",
                          schedule_to_close_timeout="NONE", schedule_to_start_timeout="NONE",
                          heartbeat_timeout="NONE")
def nap_here(path):  # no timeout: with one worker it runs on the decision's thread
    nap.callable(path)

class NapWorkflow(Workflow):
    name, version, task_list = "nap", "1", "t"
    def run(self, path):
        return self.submit(nap, path).result

class TimerWorkflow(Workflow):
    name, version, task_list = "timer", "1", "t"
    def run(self, path):
        open(path, "w").close()
        futures.wait(self.submit(self.start_timer("wait", 600)))

class Child(Workflow):
    name, version, task_list = "child", "1", "t"
    def run(self):
        futures.wait(self.submit(self.start_timer("wait", 600)))

class ParentWorkflow(Workflow):  # a child open: the family's loop, on the main thread, carries the run
    name, version, task_list = "parent", "1", "t"
    def run(self, path):
        self.submit(Child)
        futures.wait(self.submit(self.start_timer("first", 1)))  # the child is open by the next decision
        return self.submit(nap_here, path).result
"""

INTERRUPTED = "simpleflow: interrupted: the local run was stopped before it closed (its activities left unfinished)"


def _interrupt(tmp_path: Path, workflow: str, *options: str, spec: bool = False) -> tuple[int, str, str, float]:
    """Start *workflow* locally (with *spec*, a DAG spec whose one node runs it as an activity), Ctrl-C it once it
    runs: (exit status, stdout, stderr, seconds it took to exit)."""
    (tmp_path / "interrupt_flows.py").write_text(WORKFLOWS)
    cue = tmp_path / "started"
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    command = [sys.executable, "-m", "simpleflow.command", "workflow.start", "--local", f"interrupt_flows.{workflow}"]
    given = f'["{cue}"]'
    if spec:
        nodes = {"nap": {"activity": f"interrupt_flows.{workflow}", "args": ["$input.path"]}}
        spec_file = tmp_path / "spec.json"
        spec_file.write_text(
            json.dumps({"name": "naps", "version": "1", "modules": ["interrupt_flows"], "nodes": nodes})
        )
        command = [sys.executable, "-m", "simpleflow.command", "dag.run", str(spec_file), "--local"]
        given = json.dumps({"path": str(cue)})
    return interrupt_once_started([*command, "--input", given, *options], cue, cwd=ROOT, env=env)


@pytest.mark.parametrize(
    ("workflow", "options"),
    [
        ("NapWorkflow", ()),
        ("NapWorkflow", ("--workers", "2")),
        ("TimerWorkflow", ("--real-time",)),
        ("ParentWorkflow", ()),
    ],
)
def test_ctrl_c_stops_a_local_run_at_once_with_one_line_and_exit_130(tmp_path, workflow, options):
    status, out, err, took = _interrupt(tmp_path, workflow, *options)
    assert (status, out, err) == (130, "", INTERRUPTED + "\n")
    assert took < 5


def test_an_interrupted_run_records_nothing_and_says_so(tmp_path):
    record = tmp_path / "history.json"
    status, _, err, _ = _interrupt(tmp_path, "NapWorkflow", "--record", str(record))
    assert (status, err) == (130, f"{INTERRUPTED}; nothing was recorded to {record}\n")
    assert not record.exists()


def test_ctrl_c_stops_a_local_dag_run_the_same_way(tmp_path):
    status, out, err, took = _interrupt(tmp_path, "nap", spec=True)
    assert (status, out, err) == (130, "", INTERRUPTED + "\n")
    assert took < 5


def test_ctrl_c_on_a_local_schedule_keeps_the_ids_of_the_runs_it_started(tmp_path):
    # Each id is printed as its run starts: the first run's activity is still running when Ctrl-C comes.
    (tmp_path / "interrupt_flows.py").write_text(WORKFLOWS)
    cue = tmp_path / "started"
    command = [sys.executable, "-m", "simpleflow.command", "schedule.create", "nap", "--cron", "* * * * *"]
    command += ["interrupt_flows.NapWorkflow", "--input", f'["{cue}"]', "--local", "--for", "600"]
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    status, out, err, took = interrupt_once_started(command, cue, cwd=ROOT, env=env)
    assert (status, err) == (130, INTERRUPTED + "\n")
    assert re.fullmatch(r"nap-\d{8}T\d{4}00Z\n", out)
    assert took < 5
