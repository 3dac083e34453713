"""Chains of activities on an SWF endpoint, for the fleet benchmarks (load.py, sticky.py).

The executions run ``bench_workflows.Chain`` (type ``bench-chain``) on the ``bench`` task list.
"""

from __future__ import annotations

import json
import time

from _common import BenchError

DECISIONS = "bench"  # bench_workflows' task list, for decisions and activities alike


def swf_client(environ: dict[str, str]):
    import boto3

    return boto3.client(
        "swf",
        endpoint_url=environ["AWS_ENDPOINT_URL"],
        region_name=environ["AWS_DEFAULT_REGION"],
        aws_access_key_id=environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environ["AWS_SECRET_ACCESS_KEY"],
    )


def start_chains(swf, domain: str, executions: int, activities: int) -> list[dict[str, str]]:
    try:
        swf.register_workflow_type(
            domain=domain,
            name="bench-chain",
            version="1",
            defaultTaskList={"name": DECISIONS},
            defaultExecutionStartToCloseTimeout="3600",
            defaultTaskStartToCloseTimeout="300",
            defaultChildPolicy="TERMINATE",
        )
    except swf.exceptions.TypeAlreadyExistsFault:
        pass
    started = []
    for k in range(executions):
        workflow_id = f"load-{k}"
        run = swf.start_workflow_execution(
            domain=domain,
            workflowId=workflow_id,
            workflowType={"name": "bench-chain", "version": "1"},
            taskList={"name": DECISIONS},
            input=json.dumps({"args": [activities], "kwargs": {}}),
        )
        started.append({"workflowId": workflow_id, "runId": run["runId"]})
    return started


def wait_chains(swf, domain: str, started: list[dict[str, str]], activities: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(started)
    while waiting:
        if time.monotonic() > deadline:
            raise BenchError(f"{len(waiting)} executions still open after {timeout:.0f} s")
        execution = waiting[0]
        info = swf.describe_workflow_execution(domain=domain, execution=execution)["executionInfo"]
        if info["executionStatus"] != "CLOSED":
            time.sleep(0.2)
            continue
        if info.get("closeStatus") != "COMPLETED":
            raise BenchError(f"{execution['workflowId']} closed {info.get('closeStatus')}")
        events = swf.get_workflow_execution_history(domain=domain, execution=execution, reverseOrder=True)["events"]
        result = events[0].get("workflowExecutionCompletedEventAttributes", {}).get("result")
        if result is None or json.loads(result) != activities:
            raise BenchError(f"{execution['workflowId']}: result {result!r}, expected {activities}")
        waiting.pop(0)


def histories(swf, domain: str, started: list[dict[str, str]]) -> list[list[dict]]:
    """Every event of each execution in *started*, page after page."""
    out = []
    for execution in started:
        events: list[dict] = []
        token = None
        while True:
            page = swf.get_workflow_execution_history(
                domain=domain, execution=execution, **({"nextPageToken": token} if token else {})
            )
            events += page["events"]
            token = page.get("nextPageToken")
            if not token:
                break
        out.append(events)
    return out


def decision_waits(events: list[dict]) -> list[float]:
    """Seconds from each DecisionTaskScheduled to its DecisionTaskStarted (a task waiting for a decider)."""
    by_id = {e["eventId"]: e for e in events}
    waits = []
    for e in events:
        if e["eventType"] == "DecisionTaskStarted":
            scheduled = by_id[e["decisionTaskStartedEventAttributes"]["scheduledEventId"]]
            waits.append(_seconds(e["eventTimestamp"]) - _seconds(scheduled["eventTimestamp"]))
    return waits


def last_decider(events: list[dict]) -> str:
    """The identity of the decider that started the execution's last decision task."""
    started = [e for e in events if e["eventType"] == "DecisionTaskStarted"]
    return started[-1]["decisionTaskStartedEventAttributes"].get("identity", "?")


def _seconds(timestamp) -> float:
    return timestamp.timestamp() if hasattr(timestamp, "timestamp") else float(timestamp)
