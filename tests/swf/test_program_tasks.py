"""Program and Python tasks (simpleflow.execute) run by SWF workers on the dev server."""

from __future__ import annotations

import json
import sys
import uuid

from simpleflow.local import LocalExecution
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from tests.fixtures.program_tasks import ProgramTasksWorkflow
from tests.swf_e2e_helpers import outcomes_by_task, scheduled, simpleflow


def test_a_worker_runs_program_and_python_tasks_as_the_local_host_does(swf_domain):
    input = {"args": [6], "kwargs": {}}
    local = LocalExecution(ProgramTasksWorkflow, input).execute()
    workflow_id = f"programs-{uuid.uuid4().hex[:8]}"
    remote = run_standalone(swf_domain, ProgramTasksWorkflow, input, workflow_id=workflow_id, progress=None, timeout=60)
    assert remote.status == "completed", remote.reason
    result = remote.result
    assert (result["printed"], result["total"], result["context_ok"]) == ("15\n", 16, True)
    assert result["program_failure"] == f"ExecutionError: {sys.executable} exited with code 4: it broke"
    assert json.loads(result["python_failure_details"])["error"] == "ArithmeticError"
    assert result == local.result
    events = client.get_history(swf_domain, workflow_id, remote.run_id)
    assert scheduled(events) == scheduled(local.events)
    assert outcomes_by_task(events) == outcomes_by_task(local.events)


def test_the_program_tasks_example_runs_with_standalone(swf_domain):
    done = simpleflow(
        "standalone", "--domain", swf_domain, "examples.program_tasks.ProgramWorkflow", "--input", '["world"]'
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"greeting": "hello, world!", "lengths": [6, 6]}
