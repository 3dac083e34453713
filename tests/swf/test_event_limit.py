"""SWF's limit of 25,000 events per history, on the dev server and on the local host: a workflow that loops for
ever is terminated at its 25,000th event (WorkflowExecutionTerminated, cause EVENT_LIMIT_EXCEEDED), its child
policy applied, and both hosts end it alike."""

from __future__ import annotations

import uuid
from typing import Any

from simpleflow.constants import MAX_HISTORY_EVENTS
from simpleflow.history import attributes
from simpleflow.local import LocalExecution
from simpleflow.runtime.outcome import limit_reason
from simpleflow.swf import client
from simpleflow.swf.standalone import run_standalone
from tests.fixtures import event_limit_workflows as wf


def _endings(runs: list[list[dict[str, Any]]]) -> list[tuple[str, str | None, str | None, int]]:
    """Each run's last event (type, cause, childPolicy) and its number of events, sorted."""
    out = []
    for events in runs:
        last = attributes(events[-1])
        out.append((events[-1]["eventType"], last.get("cause"), last.get("childPolicy"), len(events)))
    return sorted(out, key=lambda ending: -ending[-1])


def _swf_runs(domain: str) -> list[list[dict[str, Any]]]:
    infos = client.list_executions(domain, "closed", started_since_days=None)
    return [client.get_history(domain, i["execution"]["workflowId"], i["execution"]["runId"]) for i in infos]


def test_a_workflow_that_loops_for_ever_is_terminated_at_the_event_limit_on_both_hosts(fast_domain):
    input = {"args": [300], "kwargs": {}}  # a decision task holds 100 decisions: about 110 of them on each host
    workflow_id = f"limit-{uuid.uuid4().hex[:8]}"
    here = LocalExecution(wf.Runaway, input, workflow_id=workflow_id)
    local = here.execute_until(120)  # about 30 rounds of a second (of virtual time; of a fast timer on the server)
    remote = run_standalone(fast_domain, wf.Runaway, input, workflow_id=workflow_id, progress=None, timeout=60)
    assert (local.status, remote.status) == ("terminated", "terminated")
    assert local.reason == remote.reason == limit_reason("EVENT_LIMIT_EXCEEDED")
    ended = _endings([member.events for member in here.family.members])
    assert ended == _endings(_swf_runs(fast_domain))
    assert ended[0] == ("WorkflowExecutionTerminated", "EVENT_LIMIT_EXCEEDED", "TERMINATE", MAX_HISTORY_EVENTS)
    assert ended[1][:3] == ("WorkflowExecutionTerminated", "CHILD_POLICY_APPLIED", "TERMINATE")  # its child
    for events in (local.events, remote.events):
        assert [e["eventId"] for e in events] == list(range(1, MAX_HISTORY_EVENTS + 1))
