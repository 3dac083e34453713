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
from tests.fixtures.cancel_workflows import CancelActivityWorkflow, CancelWaitingWorkflow
from tests.swf_e2e_helpers import attributes, completed_result, scheduled, start_decider, start_workflow, wait_closed


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


def _task_story(events: list, name: str) -> list[tuple[str, int | None]]:
    """The events of the task of activity *name* (its only one): type and startedEventId (0: never started)."""
    [task] = [e["eventId"] for e in events if attributes(e).get("activityType", {}).get("name", "").endswith(name)]
    mine = [e for e in events if task in (attributes(e).get("scheduledEventId"), e["eventId"])]
    return [(e["eventType"], attributes(e).get("startedEventId")) for e in mine]


def test_a_task_waiting_for_a_worker_is_canceled_at_once_on_swf_as_locally(swf_domain, processes, decider_list):
    module = CancelWaitingWorkflow.__module__
    start_decider(processes, swf_domain, decider_list, f"{module}.CancelWaitingWorkflow")
    # Two worker processes with one poll each, as the local host's two workers: the third task waits.
    processes.start("worker", "worker.start", "--domain", swf_domain, "--task-list", "cancel", "-N", "2", module)
    input = {"args": [], "kwargs": {}}
    workflow_id, run_id = start_workflow(swf_domain, f"{module}.CancelWaitingWorkflow", decider_list, input)
    local = LocalExecution(CancelWaitingWorkflow, input, workers=2).execute()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == local.result, processes.logs()
    assert local.result == {"asked": True, "waiting": "cancelled", "busy": ["ran to the end"] * 2}
    story = [("ActivityTaskScheduled", None), ("ActivityTaskCanceled", 0)]
    assert _task_story(events, "quick") == _task_story(local.events, "quick") == story
