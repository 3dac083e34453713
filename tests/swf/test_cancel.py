"""Cancelling a running activity on the dev server, as on the local host: RequestCancelActivityTask, a
heartbeat's cancelRequested, RespondActivityTaskCanceled. Children, other executions and timers are
cancelled in tests/swf/test_children.py and tests/swf/test_features.py.
"""

from __future__ import annotations

import json
import uuid

from simpleflow.local import LocalExecution
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from tests.fixtures.cancel_workflows import CancelActivityWorkflow
from tests.swf_e2e_helpers import scheduled


def _both_hosts(domain: str, args: list) -> tuple:
    input = {"args": args, "kwargs": {}}
    local = LocalExecution(CancelActivityWorkflow, input, workers=2).execute()
    assert local.status == "completed", local.reason
    workflow_id = f"cancel-{uuid.uuid4().hex[:8]}"
    remote = run_standalone(
        domain, CancelActivityWorkflow, input, workflow_id=workflow_id, nb_workers=2, progress=None, timeout=60
    )
    assert remote.status == "completed", (remote.reason, remote.details)
    return local, remote, client.get_history(domain, workflow_id, remote.run_id)


def _types(events: list) -> list[str]:
    return [e["eventType"] for e in events]


def test_a_running_activity_told_through_its_heartbeat_ends_cancelled_as_locally(swf_domain):
    local, remote, events = _both_hosts(swf_domain, [])
    assert remote.result == local.result == {"asked": True, "again": True, "running": "cancelled"}
    assert scheduled(events) == scheduled(local.events)
    decided = [d for d in _types(events) if d in ("ActivityTaskCancelRequested", "ActivityTaskCanceled")]
    assert decided == ["ActivityTaskCancelRequested", "ActivityTaskCanceled"]
    canceled = next(e for e in events if e["eventType"] == "ActivityTaskCanceled")
    assert "step" in json.loads(canceled["activityTaskCanceledEventAttributes"]["details"])


def test_an_activity_that_finishes_anyway_keeps_its_result_on_swf_as_locally(swf_domain):
    local, remote, events = _both_hosts(swf_domain, [True])
    assert remote.result == local.result == {"asked": True, "again": True, "running": "finished anyway"}
    assert "ActivityTaskCancelRequested" in _types(events) and "ActivityTaskCanceled" not in _types(events)
