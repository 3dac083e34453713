"""``raise ExecutionBlocked()`` in ``run`` on the dev server (simpleflow 0.36.0's examples/pirate): deciders that
resume runs and deciders that replay in full schedule the local host's tasks and complete with its result."""

from __future__ import annotations

import pytest

from simpleflow.local import LocalExecution
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from tests.fixtures import blocked_workflows as bw
from tests.swf_e2e_helpers import scheduled


@pytest.mark.parametrize("cached_runs", ["0", "256"])  # deciders replaying in full at each task; resuming runs
def test_a_run_raising_execution_blocked_completes_on_swf_as_locally(swf_domain, monkeypatch, cached_runs):
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_CACHE_RUNS", cached_runs)
    input = {"args": [5], "kwargs": {}}
    remote = run_standalone(swf_domain, bw.Crew, input, nb_workers=2, progress=None, timeout=60)
    assert remote.status == "completed", (remote.reason, remote.details)
    local = LocalExecution(bw.Crew, input).execute()
    assert remote.result == local.result == 66
    events = client.get_history(swf_domain, remote.workflow_id, remote.run_id)
    assert sorted(scheduled(events), key=repr) == sorted(scheduled(local.events), key=repr)
    kinds = {e["eventType"] for e in events}
    assert not kinds & {"DecisionTaskTimedOut", "ScheduleActivityTaskFailed"}, kinds
