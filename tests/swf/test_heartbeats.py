"""Heartbeats that carry progress, on the dev server: an attempt heartbeats its step, then goes silent past
its heartbeat timeout; SWF's ActivityTaskTimedOut carries the last details and the next attempt resumes
from them. The same run on the local host (its simulated heartbeat timeout) gives the same events and result.

The dev server counts a heartbeat timeout from the task's start, resets it with each
RecordActivityTaskHeartbeat and puts the last heartbeat's details in ActivityTaskTimedOut, as SWF does.
"""

from __future__ import annotations

import json

from simpleflow.activity import HEARTBEAT_DETAILS_KEY
from simpleflow.local import LocalExecution
from tests.fixtures.heartbeat_workflows import CountWorkflow
from tests.swf_e2e_helpers import attributes, completed_result, scheduled, start_decider, start_workflow, wait_closed

WORKFLOW = "tests.fixtures.heartbeat_workflows.CountWorkflow"


def start_heartbeat_workers(processes, domain):
    """Two worker processes whose own heartbeats come every 60 s: only the activity's own heartbeats keep
    its 1 s heartbeat timeout at bay (the second worker takes the retry while the first still hangs)."""
    return processes.start(
        "worker",
        "worker.start",
        "--domain",
        domain,
        "--task-list",
        "heartbeats",
        "--heartbeat",
        "60",
        "-N",
        "2",
        "tests.fixtures.heartbeat_workflows",
    )


def timed_out(events):
    return [attributes(e) for e in events if e["eventType"] == "ActivityTaskTimedOut"]


def test_an_attempt_that_times_out_hands_its_last_heartbeat_details_to_the_next_on_swf_as_locally(
    swf_domain, processes, decider_list
):
    start_decider(processes, swf_domain, decider_list, WORKFLOW)
    start_heartbeat_workers(processes, swf_domain)
    workflow_id, run_id = start_workflow(swf_domain, WORKFLOW, decider_list, {"args": [5], "kwargs": {}})
    # The local host meanwhile (its simulated heartbeat timeout takes real time).
    local = LocalExecution(CountWorkflow, {"args": [5], "kwargs": {}}).execute()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == {"resumed_from": {"step": 2, "of": 5}, "done": 5}, processes.logs()
    [timeout] = timed_out(events)
    assert timeout["timeoutType"] == "HEARTBEAT"
    assert json.loads(timeout["details"]) == {"step": 2, "of": 5}
    inputs = [input for _, _, input in scheduled(events)]
    assert HEARTBEAT_DETAILS_KEY not in inputs[0]
    assert json.loads(inputs[1][HEARTBEAT_DETAILS_KEY]) == {"step": 2, "of": 5}
    # The local host agrees: same tasks and inputs, same timeout, same result.
    assert local.result == completed_result(events)
    assert scheduled(local.events) == scheduled(events)
    assert [(t["timeoutType"], t["details"]) for t in timed_out(local.events)] == [
        (timeout["timeoutType"], timeout["details"])
    ]
